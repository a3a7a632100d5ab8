"""PDF documents for quotes, contracts and amendments (reportlab, with the CJK font embedded).

Documents are built with `invariant=True`, so the same content always gives the same bytes; the
contract's bytes are nonetheless stored when it is sent, and signatures refer to their SHA-256.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, gettext_noop
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from agency.pdf import register_cjk_font
from clients.sales.lines import alternative_display, line_display, surge_display


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _styles() -> dict[str, ParagraphStyle]:
    font = register_cjk_font()
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12.5, leading=18, spaceBefore=8, spaceAfter=4),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=12, textColor=colors.HexColor("#555555")),
    }


def _table(rows: list[list], widths: list[float], font: str, header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")))
    table.setStyle(TableStyle(style))
    return table


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(escaped, style)


def _build(story: list, title: str) -> bytes:
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm,
        title=title, author="代运营管理系统", invariant=True,
    )
    doc.build(story)
    return buffer.getvalue()


def _yuan(value) -> str:
    return f"¥{Decimal(str(value)):,.2f}"


def quote_pdf(revision) -> bytes:
    """The quote as offered, in business terms (seats, hours, response target, price lines, surge seats,
    alternatives), written in the merchant's document language; the seats' derivation stays with the agency."""
    with translation.override(revision.quote.merchant.language):
        return _quote_pdf(revision)


def _quote_pdf(revision) -> bytes:
    s = _styles()
    font = s["body"].fontName
    quote = revision.quote
    engagement = quote.engagement
    story = [
        _p(gettext("客服外包服务报价单 %(number)s · 第 %(revision)s 版") % {
            "number": quote.number, "revision": revision.number}, s["title"]),
        _p(gettext("委托方：%(merchant)s　项目：%(title)s") % {
            "merchant": quote.merchant.name, "title": engagement.title}, s["body"]),
        _p(gettext("报价日期：%(date)s　有效期至：%(until)s　合同期：%(months)s 个月　计价平台：%(platform)s") % {
            "date": f"{revision.created_at:%Y-%m-%d}", "until": f"{revision.valid_until:%Y-%m-%d}",
            "months": revision.term_months, "platform": revision.get_platform_display()}, s["body"]),
        _p(gettext("一、服务承诺"), s["h2"]),
        _table([[gettext("项目"), gettext("内容")]] + [[k, str(v)] for k, v in business_rows(revision, translate=True)],
               [70 * mm, 100 * mm], font),
        _p(gettext("二、月度服务费"), s["h2"]),
    ]
    rows = [[gettext("项目"), gettext("数量"), gettext("单价"), gettext("金额"), gettext("说明")]]
    for line in map(line_display, revision.lines):
        rows.append([line["description"], str(line["quantity"]), _yuan(line["unit_price"]), _yuan(line["amount"]),
                     _p(line.get("note", ""), s["small"])])
    rows.append([gettext("月费合计"), "", "", _yuan(revision.monthly_total), ""])
    story.append(_table(rows, [48 * mm, 14 * mm, 26 * mm, 28 * mm, 58 * mm], font))
    if revision.surges:
        story.append(_p(gettext("三、大促临时席位（按活动窗口一次性计费）"), s["h2"]))
        rows = [[gettext("活动"), gettext("日期"), gettext("增加席位"), gettext("金额"), gettext("说明")]]
        for surge in map(surge_display, revision.surges):
            rows.append([surge["name"], f"{surge['start']} ~ {surge['end']}", str(surge["extra_seats"]),
                         _yuan(surge["amount"]), _p(surge.get("note", ""), s["small"])])
        story.append(_table(rows, [28 * mm, 48 * mm, 20 * mm, 28 * mm, 50 * mm], font))
    if revision.alternatives:
        story.append(_p(gettext("四、其他计费方式（可选）"), s["h2"]))
        rows = [[gettext("方式"), gettext("条款"), gettext("月费估算")]]
        for alt in map(alternative_display, revision.alternatives):
            estimate = _yuan(alt["monthly_estimate"]) if alt.get("monthly_estimate") else gettext("按实际成交")
            rows.append([alt["name"], _p(alt["terms"], s["small"]), estimate])
        story.append(_table(rows, [36 * mm, 100 * mm, 38 * mm], font))
    if revision.note:
        story += [_p(gettext("备注"), s["h2"]), _p(revision.note, s["body"])]
    story += [Spacer(1, 6 * mm), _p(gettext("本报价单经商家在线接受后生效，据此签订客服外包服务合同。"), s["small"])]
    return _build(story, f"{quote.number} v{revision.number}")


def business_rows(revision, *, translate: bool = False) -> list[tuple[str, object]]:
    """What the merchant buys, in business terms: seats, the hours they cover, the response target and the
    volume planned for. The staffing arithmetic behind the seats (`derivation_rows`) stays with the agency."""
    i = revision.inputs
    tr = gettext if translate else (lambda text: text)
    start, end = str(i.get("service_start") or ""), str(i.get("service_end") or "")
    return [
        (tr(gettext_noop("客服席位")), tr(gettext_noop("%(seats)s 席（售前 %(presale)s%%，售后 %(aftersale)s%%）")) % {
            "seats": revision.seats, "presale": i.get("presale_share", "—"),
            "aftersale": 100 - int(i["presale_share"]) if str(i.get("presale_share", "")).isdigit() else "—"}),
        (tr(gettext_noop("服务时间")), tr(gettext_noop("每天 %(start)s–%(end)s，含法定节假日与大促")) % {
            "start": start[:5], "end": end[:5]}),
        (tr(gettext_noop("响应目标")), tr(gettext_noop("%(pct)s%% 的咨询在 %(seconds)s 秒内回复")) % {
            "pct": i.get("service_level_pct"), "seconds": i.get("answer_seconds")}),
        (tr(gettext_noop("按日咨询量测算")), tr(gettext_noop("%(volume)s 次/天")) % {"volume": i.get("daily_volume")}),
    ]


def derivation_rows(revision, *, translate: bool = False) -> list[tuple[str, object]]:
    """How the seats were derived, as (label, value) rows. The PDF is a Chinese document and keeps the
    Chinese labels; the page passes translate=True so an English reader gets English labels."""
    i, d = revision.inputs, revision.derivation
    tr = gettext if translate else (lambda text: text)
    target = tr(gettext_noop("%(pct)s%% 在 %(seconds)s 秒内回复")) % {
        "pct": i.get("service_level_pct"), "seconds": i.get("answer_seconds")}
    return [
        (tr(gettext_noop("日咨询量")), i.get("daily_volume")),
        (tr(gettext_noop("高峰小时占比 / 高峰时段")), f"{i.get('peak_hour_share')} / {i.get('peak_hours') or '—'}"),
        (tr(gettext_noop("高峰小时咨询量")), i.get("peak_volume")),
        (tr(gettext_noop("平均处理时长 (秒)")), i.get("aht_seconds")),
        (tr(gettext_noop("并发接待数")), i.get("concurrency")),
        (tr(gettext_noop("响应目标")), target),
        (tr(gettext_noop("Erlang C 在线客服数")), d.get("raw_agents")),
        (tr(gettext_noop("测算服务水平 / 占用率")), f"{d.get('service_level')} / {d.get('occupancy')}"),
        (tr(gettext_noop("平均等待 (秒)")), d.get("asa_seconds")),
        (tr(gettext_noop("缺勤与休息率")), f"{i.get('shrinkage_pct')}%"),
        (tr(gettext_noop("排班席位数")), revision.seats),
        (tr(gettext_noop("服务时间")), f"{i.get('service_start')}–{i.get('service_end')}"),
    ]


def contract_pdf(contract) -> bytes:
    """The document the parties sign: the terms and an empty signature block naming both parties, in the
    contract's document language (the merchant's, fixed when the contract is sent)."""
    with translation.override(contract_language(contract)):
        s = _styles()
        story = _contract_terms(contract, s) + _signature_block(contract, {}, s)
        return _build(story, contract.number)


def signed_contract_pdf(contract, signatures) -> bytes:
    """The signed copy: the same terms, the signature block filled in (drawn signatures as images, typed
    ones as text) with each party's time, and a certificate page (who, when, from where, the SHA-256 of
    the document signed); in the language the contract was sent in."""
    with translation.override(contract_language(contract)):
        s = _styles()
        by_party = {sig.party: sig for sig in signatures}
        story = _contract_terms(contract, s) + _signature_block(contract, by_party, s)
        story += [PageBreak(), *_certificate(contract, signatures, s)]
        return _build(story, contract.number)


def contract_language(contract) -> str:
    """The language a contract is written in: fixed when it is sent; a draft follows its merchant."""
    return contract.language if contract.sent_at else contract.merchant.language


def agency_company() -> str:
    return settings.AGENCY_COMPANY_NAME


def _day(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _contract_terms(contract, s: dict[str, ParagraphStyle]) -> list:
    font = s["body"].fontName
    revision = contract.revision
    story = [
        _p(gettext("电商客服外包服务合同 %(number)s") % {"number": contract.number}, s["title"]),
        _p(gettext("委托方（甲方）：%(merchant)s") % {"merchant": contract.merchant.name}, s["body"]),
        _p(gettext("服务方（乙方）：%(agency)s") % {"agency": agency_company()}, s["body"]),
        _p(gettext("依据报价单 %(quote)s 第 %(revision)s 版（已由甲方接受）订立本合同。") % {
            "quote": revision.quote.number, "revision": revision.number}, s["body"]),
        _p(gettext("第一条 服务内容与期限"), s["h2"]),
        _p(gettext("乙方为甲方以下店铺提供在线客服服务：%(shops)s。服务期限自 %(start)s 至 %(end)s；每日服务时间 "
                   "%(from)s–%(to)s，含法定节假日与大促活动。") % {
            "shops": shop_list(contract), "start": _day(contract.start_date), "end": _day(contract.end_date),
            "from": revision.inputs.get("service_start"), "to": revision.inputs.get("service_end")}, s["body"]),
        _p(gettext("第二条 席位与费用"), s["h2"]),
        _p(gettext("乙方提供排班席位 %(seats)s 个；月服务费人民币 %(price)s（明细见报价单）。大促期间临时增加席位以补充协议约定。")
           % {"seats": contract.seats, "price": _yuan(contract.monthly_price)}, s["body"]),
        _p(gettext("第三条 服务水平（SLA）与服务抵扣"), s["h2"]),
        _table([
            [gettext("指标"), gettext("目标")],
            [gettext("回复率"), f"≥ {Decimal(contract.sla_reply_rate) * 100:.1f}%"],
            [gettext("首次响应时间"), "≤ " + gettext("%(seconds)s 秒") % {"seconds": contract.sla_first_response_seconds}],
            [gettext("质检平均分"), f"≥ {contract.sla_qa_score}"],
        ], [70 * mm, 100 * mm], font),
        Spacer(1, 2 * mm),
        _p(gettext("任一指标当月未达标，按当月服务费的 %(pct)s%% 抵扣，合计不超过 %(cap)s%%。指标以系统记录的会话数据计算。") % {
            "pct": contract.service_credit_pct, "cap": contract.service_credit_cap_pct}, s["body"]),
        _p(gettext("第四条 买家数据保密"), s["h2"]),
        _p(contract.confidentiality, s["body"]),
        _p(gettext("第五条 生效"), s["h2"]),
        _p(gettext("本合同以电子方式签署，双方签署后生效。签署记录包括签署人姓名、签署时间及所签文件的 SHA-256 摘要；"
                   "已签署文件不得修改，变更以补充协议方式进行。"), s["body"]),
    ]
    return story


PARTIES = (("merchant", gettext_noop("甲方（委托方）")), ("agency", gettext_noop("乙方（服务方）")))


def _signature_cell(sig, s: dict[str, ParagraphStyle]) -> list:
    """The signature itself: the drawn PNG scaled into the box, or the typed name set large."""
    if sig is None:
        return [Spacer(1, 16 * mm)]
    if sig.image:
        reader = ImageReader(BytesIO(bytes(sig.image)))
        width, height = reader.getSize()
        scale = min(60 * mm / width, 18 * mm / height)
        return [Image(BytesIO(bytes(sig.image)), width=width * scale, height=height * scale, hAlign="LEFT")]
    return [_p(sig.signer_name, ParagraphStyle("typed", parent=s["body"], fontSize=18, leading=24))]


def _signature_block(contract, by_party: dict, s: dict[str, ParagraphStyle]) -> list:
    font = s["body"].fontName
    companies = {"merchant": contract.merchant.name, "agency": agency_company()}
    columns = []
    for party, label in PARTIES:
        sig = by_party.get(party)
        company = (sig.signer_company if sig and sig.signer_company else companies[party])
        signed_at = f"{timezone.localtime(sig.signed_at):%Y-%m-%d %H:%M:%S}" if sig else gettext("____年__月__日")
        columns.append([
            _p(gettext(label), s["h2"]),
            _p(gettext("单位：%(company)s") % {"company": company}, s["body"]),
            _p(gettext("签署人：%(name)s") % {"name": sig.signer_name if sig else ""}, s["body"]),
            _p(gettext("职务：%(title)s") % {"title": sig.signer_title if sig else ""}, s["body"]),
            _p(gettext("签名："), s["body"]),
            *_signature_cell(sig, s),
            _p(gettext("签署时间：%(at)s") % {"at": signed_at}, s["body"]),
        ])
    table = Table([columns], colWidths=[87 * mm, 87 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("BOX", (0, 0), (-1, -1), 0.6, colors.HexColor("#888888")),
        ("LINEAFTER", (0, 0), (0, 0), 0.6, colors.HexColor("#888888")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return [Spacer(1, 6 * mm), _p(gettext("签署栏"), s["h2"]), KeepTogether([table])]


def _certificate(contract, signatures, s: dict[str, ParagraphStyle]) -> list:
    font = s["body"].fontName
    sent = (gettext("文件发送时间：%(at)s") % {"at": f"{timezone.localtime(contract.sent_at):%Y-%m-%d %H:%M:%S}"}
            if contract.sent_at else "")
    story = [
        _p(gettext("电子签署证书"), s["title"]),
        _p(gettext("合同编号：%(number)s") % {"number": contract.number}, s["body"]),
        _p(gettext("所签文件 SHA-256：%(sha)s") % {"sha": contract.pdf_sha256}, s["body"]),
        _p(sent, s["body"]),
        Spacer(1, 3 * mm),
    ]
    rows = [[gettext("签署方"), gettext("签署人"), gettext("职务 / 单位"), gettext("方式"), gettext("签署时间（北京时间）"),
             gettext("来源地址")]]
    labels = {party: gettext(label) for party, label in PARTIES}
    for sig in signatures:
        rows.append([
            labels.get(sig.party, sig.party),
            gettext("%(name)s\n（账号 %(username)s）") % {"name": sig.signer_name, "username": sig.signed_by.username},
            f"{sig.signer_title}\n{sig.signer_company}",
            gettext("手写签名") if sig.method == "drawn" else gettext("输入姓名"),
            f"{timezone.localtime(sig.signed_at):%Y-%m-%d %H:%M:%S}",
            sig.ip_address or "—",
        ])
    story.append(_table(rows, [24 * mm, 30 * mm, 40 * mm, 18 * mm, 36 * mm, 26 * mm], font))
    story.append(Spacer(1, 3 * mm))
    for sig in signatures:
        party = labels.get(sig.party, sig.party)
        story.append(_p(gettext("%(party)s签署的文件摘要：%(sha)s") % {"party": party, "sha": sig.pdf_sha256}, s["small"]))
        if sig.user_agent:
            story.append(_p(gettext("%(party)s浏览器：%(agent)s") % {"party": party, "agent": sig.user_agent}, s["small"]))
    story.append(Spacer(1, 3 * mm))
    story.append(_p(gettext("本证书由系统根据签署记录生成。各方签署的是发送时冻结的合同文件，其 SHA-256 摘要如上；"
                            "以同一算法计算所持文件的摘要即可核对文件未被改动。"), s["small"]))
    return story


def shop_list(contract) -> str:
    shops = list(contract.engagement.shops.all())
    return gettext("、").join(f"{shop.name}（{shop.get_platform_display()}）" for shop in shops) or gettext("（见附件）")


def amendment_pdf(*, contract, number: int, description: str, extra_seats: int, effective_from, effective_until,
                  price_change) -> bytes:
    s = _styles()
    story = [
        _p(f"补充协议 {contract.number}-A{number}", s["title"]),
        _p(f"本补充协议为合同 {contract.number}（甲方：{contract.merchant.name}）的组成部分。", s["body"]),
        _p("变更内容", s["h2"]),
        _p(description, s["body"]),
        _p(f"增加席位：{extra_seats} 个；生效期间：{effective_from:%Y-%m-%d} 至 {effective_until:%Y-%m-%d}；"
           f"费用变化：{_yuan(price_change)}。", s["body"]),
        _p("原合同其他条款不变。", s["body"]),
    ]
    return _build(story, f"{contract.number}-A{number}")
