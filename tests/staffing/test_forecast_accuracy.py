"""Forecast accuracy: WAPE and bias by hand, snapshots a day and a week ahead, scoring against the sessions
that arrived (compliance fills staffing's registry), and the panel on the forecast page in both languages."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from compliance.sessions.models import ChatSession
from staffing.forecasting.accuracy import Errors, day_errors, total
from staffing.forecasting.models import ForecastSnapshot, Promotion
from staffing.forecasting.selectors import forecast_accuracy
from staffing.forecasting.services import forecast_accuracy_score, forecast_override_set, forecast_snapshots_take
from staffing.forecasting.tasks import forecast_accuracy_score_task
from tests.language import DataWords, data_texts, foreign_words
from tests.staffing.factories import SHANGHAI, feed_history

# --- the pure module, on cases computed by hand ---------------------------------------------------------


def test_wape_and_bias_of_one_day():
    e = day_errors([10, 20, 0, 30], [12, 15, 5, 30])
    # |10-12| + |20-15| + |0-5| + |30-30| = 2 + 5 + 5 + 0 = 12 over 60 actual; forecast 62.
    assert (e.actual, e.forecast, e.absolute, e.days) == (60, 62, 12, 1)
    assert e.wape == pytest.approx(0.2)
    assert e.bias == pytest.approx(2 / 60)


def test_errors_in_both_directions_do_not_cancel_in_wape_but_do_in_bias():
    e = day_errors([10, 10], [15, 5])
    assert e.wape == pytest.approx(0.5)  # 5 + 5 missed out of 20
    assert e.bias == 0.0


def test_sums_not_means_over_days():
    # Day 1: 10 actual, 20 forecast (WAPE 100 %); day 2: 90 and 90 (0 %). Over both: 10 / 100, not 50 %.
    both = total([day_errors([10], [20]), day_errors([90], [90])])
    assert both.days == 2
    assert both.wape == pytest.approx(0.1)
    assert both.bias == pytest.approx(0.1)


def test_zero_actuals():
    nothing = day_errors([0, 0], [0, 0])
    assert (nothing.wape, nothing.bias, nothing.over_forecast) == (0.0, 0.0, 0.0)
    missed = day_errors([0, 0], [3, 1])
    assert missed.wape is None and missed.bias is None
    assert missed.over_forecast == 4
    assert Errors().wape is None and Errors().bias is None  # no day at all: no figure


def test_refuses_mismatched_or_negative_volumes():
    with pytest.raises(ValueError):
        day_errors([1, 2], [1])
    with pytest.raises(ValueError):
        day_errors([-1], [1])


# --- snapshots and scoring ------------------------------------------------------------------------------

TARGET = date(2026, 3, 10)  # a Tuesday, no holiday


def _sessions(shop, day: date, per_slot: dict[int, int]) -> None:
    rows = []
    for slot, n in per_slot.items():
        start = datetime.combine(day, time(slot // 2, 30 * (slot % 2)), tzinfo=SHANGHAI)
        for i in range(n):
            at = start + timedelta(seconds=10 * i)
            rows.append(ChatSession(shop=shop, external_id=f"{day}-{slot}-{i}", buyer=f"b{slot}-{i}", started_at=at,
                                    ended_at=at + timedelta(minutes=5)))
    ChatSession.objects.bulk_create(rows)


@pytest.fixture
def scored(tenants):
    """History of 10 chats per half hour 8:00–23:00 and 1 at night on workdays (318 a day), so the model
    forecasts exactly that for the Tuesday. A manager sets the day to 310 the evening before. What arrives:
    10 per day half hour except 20 at 10:00, nothing at night (310)."""
    shop, other = tenants[0].shop, tenants[1].shop
    feed_history(shop, start=TARGET - timedelta(days=70), days=62)
    feed_history(other, start=TARGET - timedelta(days=70), days=62)
    forecast_snapshots_take(today=TARGET - timedelta(days=7), shops=[shop, other])
    forecast_override_set(shop=shop, day=TARGET, volume=310)
    forecast_snapshots_take(today=TARGET - timedelta(days=1), shops=[shop, other])
    actual = {slot: 10 for slot in range(16, 46)}
    actual[20] = 20
    _sessions(shop, TARGET, actual)
    scored = forecast_accuracy_score(first=TARGET - timedelta(days=6), last=TARGET)
    return shop, other, scored


MODEL_ABS = 18 * 1 + 10  # the night's 18 half hours at 1 each, and 10:00 short by 10
OVERRIDE = [310 * 10 / 318] * 30  # the override keeps the model's shape
OVERRIDE_ABS = 18 * 310 / 318 + 29 * (10 - 310 * 10 / 318) + (20 - 310 * 10 / 318)


def test_snapshots_keep_the_model_and_the_override_as_they_stood(scored):
    shop, other, _count = scored
    rows = {(s.horizon, s.source): s for s in ForecastSnapshot.objects.filter(shop=shop, target_date=TARGET)}
    assert set(rows) == {("week", "model"), ("day", "model"), ("day", "override")}
    assert rows["week", "model"].made_on == TARGET - timedelta(days=7)
    assert rows["day", "model"].total == pytest.approx(318)
    assert rows["day", "override"].total == pytest.approx(310)
    # The other shop had no override: the model only.
    assert not ForecastSnapshot.objects.filter(shop=other, source="override").exists()


def test_scored_against_the_sessions_that_arrived(scored):
    shop, other, count = scored
    day_model = ForecastSnapshot.objects.get(shop=shop, target_date=TARGET, horizon="day", source="model")
    assert day_model.actual == 310
    assert day_model.absolute_error == pytest.approx(MODEL_ABS)
    override = ForecastSnapshot.objects.get(shop=shop, target_date=TARGET, horizon="day", source="override")
    assert override.absolute_error == pytest.approx(OVERRIDE_ABS, abs=0.05)  # volumes kept to 3 decimals
    # The other shop has no session stored that day (nor the first shop on the other days): not scored.
    assert count == 3
    assert not ForecastSnapshot.objects.filter(shop=other, scored_at__isnull=False).exists()


def test_accuracy_table_compares_the_override_with_the_model(scored):
    shop, _other, _count = scored
    rows = forecast_accuracy(shop=shop, first=TARGET - timedelta(days=7), last=TARGET)
    assert [r.phase for r in rows] == ["all", ""]
    day = rows[0].day
    assert day.model.wape == pytest.approx(MODEL_ABS / 310)
    assert day.model.bias == pytest.approx(8 / 310)
    assert day.override.wape == pytest.approx(OVERRIDE_ABS / 310, abs=1e-4)
    assert day.override.bias == pytest.approx(0.0)
    assert day.model_on_override_days.wape == pytest.approx(MODEL_ABS / 310)
    assert day.override_helped is False  # the model was closer that day
    assert rows[0].week.model.wape == pytest.approx(MODEL_ABS / 310)
    assert rows[0].week.override.days == 0


def test_per_promotion_phase(tenants):
    shop = tenants[0].shop
    feed_history(shop, start=TARGET - timedelta(days=70), days=62)
    Promotion.objects.create(code="t-promo", name="测试大促", presale_start=TARGET - timedelta(days=3),
                             peak_start=TARGET, peak_end=TARGET, tail_end=TARGET + timedelta(days=3), peak_uplift=2.0)
    forecast_snapshots_take(today=TARGET - timedelta(days=1), shops=[shop])
    forecast_snapshots_take(today=TARGET, shops=[shop])
    _sessions(shop, TARGET, {slot: 20 for slot in range(16, 46)})  # 600: the peak doubled the day time
    _sessions(shop, TARGET + timedelta(days=1), {slot: 10 for slot in range(16, 46)})
    forecast_accuracy_score(first=TARGET, last=TARGET + timedelta(days=1))
    rows = {r.phase: r for r in forecast_accuracy(shop=shop, first=TARGET, last=TARGET + timedelta(days=1))}
    assert set(rows) == {"all", "peak", "tail"}
    peak = rows["peak"].day.model
    # Forecast 318 × 2 = 636: day half hours 20 each (exact), night 2 each against 0 → 36 over 600.
    assert peak.wape == pytest.approx(36 / 600)
    assert peak.bias == pytest.approx(36 / 600)
    assert rows["all"].day.model.days == 2


def test_the_nightly_task_scores_yesterday(scored, time_machine):
    shop, _other, _count = scored
    ForecastSnapshot.objects.update(scored_at=None, actual=None, absolute_error=None)
    time_machine.move_to(datetime.combine(TARGET + timedelta(days=1), time(3, 30), tzinfo=SHANGHAI), tick=False)
    assert forecast_accuracy_score_task.delay(days=14).get() == 3


def test_forecast_page_shows_accuracy_in_one_language(client, scored, manager, time_machine):
    shop, other, _count = scored
    time_machine.move_to(datetime.combine(TARGET + timedelta(days=1), time(9), tzinfo=SHANGHAI), tick=False)
    client.force_login(manager)
    url = reverse("staffing:forecast-shop", args=[shop.code])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="forecast-accuracy"' in page and "预测准确度" in page
    assert f"{MODEL_ABS / 310 * 100:.1f}%" in page  # the model's WAPE, day-ahead and week-ahead
    assert f"{8 / 310 * 100:+.1f}%" in page  # its bias
    assert "模型更准" in page
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Forecast accuracy" in english and "The model was closer" in english
    data = DataWords(data_texts())
    assert foreign_words(english, "en", data) == []
    assert foreign_words(page, "zh-hans", data) == []
    # A shop with no scored day says so.
    empty = client.get(reverse("staffing:forecast-shop", args=[other.code])).content.decode()
    assert "No day to compare yet" in empty or "还没有可对比的日期" in empty


def test_merchant_sees_accuracy_of_own_shop_only(client, scored, time_machine, tenants):
    shop, other, _count = scored
    time_machine.move_to(datetime.combine(TARGET + timedelta(days=1), time(9), tzinfo=SHANGHAI), tick=False)
    client.force_login(tenants[1].user)
    assert client.get(reverse("staffing:forecast-shop", args=[shop.code])).status_code == 404
    client.force_login(tenants[0].user)
    assert "forecast-accuracy" in client.get(reverse("staffing:forecast-shop", args=[shop.code])).content.decode()


def test_arrivals_are_counted_per_local_half_hour(tenants):
    """The registered source counts sessions by their start in Asia/Shanghai: 23:59 belongs to the day's last
    half hour, 00:00 the next day's first, 10:29:59 to 10:00 and 10:30 to 10:30; another shop's sessions and
    days without any session are absent."""
    from staffing.forecasting.actuals import actual_volumes

    shop, other = tenants[0].shop, tenants[1].shop
    day = TARGET
    moments = [time(23, 59, 59), time(10, 29, 59), time(10, 30), time(0, 0)]
    rows = [ChatSession(shop=shop, external_id=f"m{i}", buyer="b", started_at=datetime.combine(day, t, tzinfo=SHANGHAI),
                        ended_at=datetime.combine(day, t, tzinfo=SHANGHAI) + timedelta(minutes=1))
            for i, t in enumerate(moments)]
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=SHANGHAI)
    rows.append(ChatSession(shop=shop, external_id="next", buyer="b", started_at=next_midnight,
                            ended_at=next_midnight + timedelta(minutes=1)))
    rows.append(ChatSession(shop=other, external_id="o", buyer="b", started_at=next_midnight,
                            ended_at=next_midnight + timedelta(minutes=1)))
    ChatSession.objects.bulk_create(rows)
    counts = actual_volumes(shop_ids=[shop.pk], first=day - timedelta(days=1), last=day + timedelta(days=1))
    assert set(counts) == {(shop.pk, day), (shop.pk, day + timedelta(days=1))}
    today_counts = counts[shop.pk, day]
    assert today_counts[47] == 1 and today_counts[20] == 1 and today_counts[21] == 1 and today_counts[0] == 1
    assert sum(today_counts) == 4
    assert counts[shop.pk, day + timedelta(days=1)][0] == 1 and sum(counts[shop.pk, day + timedelta(days=1)]) == 1


def test_forecast_index_shows_each_shops_day_ahead_wape(client, scored, manager, time_machine,
                                                        django_assert_max_num_queries):
    shop, other, _count = scored
    time_machine.move_to(datetime.combine(TARGET + timedelta(days=1), time(9), tzinfo=SHANGHAI), tick=False)
    client.force_login(manager)
    client.get(reverse("staffing:forecast-index"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("staffing:forecast-index")).content.decode()
    cell = page.split(f'data-wape="{shop.code}">', 1)[1].split("</td>", 1)[0]
    assert f"{MODEL_ABS / 310 * 100:.1f}%" in cell
    assert "—" in page.split(f'data-wape="{other.code}">', 1)[1].split("</td>", 1)[0]


def test_accuracy_over_the_api(api_client_for, scored, manager, tenants, agent):
    shop, _other, _count = scored
    url = f"/api/staffing/forecast/{shop.code}/accuracy/?first={TARGET - timedelta(days=7)}&last={TARGET}"
    body = api_client_for(tenants[0].user).get(url).json()
    assert body["shop"] == shop.code and [r["phase"] for r in body["rows"]] == ["all", ""]
    day = body["rows"][0]["day"]
    assert day["model"]["days"] == 1 and day["model"]["actual"] == 310
    assert day["model"]["wape"] == pytest.approx(MODEL_ABS / 310)
    assert day["override"]["wape"] == pytest.approx(OVERRIDE_ABS / 310, abs=1e-4)
    assert body["rows"][0]["week"]["override"] == {"days": 0, "actual": 0.0, "forecast": 0.0, "absolute_error": 0.0,
                                                   "wape": None, "bias": None}
    assert api_client_for(tenants[1].user).get(url).status_code == 404
    assert api_client_for(agent).get(url).status_code == 403
    bad = api_client_for(manager).get(f"/api/staffing/forecast/{shop.code}/accuracy/?first={TARGET}&last={TARGET - timedelta(days=1)}")
    assert bad.status_code == 400 and "last" in bad.json()["errors"]
    assert "first" in api_client_for(manager).get(f"/api/staffing/forecast/{shop.code}/accuracy/?first=0001-01-01").json()["errors"]
