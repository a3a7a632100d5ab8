"""The issued statement's documents: a PDF (reportlab, CJK font embedded) and an XLSX workbook, written in the
merchant's document language (`Merchant.language`), lines and targets named from their codes.

Both are made once, when the statement is issued, and stored with their SHA-256 (like a sent contract)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from io import BytesIO
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.units import mm

from clients.sales.documents import _build, _p, _styles, _table, _yuan
from clients.statements.labels import line_label, metric_label


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def line_rows(statement) -> list[dict[str, Any]]:
    """The result's lines with their names in the active language and their kinds beside them (same order)."""
    sources = {line["code"]: line for line in statement.scenario.get("lines", [])}
    rows = []
    for line in statement.result.get("lines", []):
        source = sources.get(line["code"], {"code": line["code"]})
        rows.append({"code": line["code"], "label": line_label(source),
                     "kind": source.get("kind", "commission"), "amount": line["amount"]})
    return rows


def target_rows(statement) -> list[dict[str, Any]]:
    missed = set(statement.result.get("missed_targets", []))
    return [
        {"metric": t["metric"], "label": metric_label(t["metric"]), "target": t["target"],
         "attained": t["attained"], "better": t["better"], "missed": t["metric"] in missed}
        for t in statement.scenario.get("targets", [])
    ]


def _figure(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value < 1.5:
        return f"{value:.3f}"
    return f"{value}"


def statement_pdf(statement) -> bytes:
    with translation.override(statement.merchant.language):
        return _statement_pdf(statement)


def statement_xlsx(statement) -> bytes:
    with translation.override(statement.merchant.language):
        return _statement_xlsx(statement)


def _kinds() -> dict[str, str]:
    return {"monthly": _("月费（按服务天数折算）"), "daily": _("按天"), "per_session": _("按会话阶梯"),
            "commission": _("销售提成（含保底）"), "adjustment": pgettext("对账单", "调整")}


def _statement_pdf(statement) -> bytes:
    s = _styles()
    font = s["body"].fontName
    contract = statement.contract
    result = statement.result
    story: list = [
        _p(_("客服外包服务对账单 %(number)s") % {"number": statement.number}, s["title"]),
        _p(_("委托方：%(merchant)s　合同：%(contract)s　账期：%(month)s　版本：第 %(version)s 版") % {
            "merchant": contract.merchant.name, "contract": contract.number, "month": statement.month_label,
            "version": statement.version}, s["body"]),
        _p(_("一、费用明细"), s["h2"]),
    ]
    rows: list[list] = [[_("项目"), _("计费方式"), _("金额")]]
    kinds = _kinds()
    for line in line_rows(statement):
        rows.append([_p(line["label"], s["body"]), kinds.get(line["kind"], line["kind"]), _yuan(line["amount"])])
    story.append(_table(rows, [80 * mm, 50 * mm, 40 * mm], font))
    story.append(_p(_("二、服务指标"), s["h2"]))
    rows = [[_("指标"), _("目标"), _("实际"), _("结果")]]
    for target in target_rows(statement):
        rows.append([target["label"], _figure(target["target"]), _figure(target["attained"]),
                     _("未达标") if target["missed"] else _("达标")])
    story.append(_table(rows, [60 * mm, 35 * mm, 35 * mm, 40 * mm], font))
    story.append(_p(_("三、合计"), s["h2"]))
    rows = [
        [_("服务费小计"), _yuan(result["service_fees"])],
        [_("销售提成"), _yuan(result["commission"])],
        [_("服务抵扣（%(pct)s%%，未达标 %(n)s 项）") % {"pct": result["credit_pct"],
                                                    "n": len(result.get("missed_targets", []))},
         "-" + _yuan(result["credit"])],
        [_("应付合计"), _yuan(result["total"])],
    ]
    story.append(_table(rows, [110 * mm, 60 * mm], font, header=False))
    story.append(_p(_("抵扣仅针对服务费，不含销售提成；提成只计询单转化的订单（不含静默单），已扣除退款。"), s["small"]))
    return _build(story, statement.number)


def _statement_xlsx(statement) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.create_sheet(_("费用明细"), 0)
    book.remove(book.worksheets[1])  # the workbook's default empty sheet
    sheet.append([_("对账单号"), statement.number])
    sheet.append([_("合同"), statement.contract.number])
    sheet.append([_("账期"), statement.month_label])
    sheet.append([_("版本"), statement.version])
    sheet.append([])
    sheet.append([_("编码"), _("项目"), _("计费方式"), _("金额")])
    kinds = _kinds()
    for line in line_rows(statement):
        sheet.append([line["code"], line["label"], kinds.get(line["kind"], line["kind"]), float(line["amount"])])
    result = statement.result
    sheet.append([])
    for label, key in ((_("服务费小计"), "service_fees"), (_("销售提成"), "commission"), (_("服务抵扣"), "credit"),
                       (_("应付合计"), "total")):
        sheet.append(["", label, "", float(result[key])])
    sheet.append(["", _("抵扣比例(%)"), "", float(result["credit_pct"])])
    targets = book.create_sheet(_("服务指标"))
    targets.append([_("指标"), _("目标"), _("实际"), _("方向"), _("未达标")])
    better = {"higher": _("越高越好"), "lower": _("越低越好")}
    for target in target_rows(statement):
        targets.append([target["label"], target["target"], target["attained"],
                        better.get(target["better"], target["better"]), _("是") if target["missed"] else _("否")])
    evidence = book.create_sheet(_("依据"))
    evidence.append([_("指标"), _("日期"), _("店铺"), _("当日数值")])
    for metric, proof in statement.evidence.get("targets", {}).items():
        for day in proof.get("days", []):
            evidence.append([metric_label(metric), day.get("date"), day.get("shop"), day.get("value")])
    book.properties.created = book.properties.modified = datetime(2000, 1, 1)  # same content, same bytes
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
