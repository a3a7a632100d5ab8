"""The issued statement's documents: a PDF in Chinese (reportlab, CJK font embedded) and an XLSX workbook.

Both are made once, when the statement is issued, and stored with their SHA-256 (like a sent contract)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from io import BytesIO
from typing import Any

from reportlab.lib.units import mm

from clients.sales.documents import _build, _p, _styles, _table, _yuan

METRIC_LABELS = {
    "reply_rate": "回复率",
    "first_response_seconds": "首次响应（秒）",
    "qa_score": "质检分",
    "conversion_rate": "询单转化率",
}
STATUS_WORDS = {True: "未达标", False: "达标"}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def line_rows(statement) -> list[dict[str, Any]]:
    """The result's lines with the scenario's labels and kinds beside them (same order)."""
    labels = {line["code"]: line for line in statement.scenario.get("lines", [])}
    rows = []
    for line in statement.result.get("lines", []):
        source = labels.get(line["code"], {})
        rows.append({"code": line["code"], "label": source.get("label") or line["code"],
                     "kind": source.get("kind", "commission"), "amount": line["amount"]})
    return rows


def target_rows(statement) -> list[dict[str, Any]]:
    missed = set(statement.result.get("missed_targets", []))
    return [
        {"metric": t["metric"], "label": METRIC_LABELS.get(t["metric"], t["metric"]), "target": t["target"],
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
    s = _styles()
    font = s["body"].fontName
    contract = statement.contract
    result = statement.result
    story: list = [
        _p(f"客服外包服务对账单 {statement.number}", s["title"]),
        _p(f"委托方：{contract.merchant.name}　合同：{contract.number}　账期：{statement.month_label}　"
           f"版本：第 {statement.version} 版", s["body"]),
        _p("一、费用明细", s["h2"]),
    ]
    rows: list[list] = [["项目", "计费方式", "金额"]]
    kinds = {"monthly": "月费（按服务天数折算）", "daily": "按天", "per_session": "按会话阶梯",
             "commission": "销售提成（含保底）", "adjustment": "调整"}
    for line in line_rows(statement):
        rows.append([_p(line["label"], s["body"]), kinds.get(line["kind"], line["kind"]), _yuan(line["amount"])])
    story.append(_table(rows, [80 * mm, 50 * mm, 40 * mm], font))
    story.append(_p("二、服务指标", s["h2"]))
    rows = [["指标", "目标", "实际", "结果"]]
    for target in target_rows(statement):
        rows.append([target["label"], _figure(target["target"]), _figure(target["attained"]),
                     STATUS_WORDS[target["missed"]]])
    story.append(_table(rows, [60 * mm, 35 * mm, 35 * mm, 40 * mm], font))
    story.append(_p("三、合计", s["h2"]))
    rows = [
        ["服务费小计", _yuan(result["service_fees"])],
        ["销售提成", _yuan(result["commission"])],
        [f"服务抵扣（{result['credit_pct']}%，未达标 {len(result.get('missed_targets', []))} 项）",
         "-" + _yuan(result["credit"])],
        ["应付合计", _yuan(result["total"])],
    ]
    story.append(_table(rows, [110 * mm, 60 * mm], font, header=False))
    story.append(_p("抵扣仅针对服务费，不含销售提成；提成只计询单转化的订单（不含静默单），已扣除退款。", s["small"]))
    return _build(story, statement.number)


def statement_xlsx(statement) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.create_sheet("费用明细", 0)
    book.remove(book.worksheets[1])  # the workbook's default empty sheet
    sheet.append(["对账单号", statement.number])
    sheet.append(["合同", statement.contract.number])
    sheet.append(["账期", statement.month_label])
    sheet.append(["版本", statement.version])
    sheet.append([])
    sheet.append(["编码", "项目", "计费方式", "金额"])
    for line in line_rows(statement):
        sheet.append([line["code"], line["label"], line["kind"], float(line["amount"])])
    result = statement.result
    sheet.append([])
    for label, key in (("服务费小计", "service_fees"), ("销售提成", "commission"), ("服务抵扣", "credit"),
                       ("应付合计", "total")):
        sheet.append(["", label, "", float(result[key])])
    sheet.append(["", "抵扣比例(%)", "", float(result["credit_pct"])])
    targets = book.create_sheet("服务指标")
    targets.append(["指标", "目标", "实际", "方向", "未达标"])
    for target in target_rows(statement):
        targets.append([target["label"], target["target"], target["attained"], target["better"],
                        "是" if target["missed"] else "否"])
    evidence = book.create_sheet("依据")
    evidence.append(["指标", "日期", "店铺", "当日数值"])
    for metric, proof in statement.evidence.get("targets", {}).items():
        for day in proof.get("days", []):
            evidence.append([METRIC_LABELS.get(metric, metric), day.get("date"), day.get("shop"), day.get("value")])
    book.properties.created = book.properties.modified = datetime(2000, 1, 1)  # same content, same bytes
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
