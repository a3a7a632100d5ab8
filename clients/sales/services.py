"""Writes of the commercial lifecycle: quotes and their revisions, contracts (the consultation and stage
changes are in `clients.engagements.services`).

Every refusal raises `BusinessRuleError` (or `StaleRevision`) with a sentence that says why, before
anything is written; writes that touch several rows are atomic.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image as PILImage

from agency.models import User
from agency.services import audit_record
from clients.engagements.models import Engagement, EngagementActivity
from clients.engagements.services import engagement_advance, engagement_log
from clients.sales import documents, pricing
from clients.sales.errors import BusinessRuleError, StaleRevision
from clients.sales.holidays import holiday_days_per_month
from clients.sales.models import (
    Contract,
    ContractAmendment,
    ContractSignature,
    PriceBook,
    Quote,
    QuoteDecision,
    QuoteRevision,
)
from clients.sales.seats import SeatRequest, estimate_seats

# The platform's response target (seconds) for the staffing model: domain.md's defaults.
PLATFORM_ANSWER_SECONDS = {"pdd": 180, "douyin": 180, "jd": 30, "taobao": 180, "tmall": 180}
DEFAULT_SERVICE_LEVEL = 0.8
DEFAULT_SHRINKAGE = 0.25
DEFAULT_MAX_OCCUPANCY = 0.85
DEFAULT_CONFIDENTIALITY = (
    "乙方及其客服人员对在服务中接触的买家姓名、电话、地址、订单及聊天记录等个人信息负有保密义务，"
    "仅为完成本合同服务之目的在平台内使用，不得复制、导出、留存或向任何第三方披露；"
    "合同终止后乙方应在 7 日内删除其持有的全部买家数据。违反本条造成甲方损失的，乙方承担赔偿责任。"
)


def _today() -> date:
    return timezone.localdate()


# ---------------------------------------------------------------- quotes


def price_book_for(*, on: date) -> PriceBook | None:
    return PriceBook.objects.filter(valid_from__lte=on, valid_until__gte=on).order_by("-valid_from").first()


def _check_price_book(price_book: PriceBook, on: date) -> None:
    if price_book.valid_until < on:
        raise BusinessRuleError(
            _("价格表“%(price_book_name)s”已于 %(price_book_valid_until)s 失效，请使用有效的价格表") % {"price_book_name": price_book.name, "price_book_valid_until": format(price_book.valid_until, '%Y-%m-%d')}, field="price_book"
        )
    if price_book.valid_from > on:
        raise BusinessRuleError(
            _("价格表“%(price_book_name)s”自 %(price_book_valid_from)s 起才生效") % {"price_book_name": price_book.name, "price_book_valid_from": format(price_book.valid_from, '%Y-%m-%d')}, field="price_book"
        )


def _estimate(engagement: Engagement, *, platform: str, volume_multiplier: float, aht: int, concurrency: int,
              shrinkage: float, service_level: float) -> tuple[dict, dict]:
    peak_volume = engagement.daily_volume * float(engagement.peak_hour_share) * volume_multiplier
    request = SeatRequest(
        volume=peak_volume, interval_minutes=60, aht_seconds=aht,
        answer_seconds=PLATFORM_ANSWER_SECONDS.get(platform, 180), service_level=service_level,
        max_occupancy=DEFAULT_MAX_OCCUPANCY, shrinkage=shrinkage, concurrency=concurrency,
    )
    try:
        estimate = estimate_seats(request)
    except RuntimeError as exc:
        raise BusinessRuleError(_("排班测算模块尚未安装，暂时无法计算席位")) from exc
    except ValueError as exc:
        raise BusinessRuleError(_("无法测算席位：%(exc)s") % {"exc": exc}) from exc
    return asdict(request), asdict(estimate)


def _build_revision_content(
    *, engagement: Engagement, price_book: PriceBook, platform: str, addon_codes: list[str], aht: int,
    concurrency: int, shrinkage: float, service_level: float,
) -> dict:
    if engagement.daily_volume <= 0:
        raise BusinessRuleError(_("咨询信息缺少日咨询量，无法测算席位"), field="daily_volume")
    request, estimate = _estimate(engagement, platform=platform, volume_multiplier=1, aht=aht,
                                  concurrency=concurrency, shrinkage=shrinkage, service_level=service_level)
    seats = max(1, int(estimate["agents"]))
    rates = {(r.service_type, r.shift): r.monthly_rate for r in price_book.rates.filter(platform=platform)}
    addons_by_code = {a.code: a for a in price_book.addons.all()}
    wanted = list(dict.fromkeys(addon_codes))
    for language in engagement.language_list:  # a language other than Chinese brings its add-on along
        wanted += [a.code for a in addons_by_code.values() if a.language == language and a.code not in wanted]
    missing = [code for code in wanted if code not in addons_by_code]
    if missing:
        raise BusinessRuleError(_("价格表中没有附加服务：%(join_missing)s") % {"join_missing": ', '.join(missing)}, field="addons")
    surges = []
    for peak in engagement.seasonal_peaks or []:
        _request, surge_estimate = _estimate(engagement, platform=platform, volume_multiplier=float(peak["multiplier"]),
                                      aht=aht, concurrency=concurrency, shrinkage=shrinkage,
                                      service_level=service_level)
        surges.append(pricing.SurgeWindow(
            name=peak["name"], start=date.fromisoformat(peak["start"]), end=date.fromisoformat(peak["end"]),
            extra_seats=max(0, int(surge_estimate["agents"]) - seats),
        ))
    data = pricing.PricingInput(
        seats=seats, presale_pct=engagement.presale_share, service_start=engagement.service_start,
        service_end=engagement.service_end, rates=rates, night_premium_pct=price_book.night_premium_pct,
        holiday_premium_pct=price_book.holiday_premium_pct, surge_premium_pct=price_book.surge_premium_pct,
        holiday_days_per_month=holiday_days_per_month(_today().year), daily_volume=engagement.daily_volume,
        addons=[pricing.AddOn(a.code, a.name, a.unit, a.price) for a in (addons_by_code[c] for c in wanted)],
        alternatives=[pricing.Alternative(a.kind, a.get_kind_display(), a.rate, a.minimum_monthly)
                      for a in price_book.alternatives.all()],
        surges=surges,
    )
    try:
        result = pricing.price_quote(data)
    except pricing.MissingRate as exc:
        raise BusinessRuleError(_("%(exc)s（平台：%(platform)s）") % {"exc": exc, "platform": platform}, field="platform") from exc
    inputs = {
        "daily_volume": engagement.daily_volume, "peak_hour_share": str(engagement.peak_hour_share),
        "peak_hours": engagement.peak_hours, "peak_volume": round(request["volume"], 1),
        "interval_minutes": request["interval_minutes"], "aht_seconds": aht, "concurrency": concurrency,
        "answer_seconds": request["answer_seconds"], "service_level_pct": round(service_level * 100),
        "shrinkage_pct": round(shrinkage * 100), "max_occupancy_pct": round(DEFAULT_MAX_OCCUPANCY * 100),
        "service_start": engagement.service_start.strftime("%H:%M"),
        "service_end": engagement.service_end.strftime("%H:%M"), "presale_share": engagement.presale_share,
        "languages": engagement.language_list, "addons": wanted,
        "shifts": pricing.shifts_for_window(engagement.service_start, engagement.service_end),
        "holiday_days_per_month": str(data.holiday_days_per_month),
    }
    derivation = {
        "raw_agents": estimate["raw_agents"], "agents": estimate["agents"],
        "service_level": round(estimate["service_level"], 3), "occupancy": round(estimate["occupancy"], 3),
        "waiting_probability": round(estimate["waiting_probability"], 3),
        "asa_seconds": round(estimate["asa_seconds"], 1), "method": estimate["method"],
    }
    return {
        "inputs": inputs, "derivation": derivation, "seats": seats, "lines": result.lines,
        "surges": result.surges, "alternatives": result.alternatives, "monthly_total": result.monthly_total,
    }


def _check_terms(valid_until: date, term_months: int, service_level: float, shrinkage: float) -> None:
    if valid_until < _today():
        raise BusinessRuleError(_("报价有效期不能早于今天"), field="valid_until")
    if not 1 <= term_months <= 60:
        raise BusinessRuleError(_("合同期应为 1 到 60 个月"), field="term_months")
    if not 0.5 <= service_level < 1:
        raise BusinessRuleError(_("服务水平目标应在 50% 到 99% 之间"), field="service_level")
    if not 0 <= shrinkage < 0.6:
        raise BusinessRuleError(_("缺勤与休息率应在 0 到 60% 之间"), field="shrinkage")


def _new_revision(*, quote: Quote, number: int, engagement: Engagement, price_book: PriceBook, platform: str,
                  valid_until: date, term_months: int, addon_codes: list[str], aht_seconds: int | None,
                  concurrency: int | None, shrinkage: float, service_level: float, note: str,
                  by: User) -> QuoteRevision:
    content = _build_revision_content(
        engagement=engagement, price_book=price_book, platform=platform, addon_codes=addon_codes,
        aht=aht_seconds or engagement.avg_handle_seconds, concurrency=concurrency or engagement.concurrency,
        shrinkage=shrinkage, service_level=service_level,
    )
    return QuoteRevision.objects.create(
        quote=quote, number=number, price_book=price_book, platform=platform, valid_until=valid_until,
        term_months=term_months, note=note, created_by=by, **content,
    )


def _quote_platform(engagement: Engagement, platform: str | None) -> str:
    platforms = sorted({shop.platform for shop in engagement.shops.all()})
    if platform:
        if platforms and platform not in platforms:
            raise BusinessRuleError(_("项目的店铺不在平台 %(platform)s 上") % {"platform": platform}, field="platform")
        return platform
    if not platforms:
        raise BusinessRuleError(_("项目还没有店铺，请先选择店铺或指定计价平台"), field="platform")
    # The strictest response target decides the seats; price on that platform.
    return min(platforms, key=lambda p: (PLATFORM_ANSWER_SECONDS.get(p, 180), p))


@transaction.atomic
def quote_create(
    *, engagement: Engagement, by: User, price_book: PriceBook | None = None, platform: str | None = None,
    valid_until: date | None = None, term_months: int = 12, addon_codes: list[str] | None = None,
    aht_seconds: int | None = None, concurrency: int | None = None, shrinkage: float = DEFAULT_SHRINKAGE,
    service_level: float = DEFAULT_SERVICE_LEVEL, note: str = "",
) -> Quote:
    """A new quote (revision 1) from the engagement's consultation and a price book valid today."""
    today = _today()
    if engagement.stage not in (Engagement.Stage.CONSULTATION, Engagement.Stage.QUOTING):
        raise BusinessRuleError(_("项目处于“%(display)s”阶段，不能再新建报价") % {"display": engagement.get_stage_display()})
    if price_book is None:
        price_book = price_book_for(on=today)
        if price_book is None:
            raise BusinessRuleError(_("今天没有有效的价格表，请先维护价格表"), field="price_book")
    _check_price_book(price_book, today)
    valid_until = valid_until or min(today + timedelta(days=30), price_book.valid_until)
    _check_terms(valid_until, term_months, service_level, shrinkage)
    platform = _quote_platform(engagement, platform)
    quote = Quote.objects.create(
        engagement=engagement, merchant_id=engagement.merchant_id, number=f"tmp-{timezone.now().timestamp()}",
        current_revision=1, created_by=by,
    )
    quote.number = f"Q{today:%Y}-{quote.pk:05d}"
    quote.save(update_fields=["number"])
    revision = _new_revision(
        quote=quote, number=1, engagement=engagement, price_book=price_book, platform=platform,
        valid_until=valid_until, term_months=term_months, addon_codes=addon_codes or [], aht_seconds=aht_seconds,
        concurrency=concurrency, shrinkage=shrinkage, service_level=service_level, note=note, by=by,
    )
    engagement_log(engagement=engagement, by=by, kind=EngagementActivity.Kind.QUOTE,
         event="quote.created",
                   params={"number": quote.number, "seats": revision.seats, "monthly": str(revision.monthly_total)})
    engagement_advance(engagement=engagement, to=Engagement.Stage.QUOTING, by=by,
                       cause={"event": "quote", "params": {"number": quote.number}})
    audit_record(actor=by, verb="quote.create", target=quote, merchant_id=quote.merchant_id)
    return quote


@transaction.atomic
def quote_revise(
    *, quote: Quote, base_revision: int, by: User, price_book: PriceBook | None = None, platform: str | None = None,
    valid_until: date | None = None, term_months: int | None = None, addon_codes: list[str] | None = None,
    aht_seconds: int | None = None, concurrency: int | None = None, shrinkage: float | None = None,
    service_level: float | None = None, note: str | None = None,
) -> QuoteRevision:
    """A new immutable revision on top of `base_revision`, which must still be the latest: when another
    manager revised the quote meanwhile, this is refused (`StaleRevision`) instead of overwriting."""
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.current_revision != base_revision:
        latest = quote.revisions.get(number=quote.current_revision)
        who = latest.created_by or "—"
        raise StaleRevision(
            _("报价单 %(quote_number)s 已被 %(who)s 于 %(at)s 修改为第 %(quote_current_revision)s 版，您的修改基于第 %(base_revision)s 版。请打开最新版本后再修改。") % {"quote_number": quote.number, "who": who, "at": format(timezone.localtime(latest.created_at), '%H:%M:%S'), "quote_current_revision": quote.current_revision, "base_revision": base_revision}
        )
    if quote.status == Quote.Status.ACCEPTED:
        raise BusinessRuleError(_("报价单 %(quote_number)s 已被商家接受，不能再修改；变更请签订补充协议") % {"quote_number": quote.number})
    today = _today()
    base = quote.revisions.select_related("price_book").get(number=base_revision)
    price_book = price_book or base.price_book
    _check_price_book(price_book, today)
    inputs = base.inputs
    valid_until = valid_until or (base.valid_until if base.valid_until >= today
                                  else min(today + timedelta(days=30), price_book.valid_until))
    term_months = term_months or base.term_months
    shrinkage = shrinkage if shrinkage is not None else inputs.get("shrinkage_pct", 25) / 100
    service_level = service_level if service_level is not None else inputs.get("service_level_pct", 80) / 100
    _check_terms(valid_until, term_months, service_level, shrinkage)
    engagement = quote.engagement
    revision = _new_revision(
        quote=quote, number=base_revision + 1, engagement=engagement, price_book=price_book,
        platform=_quote_platform(engagement, platform or base.platform), valid_until=valid_until,
        term_months=term_months, addon_codes=addon_codes if addon_codes is not None else inputs.get("addons", []),
        aht_seconds=aht_seconds or inputs.get("aht_seconds"), concurrency=concurrency or inputs.get("concurrency"),
        shrinkage=shrinkage, service_level=service_level, note=note if note is not None else base.note, by=by,
    )
    quote.current_revision = revision.number
    quote.status = Quote.Status.DRAFT  # a changed offer goes back to the manager before the merchant sees it
    quote.save(update_fields=["current_revision", "status", "updated_at"])
    engagement_log(engagement=engagement, by=by, kind=EngagementActivity.Kind.QUOTE,
         event="quote.revised",
                   params={"number": quote.number, "revision": revision.number, "seats": revision.seats,
                           "monthly": str(revision.monthly_total)})
    audit_record(actor=by, verb="quote.revise", target=quote, merchant_id=quote.merchant_id,
                 data={"revision": revision.number})
    return revision


@transaction.atomic
def quote_send(*, quote: Quote, revision: int, by: User) -> Quote:
    """Offer the latest revision to the merchant (it then appears in their portal)."""
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.current_revision != revision:
        raise StaleRevision(_("第 %(revision)s 版已不是最新版本（最新为第 %(quote_current_revision)s 版）") % {"revision": revision, "quote_current_revision": quote.current_revision})
    if quote.status != Quote.Status.DRAFT:
        raise BusinessRuleError(_("报价单 %(quote_number)s 当前为“%(quote_get_status_display)s”，不能发送") % {"quote_number": quote.number, "quote_get_status_display": quote.get_status_display()})
    latest = quote.revisions.get(number=revision)
    if latest.valid_until < _today():
        raise BusinessRuleError(_("第 %(revision)s 版已于 %(latest_valid_until)s 过期，请修改后再发送") % {"revision": revision, "latest_valid_until": format(latest.valid_until, '%Y-%m-%d')})
    quote.status = Quote.Status.SENT
    quote.save(update_fields=["status", "updated_at"])
    engagement_log(engagement=quote.engagement, by=by, kind=EngagementActivity.Kind.QUOTE,
         event="quote.sent",
                   params={"number": quote.number, "revision": revision})
    return quote


def _decide(*, quote: Quote, revision_number: int, by: User, accepted: bool, note: str) -> QuoteDecision:
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    try:
        revision = quote.revisions.get(number=revision_number)
    except QuoteRevision.DoesNotExist:
        raise BusinessRuleError(_("报价单 %(quote_number)s 没有第 %(revision_number)s 版") % {"quote_number": quote.number, "revision_number": revision_number}) from None
    if by.role == "merchant" and by.merchant_id != quote.merchant_id:
        raise BusinessRuleError(_("只有该商家的账号可以答复此报价"))
    if QuoteDecision.objects.filter(revision=revision).exists():
        decision = revision.decision
        raise BusinessRuleError(
            _("第 %(revision_number)s 版已于 %(at)s %(decision)s，不能重复答复") % {"revision_number": revision_number, "at": format(timezone.localtime(decision.at), '%Y-%m-%d %H:%M'), "decision": _("接受") if decision.accepted else _("拒绝")}
        )
    if revision_number != quote.current_revision:
        raise BusinessRuleError(
            _("第 %(revision_number)s 版已被第 %(quote_current_revision)s 版取代，请查看并答复最新版本") % {"revision_number": revision_number, "quote_current_revision": quote.current_revision}
        )
    if quote.status != Quote.Status.SENT:
        raise BusinessRuleError(_("报价单当前为“%(quote_get_status_display)s”，不能答复") % {"quote_get_status_display": quote.get_status_display()})
    if revision.valid_until < _today():
        raise BusinessRuleError(
            _("第 %(revision_number)s 版已于 %(revision_valid_until)s 过期，请联系客户经理重新报价") % {"revision_number": revision_number, "revision_valid_until": format(revision.valid_until, '%Y-%m-%d')}
        )
    decision = QuoteDecision.objects.create(revision=revision, accepted=accepted, by=by, note=note)
    quote.status = Quote.Status.ACCEPTED if accepted else Quote.Status.DECLINED
    quote.save(update_fields=["status", "updated_at"])
    engagement_log(engagement=quote.engagement, by=by, kind=EngagementActivity.Kind.QUOTE,
                   event="quote.accepted" if accepted else "quote.declined",
                   params={"number": quote.number, "revision": revision_number, "note": note})
    audit_record(actor=by, verb="quote.accept" if accepted else "quote.decline", target=quote,
                 merchant_id=quote.merchant_id, data={"revision": revision_number})
    return decision


@transaction.atomic
def quote_accept(*, quote: Quote, revision: int, by: User, note: str = "") -> QuoteDecision:
    """The merchant accepts one revision: it must be the latest, sent, unexpired and undecided."""
    decision = _decide(quote=quote, revision_number=revision, by=by, accepted=True, note=note)
    engagement_advance(engagement=quote.engagement, to=Engagement.Stage.CONTRACTING, by=by,
                           cause={"event": "quote.accepted.short", "params": {"number": quote.number}})
    return decision


@transaction.atomic
def quote_decline(*, quote: Quote, revision: int, by: User, note: str = "") -> QuoteDecision:
    return _decide(quote=quote, revision_number=revision, by=by, accepted=False, note=note)


# ---------------------------------------------------------------- contracts


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in range(day.day, 0, -1):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@transaction.atomic
def contract_create(
    *, quote: Quote, by: User, start_date: date, sla_reply_rate: Decimal = Decimal("0.95"),
    sla_first_response_seconds: int | None = None, sla_qa_score: Decimal = Decimal(90),
    service_credit_pct: Decimal = Decimal(5), service_credit_cap_pct: Decimal = Decimal(15),
    confidentiality: str = DEFAULT_CONFIDENTIALITY, buyer_data_retention_days: int = 180,
) -> Contract:
    """A draft contract from the quote's accepted revision: price, term and seats come from it.
    `buyer_data_retention_days`: how long after a session ends its buyer's messages and id are kept (PIPL)."""
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status != Quote.Status.ACCEPTED:
        raise BusinessRuleError(_("报价单 %(quote_number)s 尚未被商家接受，不能生成合同") % {"quote_number": quote.number})
    revision = quote.revisions.get(number=quote.current_revision)
    if Contract.objects.filter(revision=revision).exists():
        raise BusinessRuleError(_("报价单 %(quote_number)s 第 %(revision_number)s 版已生成合同 %(revision_contract_number)s") % {"quote_number": quote.number, "revision_number": revision.number, "revision_contract_number": revision.contract.number})
    if not 0 < Decimal(str(sla_reply_rate)) <= 1:
        raise BusinessRuleError(_("回复率目标应在 0 到 1 之间"), field="sla_reply_rate")
    if not 0 <= Decimal(str(sla_qa_score)) <= 100:
        raise BusinessRuleError(_("质检分目标应在 0 到 100 之间"), field="sla_qa_score")
    if not confidentiality.strip():
        raise BusinessRuleError(_("合同必须包含买家数据保密条款"), field="confidentiality")
    if not 1 <= buyer_data_retention_days <= 3650:
        raise BusinessRuleError(_("买家数据保留天数应在 1 到 3650 之间"), field="buyer_data_retention_days")
    end_date = _add_months(start_date, revision.term_months) - timedelta(days=1)
    contract = Contract(
        engagement=quote.engagement, merchant_id=quote.merchant_id, revision=revision, number="tmp",
        start_date=start_date, end_date=end_date, seats=revision.seats, monthly_price=revision.monthly_total,
        sla_reply_rate=sla_reply_rate,
        sla_first_response_seconds=sla_first_response_seconds or revision.inputs.get("answer_seconds", 180),
        sla_qa_score=sla_qa_score, service_credit_pct=service_credit_pct,
        service_credit_cap_pct=service_credit_cap_pct, confidentiality=confidentiality, created_by=by,
        buyer_data_retention_days=buyer_data_retention_days,
    )
    contract.number = f"tmp-{timezone.now().timestamp()}"
    contract.full_clean(exclude=["pdf"])
    contract.save()
    contract.number = f"C{start_date:%Y}-{contract.pk:05d}"
    contract.save(update_fields=["number"])
    engagement_log(engagement=quote.engagement, by=by, kind=EngagementActivity.Kind.CONTRACT,
         event="contract.drafted",
                   params={"number": contract.number, "seats": contract.seats, "monthly": str(contract.monthly_price)})
    audit_record(actor=by, verb="contract.create", target=contract, merchant_id=contract.merchant_id)
    return contract


@transaction.atomic
def contract_send(*, contract: Contract, by: User) -> Contract:
    """Freeze the contract: render its PDF, store the exact bytes and their SHA-256, and offer it for signing."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != Contract.Status.DRAFT:
        raise BusinessRuleError(_("合同 %(contract_number)s 已发送，文件不能再改变") % {"contract_number": contract.number})
    contract.language = contract.merchant.language  # the document is written, and stays, in this language
    data = documents.contract_pdf(contract)
    contract.pdf = data
    contract.pdf_sha256 = documents.sha256(data)
    contract.status = Contract.Status.SENT
    contract.sent_at = timezone.now()
    contract.save(update_fields=["language", "pdf", "pdf_sha256", "status", "sent_at"])
    engagement_log(engagement=contract.engagement, by=by, kind=EngagementActivity.Kind.CONTRACT,
         event="contract.sent",
                   params={"number": contract.number, "sha": contract.pdf_sha256[:12]})
    return contract


MAX_SIGNATURE_BYTES = 300_000
MAX_SIGNATURE_SIDE = 2000


def signature_png_check(data: bytes) -> bytes:
    """A drawn signature must be a real PNG of sane size; returns it unchanged or refuses with the reason."""
    if len(data) > MAX_SIGNATURE_BYTES:
        raise BusinessRuleError(_("手写签名图片过大（最多 300 KB），请清除后重签"), field="signature_png")
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise BusinessRuleError(_("手写签名须为 PNG 图片"), field="signature_png")
    try:
        with PILImage.open(BytesIO(data)) as image:
            image.verify()
            width, height = image.size
    except (OSError, SyntaxError, ValueError) as exc:
        raise BusinessRuleError(_("手写签名图片无法读取，请清除后重签"), field="signature_png") from exc
    if not (0 < width <= MAX_SIGNATURE_SIDE and 0 < height <= MAX_SIGNATURE_SIDE):
        raise BusinessRuleError(_("手写签名图片尺寸不合理，请清除后重签"), field="signature_png")
    return data


@transaction.atomic
def contract_sign(
    *, contract: Contract, by: User, signer_name: str, document_sha256: str, signer_title: str = "",
    signer_company: str = "", signature_png: bytes | None = None, ip_address: str | None = None,
    user_agent: str = "",
) -> ContractSignature:
    """One party signs the exact document it was shown (`document_sha256` must match the stored PDF), with
    its name, title and company, typed or with a drawn signature (a PNG), recording where it signed from.
    When both parties have signed, the contract is active and the engagement moves to handover."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if by.role == "merchant":
        if by.merchant_id != contract.merchant_id:
            raise BusinessRuleError(_("只有该商家的账号可以签署此合同"))
        party = ContractSignature.Party.MERCHANT
    elif by.is_manager:
        party = ContractSignature.Party.AGENCY
    else:
        raise BusinessRuleError(_("只有机构经理或商家可以签署合同"))
    existing = contract.signatures.filter(party=party).first()
    if existing:
        raise BusinessRuleError(
            _("%(display)s已由 %(existing_signer_name)s 于 %(at)s 签署，不能重复签署") % {"display": existing.get_party_display(), "existing_signer_name": existing.signer_name, "at": format(timezone.localtime(existing.signed_at), '%Y-%m-%d %H:%M')}
        )
    if contract.status != Contract.Status.SENT:
        raise BusinessRuleError(_("合同 %(contract_number)s 当前为“%(display)s”，不能签署") % {"contract_number": contract.number, "display": contract.get_status_display()})
    signer_name = signer_name.strip()
    if not signer_name:
        raise BusinessRuleError(_("请填写签署人姓名"), field="signer_name")
    assert contract.pdf is not None  # stored by contract_send, and only a sent contract gets here
    actual = documents.sha256(bytes(contract.pdf))
    if actual != contract.pdf_sha256:
        raise BusinessRuleError(_("合同文件与发送时的摘要不一致，不能签署；请联系客户经理"))
    if document_sha256 != actual:
        raise BusinessRuleError(_("您签署的文件摘要与当前合同文件不一致，请重新打开合同后再签署"), field="document_sha256")
    image = signature_png_check(signature_png) if signature_png else None
    company_default = contract.merchant.name if party == ContractSignature.Party.MERCHANT else documents.agency_company()
    signature = ContractSignature.objects.create(
        contract=contract, party=party, signer_name=signer_name, signed_by=by, pdf_sha256=actual,
        signer_title=signer_title.strip()[:100], signer_company=(signer_company.strip() or company_default)[:200],
        method=ContractSignature.Method.DRAWN if image else ContractSignature.Method.TYPED, image=image,
        ip_address=ip_address, user_agent=user_agent[:300],
    )
    engagement_log(engagement=contract.engagement, by=by, kind=EngagementActivity.Kind.CONTRACT,
         event="contract.signed",
                   params={"party": signature.party, "signer": signer_name, "number": contract.number})
    audit_record(actor=by, verb="contract.sign", target=contract, merchant_id=contract.merchant_id,
                 data={"party": party, "sha256": actual})
    if contract.signatures.count() == 2:
        contract.status = Contract.Status.ACTIVE
        contract.activated_at = timezone.now()
        contract.save(update_fields=["status", "activated_at"])
        engagement_log(engagement=contract.engagement, by=by, kind=EngagementActivity.Kind.CONTRACT,
                       event="contract.active", params={"number": contract.number})
        engagement_advance(engagement=contract.engagement, to=Engagement.Stage.HANDOVER, by=by,
                           cause={"event": "contract.active", "params": {"number": contract.number}})
    return signature


@transaction.atomic
def contract_amend(
    *, contract: Contract, by: User, description: str, extra_seats: int, effective_from: date,
    effective_until: date, price_change: Decimal,
) -> ContractAmendment:
    """A change to an active contract (seasonal seats…) as a new amendment with its own PDF and hash."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != Contract.Status.ACTIVE:
        raise BusinessRuleError(_("合同 %(contract_number)s 未生效，不能签订补充协议") % {"contract_number": contract.number})
    if not description.strip():
        raise BusinessRuleError(_("请填写补充协议内容"), field="description")
    if effective_until < effective_from:
        raise BusinessRuleError(_("补充协议的截止日期早于生效日期"), field="effective_until")
    if effective_from < contract.start_date or effective_until > contract.end_date:
        raise BusinessRuleError(
            _("补充协议期间须在合同期 %(contract_start_date)s 至 %(contract_end_date)s 之内") % {"contract_start_date": format(contract.start_date, '%Y-%m-%d'), "contract_end_date": format(contract.end_date, '%Y-%m-%d')},
            field="effective_from",
        )
    if contract.seats + extra_seats < 1:
        raise BusinessRuleError(_("调整后席位数至少为 1"), field="extra_seats")
    number = contract.amendments.count() + 1
    data = documents.amendment_pdf(contract=contract, number=number, description=description,
                                   extra_seats=extra_seats, effective_from=effective_from,
                                   effective_until=effective_until, price_change=price_change)
    amendment = ContractAmendment.objects.create(
        contract=contract, number=number, description=description, extra_seats=extra_seats,
        effective_from=effective_from, effective_until=effective_until, price_change=price_change,
        pdf=data, pdf_sha256=documents.sha256(data), created_by=by,
    )
    engagement_log(engagement=contract.engagement, by=by, kind=EngagementActivity.Kind.CONTRACT,
         event="amendment.created",
                   params={"amendment": str(amendment), "seats": extra_seats, "start": f"{effective_from:%m-%d}",
                           "end": f"{effective_until:%m-%d}"})
    audit_record(actor=by, verb="contract.amend", target=contract, merchant_id=contract.merchant_id,
                 data={"amendment": number})
    return amendment


