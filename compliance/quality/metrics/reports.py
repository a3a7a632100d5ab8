"""The monthly service report of one shop, as PDF (reportlab, with an embedded Chinese font): response
metrics, violations, QA scores and, from the sales feature, conversion and sales (contracts §8)."""

from __future__ import annotations

import io
from datetime import datetime

from django.utils import formats, translation
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from agency.pdf import register_cjk_font
from clients.statements.selectors import conversion_target_for_shop
from compliance.quality.metrics import selectors as sel
from compliance.quality.metrics.definitions import SHANGHAI
from compliance.quality.metrics.names import reply_rate_definition, reply_rate_name
from compliance.quality.metrics.scores import shop_scores
from compliance.quality.metrics.sla import TargetResolver
from compliance.quality.sales.selectors import conversion_target_value, shop_sales


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _yuan(value) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _sec(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def _reply_rate_drawing(daily: list[dict], target: float, font: str):
    from reportlab.graphics.shapes import Drawing, Line, PolyLine, String
    from reportlab.lib import colors

    width, height, left, bottom = 480, 150, 36, 22
    inner_w, inner_h = width - left - 8, height - bottom - 10
    drawing = Drawing(width, height)
    n = max(len(daily), 1)

    def x(i):
        return left + inner_w * (i + 0.5) / n

    def y(v):
        return bottom + inner_h * max(0.0, min(1.0, v))

    for tick in (0, 0.5, 1.0):
        drawing.add(Line(left, y(tick), width - 8, y(tick), strokeColor=colors.HexColor("#e3e8ef"), strokeWidth=0.5))
        drawing.add(String(left - 4, y(tick) - 3, f"{tick * 100:.0f}%", fontName=font, fontSize=7, textAnchor="end"))
    drawing.add(Line(left, y(target), width - 8, y(target), strokeColor=colors.HexColor("#e02424"), strokeWidth=0.8,
                     strokeDashArray=[3, 2]))
    drawing.add(String(width - 8, y(target) + 2, _("目标 %(rate)s") % {"rate": _pct(target)}, fontName=font,
                       fontSize=7, textAnchor="end", fillColor=colors.HexColor("#e02424")))
    points: list[float] = []
    for i, d in enumerate(daily):
        if d["reply_rate"] is None:
            if len(points) >= 4:
                drawing.add(PolyLine(points, strokeColor=colors.HexColor("#1a56db"), strokeWidth=1.2))
            points = []
            continue
        points += [x(i), y(d["reply_rate"])]
    if len(points) >= 4:
        drawing.add(PolyLine(points, strokeColor=colors.HexColor("#1a56db"), strokeWidth=1.2))
    step = max(1, n // 8)
    for i, d in enumerate(daily):
        if i % step == 0:
            drawing.add(String(x(i), 6, f"{d['day']:%m-%d}", fontName=font, fontSize=7, textAnchor="middle"))
    return drawing


def monthly_report_pdf(*, shop, period: sel.Period) -> bytes:
    """The report is addressed to the shop's merchant: it is written in the merchant's document language,
    whoever downloads it."""
    with translation.override(shop.merchant.language):
        return _monthly_report_pdf(shop=shop, period=period)


def _monthly_report_pdf(*, shop, period: sel.Period) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = register_cjk_font()
    title_style = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=6)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13)

    totals = sel.shop_totals(shop=shop, period=period)
    daily = sel.shop_daily(shop=shop, period=period)
    agents = sel.agent_table(shop=shop, period=period)
    violations = sel.violations_by_category(shop=shop, period=period)
    alert_count = sel.shop_alert_count(shop=shop, period=period)
    targets = TargetResolver().targets(shop, period.end)
    scores = shop_scores(shop.pk, period.start, period.end)
    sales = shop_sales(shop=shop, period=period)
    conversion_target = conversion_target_value(
        shop=shop, period=period, target=conversion_target_for_shop(shop=shop, on=period.end))

    # Chinese headers wrap between any two characters; English ones only between words.
    cjk = (get_language() or "zh").startswith("zh")
    head = ParagraphStyle("th", fontName=font, fontSize=7, leading=9, wordWrap="CJK" if cjk else None)
    frame_width = A4[0] - 30 * mm

    def table(rows, widths=None):
        if widths is None and len(rows[0]) > 7:
            # Many columns: share the page width and let the headers wrap, or the English headers push the
            # table past both margins.
            widths = [frame_width / len(rows[0])] * len(rows[0])
            rows = [[Paragraph(str(cell), head) for cell in rows[0]], *rows[1:]]
        t = Table(rows, colWidths=widths, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1f5f9")),
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#cbd2d9")),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ]
            )
        )
        return t

    rate_name = reply_rate_name(shop.platform, targets.sla.target_seconds)
    story = [
        Paragraph(_("%(shop)s · 月度客服服务报告 · %(month)s") % {"shop": shop.name, "month": formats.date_format(period.start, "YEAR_MONTH_FORMAT")},
                  title_style),
        Paragraph(
            _("商家：%(merchant)s　平台：%(platform)s　服务窗口：%(start)s–%(end)s　回复时限：%(target)s 秒　标准来源：%(source)s")
            % {
                "merchant": shop.merchant.name, "platform": shop.get_platform_display(),
                "start": f"{targets.sla.window_start:%H:%M}", "end": f"{targets.sla.window_end:%H:%M}",
                "target": int(targets.sla.target_seconds),
                "source": pgettext("标准来源", "合同") if targets.source == "contract" else _("平台默认"),
            },
            body,
        ),
        Spacer(1, 4 * mm),
        Paragraph(_("总体表现"), h2),
        table(
            [
                [_("会话数"), _("计入轮次"), rate_name, _("目标"), _("平均响应(秒)"), _("平均首响(秒)"),
                 _("5分钟未回复"), _("未接待"), _("告警"), _("自动质检分"), _("人工质检分")],
                [totals["sessions"], totals["counted_turns"], _pct(totals["reply_rate"]), _pct(targets.reply_rate_target),
                 _sec(totals["avg_response"]), _sec(totals["avg_first_response"]), totals["nonreply"], totals["unserved"],
                 alert_count, _sec(scores.get("auto_qa")), _sec(scores.get("manual_qa"))],
            ]
        ),
        Paragraph(_("每日%(name)s") % {"name": rate_name}, h2),
        Paragraph(reply_rate_definition(shop.platform, targets.sla.target_seconds), body),
        _reply_rate_drawing(daily, targets.reply_rate_target, font),
        Paragraph(_("违规类别"), h2),
        table([[_("类别"), _("命中数")]] + [[str(v["label"]), v["count"]] for v in violations])
        if violations else Paragraph(_("本月无违规命中。"), body),
        Paragraph(_("客服表现"), h2),
        table(
            [[_("工号"), _("姓名"), _("计入轮次"), rate_name, _("平均响应(秒)"), _("5分钟未回复"), _("未接待")]]
            + [[a["code"], a["name"], a["counted_turns"], _pct(a["reply_rate"]), _sec(a["avg_response"]), a["nonreply"],
                a["unserved"]] for a in agents]
        )
        if agents else Paragraph(_("本月无客服数据。"), body),
        Paragraph(_("销售转化"), h2),
        table(
            [[_("询单人数"), _("成交人数"), _("询单转化率"), _("转化率目标"), _("客服促成销售额"), _("客单价"),
              _("静默销售额"), _("静默单"), _("催付"), _("催付成功")],
             [sales.totals["inquiring"], sales.totals["converted"], _pct(sales.totals["conversion_rate"]),
              _pct(conversion_target), _yuan(sales.totals["sales"]), _yuan(sales.totals["avg_order_value"]),
              _yuan(sales.silent["silent"]), sales.silent["silent_orders"], sales.totals["reminded"],
              sales.totals["reminders_paid"]]]
        ),
        table(
            [[_("工号"), _("姓名"), _("询单人数"), _("成交人数"), _("询单转化率"), _("销售额"), _("客单价")]]
            + [[a["code"], a["name"], a["inquiring"], a["converted"], _pct(a["conversion_rate"]), _yuan(a["sales"]),
                _yuan(a["avg_order_value"])] for a in sales.agents]
        )
        if sales.agents else Paragraph(_("本月无订单归因数据。"), body),
        Paragraph(_("每日明细"), h2),
        table(
            [[_("日期"), _("会话数"), _("计入轮次"), rate_name, _("平均响应(秒)"), _("5分钟未回复"), _("未接待")]]
            + [[f"{d['day']:%m-%d}", d["sessions"], d["counted_turns"], _pct(d["reply_rate"]), _sec(d["avg_response"]),
                d["nonreply"], d["unserved"]] for d in daily if d["counted_turns"] or d["sessions"]]
        ),
        Spacer(1, 4 * mm),
        Paragraph(_("生成时间：%(at)s（北京时间）。买家信息已脱敏。") % {"at": f"{datetime.now(SHANGHAI):%Y-%m-%d %H:%M}"}, body),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=f"{shop.name} {period.label}", author="agency")
    doc.build(story)
    return buffer.getvalue()
