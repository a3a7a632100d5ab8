"""Forecasts: weekday and intraday profiles, promotions, holidays, overrides, required agents."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pytest

from staffing.errors import StaffingInputError
from staffing.forecasting import forecast as fc
from staffing.forecasting.erlang import staff_interval
from staffing.forecasting.selectors import required_agents, shop_forecast, staffing_profile
from staffing.forecasting.services import (
    demand_history_from_arrivals,
    demand_history_import_csv,
    demand_history_record,
    forecast_override_set,
    promotion_calendar_ensure,
)
from staffing.models import IntervalVolume, Promotion
from tests.staffing.factories import SHANGHAI, feed_history, pattern_volume

pytestmark = pytest.mark.django_db

# 2026-08-03 is a Monday; August 2026 has no public holiday and no promotion of the default calendar.
HISTORY_START = date(2026, 8, 3)
FORECAST_START = date(2026, 9, 7)  # Monday, five weeks later


def test_day_kinds_from_the_official_calendar():
    assert fc.day_kind(date(2026, 10, 1)).kind == fc.HOLIDAY
    assert fc.day_kind(date(2026, 10, 1)).holiday == "National Day"
    assert fc.day_kind(date(2026, 9, 20)).kind == fc.MAKEUP  # Sunday worked before the golden week
    assert fc.day_kind(date(2026, 9, 19)).kind == fc.WEEKEND
    assert fc.day_kind(date(2026, 9, 18)).kind == fc.WORKDAY
    later = fc.day_kind(date(2030, 10, 2))  # beyond the package's data: estimated
    assert later.kind == fc.HOLIDAY and later.calendar_estimated


def test_default_promotions_cover_the_four_big_ones():
    names = [p.code for p in fc.default_promotions(2026)]
    assert names == ["618-2026", "double11-2026", "double12-2026", "newyear-fair-2027"]
    d11 = fc.default_promotions(2026)[1]
    assert d11.phase(date(2026, 11, 11)) == fc.PEAK
    assert d11.phase(date(2026, 11, 1)) == fc.PRESALE
    assert d11.phase(date(2026, 11, 20)) == fc.TAIL
    assert d11.phase(date(2026, 12, 1)) is None
    fair = fc.default_promotions(2026)[3]
    assert fair.tail_end < date(2027, 2, 6)  # the fair ends before the Spring Festival


def test_forecast_learns_weekday_and_intraday_profiles(tenants):
    shop = tenants[0].shop
    feed_history(shop, start=HISTORY_START, days=35)
    result = shop_forecast(shop=shop, start=FORECAST_START, days=7)
    monday, saturday = result.days[0], result.days[5]
    assert monday.day.weekday() == 0 and saturday.day.weekday() == 5
    assert monday.total == pytest.approx(30 * 10 + 18 * 1)
    assert saturday.total == pytest.approx(30 * 20 + 18 * 1)
    assert monday.volumes[20] == pytest.approx(10)  # 10:00
    assert monday.volumes[2] == pytest.approx(1)  # 01:00


def test_promotion_uplift_and_baseline_excludes_promotion_days(tenants):
    shop = tenants[0].shop
    promotion_calendar_ensure(year=2026)
    # history through the Double 11 window with triple volume there: the baseline must ignore it
    d11 = Promotion.objects.get(code="double11-2026")

    def volume(day, slot):
        base = pattern_volume(day, slot)
        return base * 3 if d11.presale_start <= day <= d11.tail_end else base

    feed_history(shop, start=date(2026, 10, 5), days=56, volume=volume)  # to 29 November
    result = shop_forecast(shop=shop, start=date(2026, 11, 30), days=14)
    ordinary_monday = result.days[0]
    assert ordinary_monday.total == pytest.approx(318)
    peak = next(d for d in result.days if d.day == date(2026, 12, 12))
    assert peak.phase == fc.PEAK and peak.promotion.code == "double12-2026"
    assert peak.total == pytest.approx((30 * 20 + 18) * d11.__class__.objects.get(code="double12-2026").peak_uplift)


def test_holiday_and_makeup_workday(tenants):
    shop = tenants[0].shop
    feed_history(shop, start=HISTORY_START, days=49)  # to 20 September
    result = shop_forecast(shop=shop, start=date(2026, 9, 28), days=7)
    by_day = {d.day: d for d in result.days}
    national = by_day[date(2026, 10, 1)]
    assert national.kind.kind == fc.HOLIDAY
    assert national.total == pytest.approx(618 * fc.HOLIDAY_FACTORS["National Day"])


def test_manager_overrides_day_total_slot_volume_and_agents(tenants, manager):
    shop = tenants[0].shop
    feed_history(shop, start=HISTORY_START, days=35)
    forecast_override_set(shop=shop, day=FORECAST_START, volume=636.0, by=manager)  # double the Monday
    forecast_override_set(shop=shop, day=FORECAST_START + timedelta(days=1), slot=time(10), volume=100, by=manager)
    forecast_override_set(shop=shop, day=FORECAST_START + timedelta(days=1), slot=time(11), agents=9, by=manager)
    result = shop_forecast(shop=shop, start=FORECAST_START, days=2)
    assert result.days[0].total == pytest.approx(636)
    assert result.days[0].volumes[20] == pytest.approx(20)
    assert result.days[1].volumes[20] == pytest.approx(100)
    need = required_agents(shop=shop, start=FORECAST_START, days=2)
    assert need[(FORECAST_START + timedelta(days=1), "11:00")] == 9
    # clearing the override restores the forecast
    forecast_override_set(shop=shop, day=FORECAST_START, by=manager)
    assert shop_forecast(shop=shop, start=FORECAST_START, days=1).days[0].total == pytest.approx(318)


def test_override_rejects_bad_slot(tenants):
    with pytest.raises(StaffingInputError):
        forecast_override_set(shop=tenants[0].shop, day=FORECAST_START, slot=time(10, 15), volume=3)
    with pytest.raises(StaffingInputError):
        forecast_override_set(shop=tenants[0].shop, day=FORECAST_START, agents=3)


def test_required_agents_is_erlang_on_the_forecast_inside_the_window(tenants):
    shop = tenants[1].shop  # JD: 9:00–23:00, 30-second target
    feed_history(shop, start=HISTORY_START, days=35)
    need = required_agents(shop=shop, start=FORECAST_START, days=3)
    slots = sorted({slot for (_, slot) in need})
    assert slots[0] == "09:00" and slots[-1] == "22:30" and len(slots) == 28
    assert len(need) == 3 * 28
    profile = staffing_profile(shop=shop)
    expected = staff_interval(
        volume=10, interval_minutes=30, aht_seconds=profile.aht_seconds, answer_seconds=30,
        service_level=profile.service_level, max_occupancy=profile.max_occupancy, shrinkage=profile.shrinkage,
        concurrency=profile.concurrency,
    ).agents
    assert need[(FORECAST_START, "10:00")] == expected
    assert all(isinstance(v, int) for v in need.values())


def test_required_agents_without_history_is_zero_not_an_error(tenants):
    need = required_agents(shop=tenants[0].shop, start=FORECAST_START, days=1)
    assert len(need) == 30 and set(need.values()) == {0}


def test_history_record_replaces_slots_and_rejects_naive_times(tenants):
    shop = tenants[0].shop
    at = datetime(2026, 8, 3, 10, 12, tzinfo=SHANGHAI)
    demand_history_record(shop=shop, volumes={at: 5})
    demand_history_record(shop=shop, volumes={at: 7})
    row = IntervalVolume.objects.get(shop=shop)
    assert row.volume == 7 and row.start == datetime(2026, 8, 3, 10, 0, tzinfo=SHANGHAI)
    with pytest.raises(StaffingInputError):
        demand_history_record(shop=shop, volumes={datetime(2026, 8, 3, 10): 1})


def test_history_from_arrivals_counts_per_half_hour(tenants):
    shop = tenants[0].shop
    arrivals = [datetime(2026, 8, 3, 10, m, tzinfo=SHANGHAI) for m in (1, 5, 29, 30, 59)]
    demand_history_from_arrivals(shop=shop, arrivals=arrivals)
    demand_history_from_arrivals(shop=shop, arrivals=arrivals)  # the same data again: nothing doubles
    assert sorted(IntervalVolume.objects.values_list("volume", flat=True)) == [2, 3]


def test_csv_import_reports_every_bad_line_and_writes_nothing(tenants):
    shop = tenants[0].shop
    bad = "start,volume\n2026-08-03T08:00:00+08:00,4\nnot-a-date,3\n2026-08-03T09:00:00,-1\n"
    with pytest.raises(StaffingInputError) as err:
        demand_history_import_csv(shop=shop, data=bad.encode())
    assert "第 3 行" in str(err.value) and "第 4 行" in str(err.value)
    assert not IntervalVolume.objects.exists()
    good = "\ufeffstart,volume\n2026-08-03T08:00:00+08:00,4\n2026-08-03T08:30:00,6\n"
    assert demand_history_import_csv(shop=shop, data=good.encode()) == 2
    assert sum(IntervalVolume.objects.values_list("volume", flat=True)) == 10


def test_fit_profile_without_history_uses_the_generic_curve():
    profile = fc.fit_profile({})
    assert np.allclose(profile.intraday_work, fc.GENERIC_INTRADAY)
    assert profile.weekday_level.sum() == 0


def test_import_demand_history_command(tenants, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    shop = tenants[0].shop
    good = tmp_path / "h.csv"
    good.write_text("start,volume\n2026-08-03T08:00:00+08:00,4\n", encoding="utf-8")
    call_command("import_demand_history", str(good), "--shop", shop.code)
    assert IntervalVolume.objects.get(shop=shop).volume == 4
    bad = tmp_path / "bad.csv"
    bad.write_text("start,volume\n2026-08-03T09:00:00+08:00,1\nx,1\n", encoding="utf-8")
    with pytest.raises(CommandError) as err:
        call_command("import_demand_history", str(bad), "--shop", shop.code)
    assert err.value.returncode == 2 and "第 3 行" in str(err.value)
    assert IntervalVolume.objects.count() == 1
    with pytest.raises(CommandError) as err:
        call_command("import_demand_history", str(good), "--shop", "nope")
    assert "--shop" in str(err.value)


def test_service_window_midnight_and_wrapping():
    from staffing.forecasting.selectors import window_slots
    from staffing.models import StaffingProfile

    assert len(window_slots(StaffingProfile(window_start=time(8), window_end=time(23)))) == 30
    assert window_slots(StaffingProfile(window_start=time(20), window_end=time(0))) == list(range(40, 48))
    wrapped = window_slots(StaffingProfile(window_start=time(22), window_end=time(2)))
    assert wrapped == [0, 1, 2, 3, 44, 45, 46, 47]


def test_holiday_factor_is_learnt_from_history_and_makeup_days_are_left_out():
    # 2025: National Day 1–8 October, make-up workdays Sunday 28 September and Saturday 11 October
    history = {}
    day = date(2025, 9, 1)
    while day < date(2025, 10, 20):
        kind = fc.day_kind(day)
        level = {fc.WORKDAY: 100, fc.WEEKEND: 200, fc.HOLIDAY: 300, fc.MAKEUP: 999}[kind.kind]
        history[day] = np.full(48, level / 48)
        day += timedelta(days=1)
    profile = fc.fit_profile(history, weeks=8)
    assert profile.workday_level == pytest.approx(100)
    assert profile.weekend_level == pytest.approx(200)  # the 999 make-up days did not leak in
    assert profile.holiday_factors["National Day"] == pytest.approx(1.5)
    [oct1] = fc.forecast_days(profile, start=date(2026, 10, 1), days=1)
    assert oct1.total == pytest.approx(300)
    [makeup] = fc.forecast_days(profile, start=date(2026, 9, 20), days=1)  # a worked Sunday
    assert makeup.kind.kind == fc.MAKEUP and makeup.total == pytest.approx(100)
