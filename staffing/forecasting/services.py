"""Writes for forecasting: demand history, the promotion calendar, managers' overrides, a shop's staffing
parameters and seasonal plans."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from agency.models import User
from agency.services import audit_record
from clients.models import Shop
from staffing.errors import StaffingInputError
from staffing.forecasting import forecast as fc
from staffing.forecasting.accuracy import day_errors
from staffing.forecasting.actuals import actual_volumes
from staffing.forecasting.erlang import EFFICIENCY
from staffing.forecasting.models import (
    ForecastOverride,
    ForecastSnapshot,
    IntervalVolume,
    Promotion,
    SeasonalPlan,
    SeasonalPlanShop,
    StaffingProfile,
)
from staffing.forecasting.selectors import local_tz, shop_forecasts, staffing_profile_fresh

# --- demand history --------------------------------------------------------------------------------------


def _slot_start(at: datetime) -> datetime:
    if timezone.is_naive(at):
        raise StaffingInputError(_("时间 %(at)s 缺少时区") % {"at": at.isoformat()})
    local = at.astimezone(local_tz())
    minute = (local.hour * 60 + local.minute) // fc.SLOT_MINUTES * fc.SLOT_MINUTES
    return local.replace(hour=minute // 60, minute=minute % 60, second=0, microsecond=0)


@transaction.atomic
def demand_history_record(
    *, shop: Shop, volumes: Mapping[datetime, int], source: str = "import"
) -> int:
    """Store consultations per half hour (aware datetimes, any time inside the slot). A slot already stored is
    replaced, so feeding the same counts twice changes nothing. Returns the number of slots written."""
    buckets: dict[datetime, int] = {}
    for at, volume in volumes.items():
        if volume is None or int(volume) != volume or volume < 0:
            raise StaffingInputError(_("%(at)s 的咨询量必须是非负整数") % {"at": at.isoformat()})
        key = _slot_start(at)
        buckets[key] = buckets.get(key, 0) + int(volume)
    IntervalVolume.objects.filter(shop=shop, start__in=list(buckets)).delete()
    IntervalVolume.objects.bulk_create(
        [IntervalVolume(shop=shop, start=start, volume=v, source=source) for start, v in buckets.items()],
        batch_size=2000,
    )
    return len(buckets)


def demand_history_from_arrivals(*, shop: Shop, arrivals: Iterable[datetime], source: str = "sessions") -> int:
    """Count session arrivals per half hour and store them. Give every arrival of the days concerned: each
    half hour touched is recounted from what is given (compliance's session import calls this)."""
    counts: dict[datetime, int] = {}
    for at in arrivals:
        key = _slot_start(at)
        counts[key] = counts.get(key, 0) + 1
    return demand_history_record(shop=shop, volumes=counts, source=source)


def demand_history_import_csv(*, shop: Shop, data: bytes | str) -> int:
    """CSV with the columns `start,volume` (start as ISO date-time with offset, e.g. 2026-11-01T08:00+08:00;
    without an offset it is read as Asia/Shanghai). A file with any bad line writes nothing."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:  # not UTF-8: say so, as for any other bad file
        raise StaffingInputError(str(exc)) from exc
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or {"start", "volume"} - {f.strip() for f in reader.fieldnames}:
        raise StaffingInputError(_("第 1 行：表头必须包含 start 和 volume 两列"))
    volumes: dict[datetime, int] = {}
    errors = []
    for line, row in enumerate(reader, start=2):
        start = parse_datetime((row.get("start") or "").strip())
        if start is None:
            errors.append(_("第 %(line)s 行：start 不是有效的日期时间") % {"line": line})
            continue
        if timezone.is_naive(start):
            start = start.replace(tzinfo=local_tz())
        try:
            volume = int((row.get("volume") or "").strip())
            if volume < 0:
                raise ValueError
        except ValueError:
            errors.append(_("第 %(line)s 行：volume 必须是非负整数") % {"line": line})
            continue
        volumes[start] = volumes.get(start, 0) + volume
    if errors:
        raise StaffingInputError("; ".join(errors))
    return demand_history_record(shop=shop, volumes=volumes, source="upload")


# --- promotion calendar and overrides ---------------------------------------------------------------------


@transaction.atomic
def promotion_calendar_ensure(*, year: int) -> list[Promotion]:
    """Add our default promotions for a year (618, Double 11, Double 12, the following New-Year goods fair);
    promotions already there are left as the manager edited them."""
    out = []
    for window in fc.default_promotions(year):
        promo, _created = Promotion.objects.get_or_create(
            code=window.code,
            defaults={
                "name": window.name, "presale_start": window.presale_start, "peak_start": window.peak_start,
                "peak_end": window.peak_end, "tail_end": window.tail_end,
                "presale_uplift": window.presale_uplift, "peak_uplift": window.peak_uplift,
                "tail_uplift": window.tail_uplift, "platforms": list(window.platforms),
            },
        )
        out.append(promo)
    return out


@transaction.atomic
def forecast_override_set(
    *,
    shop: Shop,
    day: date,
    slot: time | None = None,
    volume: float | None = None,
    agents: int | None = None,
    note: str = "",
    by: User | None = None,
) -> ForecastOverride | None:
    """Replace a forecast figure. Without a slot, `volume` is the day's total; with one, the half hour's volume
    and/or required agents. Giving neither removes the override."""
    if slot is not None and (slot.minute % fc.SLOT_MINUTES or slot.second):
        raise StaffingInputError(_("时段必须是整点或半点，例如 09:30"))
    if volume is not None and volume < 0:
        raise StaffingInputError(_("咨询量不能为负数"))
    if agents is not None and agents < 0:
        raise StaffingInputError(_("所需客服不能为负数"))
    if slot is None and agents is not None:
        raise StaffingInputError(_("所需客服只能按时段调整"))
    existing = ForecastOverride.objects.filter(shop=shop, date=day, slot=slot) if slot else ForecastOverride.objects.filter(
        shop=shop, date=day, slot__isnull=True
    )
    if volume is None and agents is None:
        existing.delete()
        audit_record(actor=by, verb="forecast.override_clear", target=shop, merchant_id=shop.merchant_id,
                     data={"date": day.isoformat(), "slot": slot.strftime("%H:%M") if slot else None})
        return None
    override = existing.first() or ForecastOverride(shop=shop, date=day, slot=slot)
    override.volume = volume
    override.agents = agents
    override.note = note
    override.created_by = by if by is not None and by.is_authenticated else None
    override.save()
    audit_record(actor=by, verb="forecast.override", target=override, merchant_id=shop.merchant_id,
                 data={"date": day.isoformat(), "slot": slot.strftime("%H:%M") if slot else None,
                       "volume": volume, "agents": agents})
    return override


# --- seasonal plans ---------------------------------------------------------------------------------------


@transaction.atomic
def seasonal_plan_create(
    *, promotion: Promotion, shops: Iterable[Shop], title: str = "", by: User | None = None,
    expected_orders: Mapping[int, int] | None = None, refund_rate: float = 0.05, refunds_per_agent: int = 80,
    shift_hours: float = 8.0,
) -> SeasonalPlan:
    if not 0 <= refund_rate <= 1:
        raise StaffingInputError(_("预计退款率必须在 0 到 1 之间"))
    if refunds_per_agent <= 0:
        raise StaffingInputError(_("每人每日处理退款数必须大于 0"))
    if not 1 <= shift_hours <= 12:
        raise StaffingInputError(_("每班时长必须在 1 到 12 小时之间"))
    shops = list(shops)
    if not shops:
        raise StaffingInputError(_("请至少选择一个店铺"))
    plan = SeasonalPlan.objects.create(
        promotion=promotion, title=title or _("%(p)s 人力计划") % {"p": promotion.name},
        created_by=by if by is not None and by.is_authenticated else None, shift_hours=shift_hours,
    )
    expected_orders = expected_orders or {}
    SeasonalPlanShop.objects.bulk_create([
        SeasonalPlanShop(plan=plan, shop=shop, expected_orders=expected_orders.get(shop.pk, 0),
                         refund_rate=refund_rate, refunds_per_agent=refunds_per_agent)
        for shop in shops
    ])
    audit_record(actor=by, verb="seasonal_plan.create", target=plan)
    return plan


@transaction.atomic
def staffing_profile_update(*, shop: Shop, by: User | None = None, **fields) -> StaffingProfile:
    """Save a shop's Erlang parameters; each is checked the way `staffing.forecasting.erlang` will use it."""
    profile = staffing_profile_fresh(shop=shop)
    for name, value in fields.items():
        setattr(profile, name, value)
    checks = [
        (profile.aht_seconds > 0, "aht_seconds", _("平均处理时长必须大于 0")),
        (0 <= profile.service_level < 1, "service_level", _("服务水平目标必须在 0 到 1 之间（不含 1）")),
        (0 < profile.max_occupancy <= 1, "max_occupancy", _("占用率上限必须大于 0 且不超过 1")),
        (0 <= profile.shrinkage < 1, "shrinkage", _("缺勤/非在线率必须在 0 到 1 之间（不含 1）")),
        (profile.concurrency in EFFICIENCY, "concurrency", _("并发会话数必须是 1 到 5")),
        (profile.window_start != profile.window_end, "window_end", _("服务结束时间不能等于开始时间")),
    ]
    for ok, field, message in checks:
        if not ok:
            raise StaffingInputError(f"{field}: {message}")
    profile.save()
    audit_record(actor=by, verb="staffing_profile.update", target=profile, merchant_id=shop.merchant_id,
                 data={k: str(v) for k, v in fields.items()})
    return profile


# --- forecast snapshots and accuracy ------------------------------------------------------------------------


def forecast_snapshots_take(*, today: date, shops: Iterable[Shop] | None = None) -> int:
    """Keep, for every shop, tomorrow's forecast (day-ahead) and the forecast of the day a week from today
    (week-ahead) as they stand now: the model's own, and the one with the managers' volume overrides when
    they change that day. Taking them again the same day replaces that day's snapshots; returns how many
    were written. Celery beat runs this every evening (`staffing.forecast_snapshots_take`)."""
    shop_list = list(shops if shops is not None else Shop.objects.order_by("pk"))
    if not shop_list:
        return 0
    start = today + timedelta(days=1)
    days = max(ForecastSnapshot.HORIZON_DAYS.values())
    model = shop_forecasts(shops=shop_list, start=start, days=days, with_overrides=False)
    adjusted = shop_forecasts(shops=shop_list, start=start, days=days)
    overridden = set(
        ForecastOverride.objects.filter(shop__in=shop_list, date__gte=start, date__lt=start + timedelta(days=days),
                                        volume__isnull=False).values_list("shop_id", "date")
    )
    written = 0
    with transaction.atomic():
        for horizon, ahead in ForecastSnapshot.HORIZON_DAYS.items():
            target = today + timedelta(days=ahead)
            for shop in shop_list:
                sources = [(ForecastSnapshot.Source.MODEL, model[shop.pk])]
                if (shop.pk, target) in overridden:
                    sources.append((ForecastSnapshot.Source.OVERRIDE, adjusted[shop.pk]))
                for source, result in sources:
                    day = next(d for d in result.days if d.day == target)
                    volumes = [round(float(v), 3) for v in day.volumes]
                    ForecastSnapshot.objects.update_or_create(
                        shop=shop, target_date=target, horizon=horizon, source=source,
                        defaults={
                            "made_on": today, "volumes": volumes, "total": round(day.total, 3),
                            "promotion_code": day.promotion.code if day.promotion else "", "phase": day.phase or "",
                            "actual": None, "absolute_error": None, "scored_at": None,
                        },
                    )
                    written += 1
                # An override withdrawn since an earlier run the same day leaves no stale override row.
                if (shop.pk, target) not in overridden:
                    ForecastSnapshot.objects.filter(
                        shop=shop, target_date=target, horizon=horizon, source=ForecastSnapshot.Source.OVERRIDE,
                        made_on=today,
                    ).delete()
    return written


def forecast_accuracy_score(*, first: date, last: date) -> int:
    """Hold the snapshots of the days first..last against the consultations that arrived (from the
    registered source: compliance's sessions) and store the half-hour sums. A day without any stored
    session is left unscored. Scoring again recomputes (sessions imported late count). Returns the number
    of snapshots scored."""
    snapshots = list(ForecastSnapshot.objects.filter(target_date__range=(first, last)))
    if not snapshots:
        return 0
    actuals = actual_volumes(shop_ids=sorted({s.shop_id for s in snapshots}), first=first, last=last)
    now = timezone.now()
    scored = []
    for snapshot in snapshots:
        counts = actuals.get((snapshot.shop_id, snapshot.target_date))
        if counts is None or len(snapshot.volumes) != len(counts):
            continue
        errors = day_errors(counts, snapshot.volumes)
        snapshot.actual = errors.actual
        snapshot.absolute_error = round(errors.absolute, 3)
        snapshot.scored_at = now
        scored.append(snapshot)
    ForecastSnapshot.objects.bulk_update(scored, ["actual", "absolute_error", "scored_at"], batch_size=500)
    return len(scored)
