"""The engagement log's system steps, rendered in the reader's language.

A step is stored as an event code with its parameters (numbers, stage codes, party codes, field names),
never as a sentence, so the manager reading in English and the merchant reading in Chinese each see it in
their own language. Notes keep what a person wrote.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

EVENTS: dict[str, Any] = {
    "engagement.created": gettext_lazy("新建业务咨询：%(title)s"),
    "consultation.updated": gettext_lazy("更新咨询信息：%(fields)s"),
    "next_step": gettext_lazy("下一步：%(next_step)s（%(due)s）"),
    "stage.changed": gettext_lazy("阶段：%(from)s → %(to)s"),
    "quote.created": gettext_lazy("新建报价 %(number)s：%(seats)s 席，月费 ¥%(monthly)s"),
    "quote.revised": gettext_lazy("报价 %(number)s 第 %(revision)s 版：%(seats)s 席，月费 ¥%(monthly)s"),
    "quote.sent": gettext_lazy("报价 %(number)s 第 %(revision)s 版已发送给商家"),
    "quote.accepted": gettext_lazy("商家接受报价 %(number)s 第 %(revision)s 版"),
    "quote.declined": gettext_lazy("商家拒绝报价 %(number)s 第 %(revision)s 版"),
    "contract.drafted": gettext_lazy("生成合同草稿 %(number)s（%(seats)s 席，月费 ¥%(monthly)s）"),
    "contract.sent": gettext_lazy("合同 %(number)s 已发出待签署（SHA-256 %(sha)s…）"),
    "contract.signed": gettext_lazy("%(party)s %(signer)s 签署合同 %(number)s"),
    "contract.active": gettext_lazy("合同 %(number)s 生效"),
    "amendment.created": gettext_lazy("补充协议 %(amendment)s：增加 %(seats)s 席（%(start)s~%(end)s）"),
    # Causes of an automatic stage change.
    "quote": gettext_lazy("报价 %(number)s"),
    "quote.accepted.short": gettext_lazy("报价 %(number)s 已接受"),
}


def _labels(params: dict[str, Any]) -> dict[str, Any]:
    from django.apps import apps

    # By the app registry, not imports: the engagement models render their activity lines through this
    # module, and the sales models import the engagement models (an import would close a cycle).
    Engagement = apps.get_model("clients", "Engagement")
    ContractSignature = apps.get_model("clients", "ContractSignature")

    values = dict(params)
    for key in ("from", "to"):
        if key in values and values[key] in Engagement.Stage.values:
            values[key] = Engagement.Stage(values[key]).label
    if "party" in values and values["party"] in ContractSignature.Party.values:
        values["party"] = ContractSignature.Party(values["party"]).label
    if "fields" in values and isinstance(values["fields"], list):
        names = {f.name: f.verbose_name for f in Engagement._meta.get_fields() if hasattr(f, "verbose_name")}
        names["seasonal_peaks"] = Engagement._meta.get_field("seasonal_peaks").verbose_name
        values["fields"] = _("、").join(str(names.get(name, name)) for name in values["fields"])
    return values


def activity_message(event: str, params: dict[str, Any], text: str) -> str:
    """The log line: a note as written; a system step from its code, plus the note that came with it."""
    template = EVENTS.get(event)
    if template is None:
        return text
    try:
        line = str(template) % _labels(params or {})
    except (KeyError, TypeError, ValueError):
        return text
    note = (params or {}).get("note") or ""
    cause = (params or {}).get("cause")
    if isinstance(cause, dict):
        note = activity_message(str(cause.get("event", "")), cause.get("params") or {}, "")
    return _("%(line)s。%(note)s") % {"line": line, "note": note} if note else line
