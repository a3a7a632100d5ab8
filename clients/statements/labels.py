"""A statement's lines and targets named in the reader's language.

Each line of a statement's scenario keeps, beside its figures, a `label_code` and its `label_params` (the
service type and shift of a seat line, a surge's name, an amendment's number, the month a refund adjustment
is for, the note a manager typed on a dispute adjustment); pages and documents name the line here when they
are read, in the active language. The Chinese `label` a line was computed with stays in the scenario for the
issued documents, and is shown only for a line that has no code.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.sales.lines import SERVICE, SHIFT

METRICS = {
    "reply_rate": gettext_lazy("回复率"),
    "first_response_seconds": gettext_lazy("首次响应（秒）"),
    "qa_score": gettext_lazy("质检分"),
    "conversion_rate": gettext_lazy("询单转化率"),
}


def line_label(line: dict[str, Any]) -> str:
    """The line's name in the active language (its stored label, or its code, when it has no label code)."""
    code = line.get("label_code")
    params = line.get("label_params") or {}
    if code == "seat" and params.get("service_type") in SERVICE and params.get("shift") in SHIFT:
        return _("%(service)s · %(shift)s") % {"service": SERVICE[params["service_type"]], "shift": SHIFT[params["shift"]]}
    if code == "holiday":
        return _("法定节假日服务溢价")
    if code == "addon" and params.get("name"):
        return str(params["name"])  # the price book's add-on name: data
    if code == "surge":
        return _("大促临时席位 %(name)s") % {"name": params.get("name", "")}
    if code == "amendment":
        return _("补充协议 %(n)s") % {"n": params.get("number", "")}
    if code == "sessions":
        return _("按会话计费")
    if code == "commission":
        return _("销售提成")
    if code == "refund_adjustment":
        return _("%(month)s 退款调整") % {"month": params.get("month", "")}
    if code == "dispute_adjustment":
        return str(params.get("note") or _("异议调整"))  # the manager's note is data
    return str(line.get("label") or line.get("code") or "")


def credit_label() -> str:
    return _("服务抵扣")


def metric_label(metric: str) -> str:
    return str(METRICS[metric]) if metric in METRICS else metric


def disputable_label(statement_lines: list[dict[str, Any]], code: str) -> str:
    """The name of a disputed line (`credit` is the service credit), for the dispute list."""
    if code == "credit":
        return credit_label()
    for line in statement_lines:
        if line.get("code") == code:
            return line_label(line)
    return code
