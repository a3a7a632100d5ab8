"""The intraday engine on crafted days computed by hand.

Erlang C with AHT 180 s, answer within 180 s, 80 % service level, no occupancy cap, no shrinkage, one chat
at a time, per half hour (1,800 s), so traffic A = volume ÷ 10. By hand (B by the recursion, then
P(wait) = N·B ÷ (N − A(1 − B)) and SL = 1 − P(wait)·e^(−(N − A))):
- volume 5 (A 0.5): N 1 gives SL 0.697, N 2 gives 0.978 → 2 agents;
- volume 10 (A 1): N 2: B 0.2, P(wait) 1/3, SL 1 − e⁻¹/3 = 0.877 → 2;
- volume 20 (A 2): N 3: B 0.2105, P(wait) 0.444, SL 0.836 → 3;
- volume 30 (A 3): N 4: B 0.2061, P(wait) 0.510, SL 0.813 → 4.
The window is 08:00–11:00 (half hours 16–21) unless a case says otherwise.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from compliance.intraday.engine import (
    SLOTS_PER_DAY,
    RatioRule,
    ShopInput,
    StaffingParameters,
    arrival_slots,
    elapsed_slots,
    reforecast,
    reforecast_all,
)

WINDOW = tuple(range(16, 22))
PARAMS = StaffingParameters(aht_seconds=180, answer_seconds=180, service_level=0.8, max_occupancy=1.0, shrinkage=0.0,
                            concurrency=1, window=WINDOW)
NINE = 9 * 60  # 09:00: half hours 0–17 have ended (08:00 and 08:30 of the window)


def day(**slots: float) -> list[float]:
    """48 values, zero except the half hours named like h16=10."""
    values = [0.0] * SLOTS_PER_DAY
    for name, value in slots.items():
        values[int(name[1:])] = value
    return values


def flat(value: float, indices=WINDOW) -> list[float]:
    return day(**{f"h{i}": value for i in indices})


def test_start_of_day_with_nothing_yet_follows_the_forecast():
    result = reforecast(forecast=flat(10), actual=[0] * 48, rostered=[int(v) for v in flat(1)], now_minute=0,
                        staffing=PARAMS)
    assert (result.ratio, result.ratio_reason, result.elapsed) == (1.0, "nothing_yet", 0)
    window = [result.half_hours[i] for i in WINDOW]
    assert [h.reforecast for h in window] == [10.0] * 6
    assert [h.required for h in window] == [2] * 6
    assert [h.gap for h in window] == [1] * 6
    assert result.short_half_hours == 6 and result.largest_gap == 1
    # outside the window nothing is required, whatever is rostered
    assert result.half_hours[8].required == 0 and result.half_hours[22].required == 0


def test_promotion_surge_doubles_the_rest_of_the_day():
    # 08:00 and 08:30 were forecast 10 each (20) and brought 20 each (40): ratio 2
    actual = [int(v) for v in day(h16=20, h17=20)]
    result = reforecast(forecast=flat(10), actual=actual, rostered=[int(v) for v in flat(2)], now_minute=NINE,
                        staffing=PARAMS)
    assert (result.ratio, result.ratio_reason, result.elapsed) == (2.0, "measured", 18)
    assert (result.forecast_so_far, result.actual_so_far) == (20.0, 40)
    assert [result.half_hours[i].reforecast for i in WINDOW] == [20.0, 20.0, 20.0, 20.0, 20.0, 20.0]
    assert [result.half_hours[i].required for i in WINDOW] == [3] * 6  # volume 20 → 3 (instead of 2)
    assert [result.half_hours[i].gap for i in WINDOW] == [1] * 6
    assert [result.half_hours[i].elapsed for i in WINDOW] == [True, True, False, False, False, False]


def test_surge_beyond_the_cap_is_held_at_three_times():
    actual = [int(v) for v in day(h16=40, h17=40)]  # 80 for 20 forecast: 4×, capped at 3×
    result = reforecast(forecast=flat(10), actual=actual, rostered=[0] * 48, now_minute=NINE, staffing=PARAMS)
    assert (result.ratio, result.ratio_reason) == (3.0, "capped")
    assert [result.half_hours[i].reforecast for i in range(18, 22)] == [30.0] * 4
    assert [result.half_hours[i].required for i in range(18, 22)] == [4] * 4
    # the elapsed half hours show what came: 40 sessions (A 4) need more than the cap's figure
    assert result.half_hours[16].reforecast == 40.0


def test_quiet_day_halves_the_rest_and_shows_a_surplus():
    actual = [int(v) for v in day(h16=10, h17=10)]  # 20 for 40 forecast
    result = reforecast(forecast=flat(20), actual=actual, rostered=[int(v) for v in flat(3)], now_minute=NINE,
                        staffing=PARAMS)
    assert (result.ratio, result.ratio_reason) == (0.5, "measured")
    assert [result.half_hours[i].reforecast for i in range(18, 22)] == [10.0] * 4
    assert [result.half_hours[i].required for i in range(18, 22)] == [2] * 4  # 3 planned
    assert [result.half_hours[i].gap for i in range(18, 22)] == [-1] * 4
    assert result.short_half_hours == 0 and result.largest_gap == 0  # after 11:00 nothing is needed or rostered


def test_quiet_day_below_a_third_is_held_at_a_third():
    actual = [int(v) for v in day(h16=3, h17=2)]  # 5 of 60
    result = reforecast(forecast=flat(30), actual=actual, rostered=[0] * 48, now_minute=NINE, staffing=PARAMS)
    assert result.ratio == pytest.approx(1 / 3) and result.ratio_reason == "capped"
    assert result.half_hours[18].reforecast == pytest.approx(10.0)
    assert result.half_hours[18].required == 2


def test_a_handful_of_sessions_does_not_move_the_ratio():
    actual = [int(v) for v in day(h16=8, h17=7)]  # 15 of 8: both under the minimum of 20
    result = reforecast(forecast=flat(4), actual=actual, rostered=[0] * 48, now_minute=NINE, staffing=PARAMS)
    assert (result.ratio, result.ratio_reason) == (1.0, "too_few")
    assert result.half_hours[18].reforecast == 4.0
    # with a lower minimum the same morning moves it (15 ÷ 8 = 1.875)
    moved = reforecast(forecast=flat(4), actual=actual, rostered=[0] * 48, now_minute=NINE, staffing=PARAMS,
                       rule=RatioRule(min_volume=10))
    assert moved.ratio == pytest.approx(1.875) and moved.ratio_reason == "measured"


def test_a_shop_with_no_forecast_keeps_ratio_one_and_expects_nothing_more():
    actual = [int(v) for v in day(h16=30)]
    result = reforecast(forecast=[0.0] * 48, actual=actual, rostered=[0] * 48, now_minute=NINE, staffing=PARAMS)
    assert (result.ratio, result.ratio_reason, result.has_forecast) == (1.0, "no_forecast", False)
    assert result.half_hours[16].reforecast == 30.0 and result.half_hours[16].required == 4  # what it took
    assert all(h.reforecast == 0 and h.required == 0 for h in result.half_hours[18:])


def test_the_current_half_hour_is_not_elapsed():
    # 09:29: 08:00 and 08:30 have ended; the 09:00 half hour (partly counted) is re-forecast, not measured
    actual = [int(v) for v in day(h16=20, h17=20, h18=15)]
    result = reforecast(forecast=flat(10), actual=actual, rostered=[0] * 48, now_minute=NINE + 29, staffing=PARAMS)
    assert result.elapsed == 18 and result.actual_so_far == 40
    assert result.half_hours[18].actual == 15 and result.half_hours[18].reforecast == 20.0


def test_midnight_edges():
    tz = ZoneInfo("Asia/Shanghai")
    d = date(2026, 12, 1)
    counts = arrival_slots([
        datetime(2026, 11, 30, 23, 59, 59, tzinfo=tz),  # the day before: nowhere
        datetime(2026, 12, 1, 0, 0, 0, tzinfo=tz),  # the first half hour
        datetime(2026, 12, 1, 0, 29, 59, tzinfo=tz),
        datetime(2026, 12, 1, 23, 59, 59, tzinfo=tz),  # the last half hour
        datetime(2026, 12, 2, 0, 0, 0, tzinfo=tz),  # the next day: nowhere
    ], day=d)
    assert counts[0] == 2 and counts[47] == 1 and sum(counts) == 3
    assert (elapsed_slots(-5), elapsed_slots(0), elapsed_slots(29), elapsed_slots(30)) == (0, 0, 0, 1)
    assert (elapsed_slots(1439), elapsed_slots(1440), elapsed_slots(2000)) == (47, 48, 48)
    # a night shop (window 22:00–02:00 of the same date) at the end of the day: everything is measured
    night = StaffingParameters(aht_seconds=180, answer_seconds=180, service_level=0.8, max_occupancy=1.0,
                               shrinkage=0.0, concurrency=1, window=(0, 1, 2, 3, 44, 45, 46, 47))
    forecast = day(h0=10, h1=10, h44=10, h47=10)
    result = reforecast(forecast=forecast, actual=[int(v) for v in day(h0=20, h47=30)], rostered=[0] * 48,
                        now_minute=1440, staffing=night)
    assert result.elapsed == 48 and all(h.elapsed for h in result.half_hours)
    assert result.half_hours[47].reforecast == 30.0 and result.half_hours[47].required == 4
    assert result.half_hours[44].reforecast == 0.0 and result.half_hours[44].required == 0
    # at midnight itself nothing has happened yet
    start = reforecast(forecast=forecast, actual=[0] * 48, rostered=[0] * 48, now_minute=0, staffing=night)
    assert start.ratio_reason == "nothing_yet" and start.half_hours[0].required == 2


def test_shrinkage_and_concurrency_come_from_the_shop():
    params = StaffingParameters(aht_seconds=360, answer_seconds=180, service_level=0.8, max_occupancy=1.0,
                                shrinkage=0.5, concurrency=2, window=WINDOW)
    # AHT 360 ÷ 1.7 → volume 17 gives A = 17 × 211.76 ÷ 1800 = 2.0: 3 raw agents (as volume 20 above), ÷ 0.5 → 6
    result = reforecast(forecast=flat(17), actual=[0] * 48, rostered=[0] * 48, now_minute=0, staffing=params)
    assert result.half_hours[16].required == 6


def test_lengths_are_checked():
    with pytest.raises(ValueError, match="forecast"):
        reforecast(forecast=[1.0] * 47, actual=[0] * 48, rostered=[0] * 48, now_minute=0, staffing=PARAMS)


def test_many_shops_at_once_give_each_shop_s_own_figures():
    other = StaffingParameters(aht_seconds=360, answer_seconds=30, service_level=0.9, max_occupancy=0.85,
                               shrinkage=0.3, concurrency=3, window=tuple(range(18, 46)))
    shops = [
        ShopInput(forecast=flat(10), actual=[int(v) for v in day(h16=20, h17=20)], rostered=[2] * 48, staffing=PARAMS),
        ShopInput(forecast=flat(40, range(18, 46)), actual=[0] * 48, rostered=[0] * 48, staffing=other),
        ShopInput(forecast=flat(17), actual=[0] * 48, rostered=[1] * 48, staffing=PARAMS),
    ]
    together = reforecast_all(shops, now_minute=NINE)
    alone = [reforecast(forecast=s.forecast, actual=s.actual, rostered=s.rostered, now_minute=NINE, staffing=s.staffing)
             for s in shops]
    assert together == alone
    assert [h.required for h in together[0].half_hours[16:22]] == [3] * 6
