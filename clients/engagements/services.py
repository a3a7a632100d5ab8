"""Writes of the engagement's lifecycle: the consultation, notes and next steps, stage changes (with the
gates a stage has) and the activity log every step lands in.

Every refusal raises `BusinessRuleError` with a sentence that says why, before anything is written.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from agency.models import User
from agency.services import audit_record
from clients.engagements.models import Engagement, EngagementActivity
from clients.merchants.models import Merchant, Shop
from clients.sales.errors import BusinessRuleError
from clients.sales.models import Contract, Quote

Stage = Engagement.Stage

# The lifecycle in order (seed 002). A stage moves one step forward; any open stage may be lost.
# Typed as the stage values stored on the model, which is what callers compare and look up.
LIFECYCLE: list[str] = [Stage.CONSULTATION, Stage.QUOTING, Stage.CONTRACTING, Stage.HANDOVER, Stage.TRAINING, Stage.LIVE,
             Stage.ENDED]


def engagement_log(
    *, engagement: Engagement, by: User | None, kind: str, text: str = "", event: str = "",
    params: dict[str, Any] | None = None,
) -> EngagementActivity:
    """One line of the engagement's activity log: a person's note (`text`), or a system step as an event
    code with its parameters (`clients.engagements.activity`), rendered in the reader's language."""
    return EngagementActivity.objects.create(
        engagement=engagement, actor=by if by is not None and by.is_authenticated else None, kind=kind, text=text,
        event=event, params=params or {},
    )


# ---------------------------------------------------------------- consultations


CONSULTATION_FIELDS = (
    "title", "daily_volume", "peak_hours", "peak_hour_share", "service_start", "service_end", "presale_share",
    "languages", "avg_handle_seconds", "concurrency", "seasonal_peaks", "next_step", "next_step_due",
)


def _clean_peaks(peaks: list) -> list[dict]:
    """Seasonal peaks: [{"name", "start", "end", "multiplier"}]; each checked, dates as ISO strings."""
    cleaned = []
    for index, peak in enumerate(peaks or [], start=1):
        where = _("第 %(n)s 个大促高峰") % {"n": index}
        if not isinstance(peak, dict):
            raise BusinessRuleError(_("%(where)s格式不对") % {"where": where}, field="seasonal_peaks")
        name = str(peak.get("name", "")).strip()
        try:
            start, end = parse_date(str(peak.get("start", ""))), parse_date(str(peak.get("end", "")))
        except ValueError:  # well formed but no such day (2026-13-01)
            start = end = None
        try:
            multiplier = float(peak.get("multiplier", 0))
        except (TypeError, ValueError):
            multiplier = 0
        if not name:
            raise BusinessRuleError(_("%(where)s缺少名称") % {"where": where}, field="seasonal_peaks")
        if not start or not end or end < start:
            raise BusinessRuleError(_("%(where)s（%(name)s）的起止日期无效") % {"where": where, "name": name}, field="seasonal_peaks")
        if not 1 < multiplier <= 20:
            raise BusinessRuleError(_("%(where)s（%(name)s）的咨询量倍数应在 1 到 20 之间") % {"where": where, "name": name}, field="seasonal_peaks")
        cleaned.append({"name": name, "start": start.isoformat(), "end": end.isoformat(), "multiplier": multiplier})
    return cleaned


@transaction.atomic
def engagement_create(
    *, merchant: Merchant, title: str, by: User, shops: list[Shop] | None = None, **details
) -> Engagement:
    """Open a consultation for a merchant; its shops must be the merchant's own."""
    unknown = set(details) - set(CONSULTATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown consultation fields: {', '.join(sorted(unknown))}")
    if not details.get("next_step"):
        raise BusinessRuleError(_("请填写下一步及其日期"), field="next_step")
    if not details.get("next_step_due"):
        raise BusinessRuleError(_("请填写下一步的日期"), field="next_step_due")
    if "seasonal_peaks" in details:
        details["seasonal_peaks"] = _clean_peaks(details["seasonal_peaks"])
    for shop in shops or []:
        if shop.merchant_id != merchant.pk:
            raise BusinessRuleError(_("店铺 %(shop_code)s 不属于商家 %(merchant_name)s") % {"shop_code": shop.code, "merchant_name": merchant.name}, field="shops")
    engagement = Engagement(merchant=merchant, title=title, **details)
    engagement.full_clean()
    engagement.save()
    if shops:
        engagement.shops.set(shops)
    engagement_log(engagement=engagement, by=by, kind=EngagementActivity.Kind.STAGE,
                   event="engagement.created", params={"title": title})
    audit_record(actor=by, verb="engagement.create", target=engagement, merchant_id=merchant.pk)
    return engagement


@transaction.atomic
def engagement_update_consultation(
    *, engagement: Engagement, by: User, shops: list[Shop] | None = None, **details
) -> Engagement:
    """Change the consultation's details (volumes, hours, languages…); quotes already made keep theirs."""
    unknown = set(details) - set(CONSULTATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown consultation fields: {', '.join(sorted(unknown))}")
    if engagement.stage in (Stage.LOST, Stage.ENDED):
        raise BusinessRuleError(_("该项目已关闭，不能再修改咨询信息"))
    if "seasonal_peaks" in details:
        details["seasonal_peaks"] = _clean_peaks(details["seasonal_peaks"])
    for shop in shops or []:
        if shop.merchant_id != engagement.merchant_id:
            raise BusinessRuleError(_("店铺 %(shop_code)s 不属于该商家") % {"shop_code": shop.code}, field="shops")
    changed = [name for name, value in details.items() if getattr(engagement, name) != value]
    for name, value in details.items():
        setattr(engagement, name, value)
    engagement.full_clean()
    engagement.save()
    if shops is not None:
        engagement.shops.set(shops)
    if changed:
        engagement_log(engagement=engagement, by=by, kind=EngagementActivity.Kind.NOTE,
                       event="consultation.updated", params={"fields": changed})
    return engagement


def engagement_note_add(*, engagement: Engagement, by: User, text: str, next_step: str = "",
                        next_step_due: date | None = None) -> EngagementActivity:
    """Log a note (a call, a meeting); optionally set the next step, which always needs a date."""
    text = text.strip()
    if not text and not next_step:
        raise BusinessRuleError(_("请填写内容"), field="text")
    with transaction.atomic():
        activity = None
        if text:
            activity = engagement_log(engagement=engagement, by=by, kind=EngagementActivity.Kind.NOTE, text=text)
        if next_step:
            if not next_step_due:
                raise BusinessRuleError(_("下一步需要日期"), field="next_step_due")
            engagement.next_step, engagement.next_step_due = next_step, next_step_due
            engagement.save(update_fields=["next_step", "next_step_due", "updated_at"])
            activity = engagement_log(engagement=engagement, by=by, kind=EngagementActivity.Kind.NEXT_STEP,
                                      event="next_step",
                                      params={"next_step": next_step, "due": f"{next_step_due:%Y-%m-%d}"})
    assert activity is not None  # text or next_step is set (checked above), and each logs an activity
    return activity


def next_stage(stage: str) -> str | None:
    if stage == Stage.LOST:
        return Stage.CONSULTATION
    position = LIFECYCLE.index(stage)
    return LIFECYCLE[position + 1] if position + 1 < len(LIFECYCLE) else None


def _stage_gate(engagement: Engagement, to: str) -> str | None:
    """Why `engagement` may not enter stage `to` yet, or None."""
    if to == Stage.QUOTING and engagement.daily_volume <= 0:
        return "请先填写日咨询量，才能报价"
    if to == Stage.CONTRACTING and not engagement.quotes.filter(status=Quote.Status.ACCEPTED).exists():
        return "还没有商家已接受的报价"
    if to == Stage.HANDOVER and not engagement.contracts.filter(status=Contract.Status.ACTIVE).exists():
        return "合同尚未经双方签署生效"
    return None


@transaction.atomic
def engagement_stage_change(
    *, engagement: Engagement, to: str, by: User | None, note: str = "", cause: dict[str, Any] | None = None
) -> Engagement:
    """Move an engagement along the lifecycle: one step forward (with its gate), to lost from any open
    stage, or a lost engagement back to consultation."""
    caller_instance = engagement
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    current = engagement.stage
    if to not in Stage.values:
        raise BusinessRuleError(_("未知阶段 %(to)s") % {"to": to}, field="stage")
    if to == current:
        raise BusinessRuleError(_("项目已处于“%(stage_to_label)s”阶段") % {"stage_to_label": Stage(to).label})
    if to == Stage.LOST:
        if current in (Stage.LIVE, Stage.ENDED):
            raise BusinessRuleError(_("已上岗或已结束的项目不能标为未成交"))
    elif current == Stage.LOST:
        if to != Stage.CONSULTATION:
            raise BusinessRuleError(_("未成交的项目只能重新回到“业务咨询”阶段"))
    else:
        position = LIFECYCLE.index(current)
        if position + 1 >= len(LIFECYCLE) or LIFECYCLE[position + 1] != to:
            expected = Stage(LIFECYCLE[position + 1]).label if position + 1 < len(LIFECYCLE) else "—"
            raise BusinessRuleError(
                _("阶段须按顺序推进：当前“%(stage_current_label)s”，下一阶段应为“%(expected)s”，不能直接到“%(stage_to_label)s”") % {"stage_current_label": Stage(current).label, "expected": expected, "stage_to_label": Stage(to).label}
            )
        reason = _stage_gate(engagement, to)
        if reason:
            raise BusinessRuleError(_("不能进入“%(stage_to_label)s”：%(reason)s") % {"stage_to_label": Stage(to).label, "reason": reason})
    engagement.stage = caller_instance.stage = to
    # The next step belonged to the stage just left (say, "send the quote" once the contract is signed):
    # cleared, so the page shows the new stage's usual next step until someone types one.
    engagement.next_step, engagement.next_step_due = "", None
    caller_instance.next_step, caller_instance.next_step_due = "", None
    engagement.save(update_fields=["stage", "next_step", "next_step_due", "updated_at"])
    params: dict[str, Any] = {"from": current, "to": to, "note": note}
    if cause:
        params["cause"] = cause
    engagement_log(engagement=engagement, by=by, kind=EngagementActivity.Kind.STAGE, event="stage.changed",
                   params=params)
    audit_record(actor=by, verb="engagement.stage", target=engagement, merchant_id=engagement.merchant_id,
                 data={"from": current, "to": to})
    return engagement


def engagement_advance(*, engagement: Engagement, to: str, by: User | None, cause: dict[str, Any]) -> None:
    """Advance automatically when the lifecycle allows it; quietly stay when already past. The stage is
    read from the database, as the caller's instance may be older than the last change."""
    current = Engagement.objects.filter(pk=engagement.pk).values_list("stage", flat=True).get()
    if current in LIFECYCLE and LIFECYCLE.index(current) + 1 == LIFECYCLE.index(to):
        engagement_stage_change(engagement=engagement, to=to, by=by, cause=cause)
