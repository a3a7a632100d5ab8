"""The reply-rate metric under the name each platform gives it, with its definition for a help tooltip.

The figure is the same everywhere (contracts §7: the share of counted buyer turns answered within the
shop's time limit); what merchants know it as differs: JD watches its 30秒应答率, Pinduoduo its 3分钟回复率,
Douyin its 3分钟人工回复率. A bare "回复率 7.4%" on a JD shop reads as "agents did not reply"; "30秒应答率
7.4%" says what was missed.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


def _limit(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 60 and seconds % 60 == 0:
        return _("%(n)s分钟") % {"n": seconds // 60}
    return _("%(n)s秒") % {"n": seconds}


def reply_rate_name(platform: str, target_seconds: float) -> str:
    """"30秒应答率" for JD, "3分钟回复率" for Pinduoduo, "3分钟人工回复率" for Douyin, "3分钟回复率" elsewhere."""
    limit = _limit(target_seconds)
    if platform == "jd":
        return _("%(limit)s应答率") % {"limit": limit}
    if platform == "douyin":
        return _("%(limit)s人工回复率") % {"limit": limit}
    return _("%(limit)s回复率") % {"limit": limit}


def reply_rate_definition(platform: str, target_seconds: float) -> str:
    """What the figure counts, for the tooltip next to its name."""
    limit = _limit(target_seconds)
    if platform == "jd":
        return _("服务时间内，买家咨询后 %(limit)s 内得到客服首次应答的比例（京东考核口径）。") % {"limit": limit}
    if platform == "pdd":
        return _("服务时间内，买家消息在 %(limit)s 内得到人工回复的比例（拼多多考核口径）。") % {"limit": limit}
    if platform == "douyin":
        return _("服务时间内，买家消息在 %(limit)s 内由人工客服回复的轮次比例（抖店考核口径）。") % {"limit": limit}
    return _("服务时间内，买家消息在 %(limit)s 内得到回复的轮次比例（平台考核首次与平均响应时长，本系统按此时限计算）。") % {
        "limit": limit}
