"""Erlang C (contracts §2): the vectorised code against a scalar reference, known values, the command."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bench.erlang_reference import erlang_b_inverse, staff_one
from clients.sales.seats import SeatRequest, estimate_seats
from staffing.forecasting.erlang import (
    ErlangInputError,
    erlang_b,
    erlang_c,
    refund_agents,
    refund_volume,
    staff_interval,
    staff_intervals,
    tail_shares,
)


def test_erlang_b_matches_textbook_values():
    # Classic table values: A=2, N=2 → B = 0.4; A=10, N=10 → 0.2146 (to 4 places)
    assert erlang_b(2.0, 2) == pytest.approx(0.4)
    assert erlang_b(10.0, 10) == pytest.approx(0.21458, abs=1e-5)
    assert erlang_b([1.0, 5.0, 50.0], [1, 8, 60]) == pytest.approx(
        [erlang_b_inverse(1.0, 1), erlang_b_inverse(5.0, 8), erlang_b_inverse(50.0, 60)], rel=1e-12
    )


def test_erlang_b_is_stable_for_large_traffic():
    b = float(erlang_b(3000.0, 3200))
    assert 0 < b < 1e-4
    assert b == pytest.approx(erlang_b_inverse(3000.0, 3200), rel=1e-9)
    # far beyond the traffic the forward recursion would overflow 1/B; B simply goes to 0
    assert 0 <= float(erlang_b(5.0, 2000)) < 1e-300


def test_erlang_c_textbook_value():
    # A = 10 Erlangs on 12 agents: P(wait) ≈ 0.4493 (standard tables)
    assert float(erlang_c(10.0, 12)) == pytest.approx(0.44939, abs=1e-4)


def test_single_interval_follows_the_contract_semantics():
    r = staff_interval(
        volume=100, interval_minutes=30, aht_seconds=180, answer_seconds=180,
        service_level=0.8, max_occupancy=0.85, shrinkage=0.3,
    )
    # A = 100 × 180 / 1800 = 10 Erlangs; occupancy cap 0.85 forces N ≥ 12, which already meets 80 %.
    assert r.traffic == pytest.approx(10.0)
    assert r.raw_agents == 12
    assert r.agents == math.ceil(12 / 0.7)
    assert r.occupancy == pytest.approx(10 / 12)
    # one fewer agent would break the cap
    assert 10 / 11 > 0.85


def test_raw_agents_is_the_smallest_meeting_service_level():
    kwargs = dict(volume=300, interval_minutes=30, aht_seconds=240, answer_seconds=20, service_level=0.9)
    r = staff_interval(**kwargs)
    a = r.traffic
    assert r.raw_agents > a
    assert r.service_level >= 0.9

    def sl(n):
        b = erlang_b_inverse(a, n)
        pw = n * b / (n - a * (1 - b))
        return 1 - pw * math.exp(-(n - a) * 20 / 240)

    assert sl(r.raw_agents - 1) < 0.9
    assert r.asa_seconds == pytest.approx(r.waiting_probability * 240 / (r.raw_agents - a))


def test_shrinkage_rounding_is_not_fooled_by_floating_point():
    # 14 / 0.7 is 20.000000000000004 in floating point; seats must be 20, not 21
    r = staff_intervals([0.0], aht_seconds=180, answer_seconds=20, service_level=0.8, shrinkage=0.3)
    assert r.raw_agents[0] == 1
    from staffing.forecasting.erlang import seats_for

    assert seats_for(14, 0.3) == 20
    assert seats_for(15, 0.3) == 22


def test_concurrency_divides_handling_time_by_the_efficiency_factor():
    one = staff_interval(volume=600, aht_seconds=180, answer_seconds=20, service_level=0.8, concurrency=1)
    three = staff_interval(volume=600, aht_seconds=180, answer_seconds=20, service_level=0.8, concurrency=3)
    same = staff_interval(volume=600, aht_seconds=180 / 2.5, answer_seconds=20, service_level=0.8)
    assert three.traffic == pytest.approx(one.traffic / 2.5)
    assert three.raw_agents == same.raw_agents
    assert three.raw_agents < one.raw_agents


def test_zero_volume_needs_one_agent_by_the_strict_definition():
    r = staff_interval(volume=0, aht_seconds=180, answer_seconds=20, service_level=0.8)
    assert (r.raw_agents, r.service_level, r.waiting_probability, r.asa_seconds) == (1, 1.0, 0.0, 0.0)


def test_vectorised_equals_scalar_reference_on_random_intervals():
    rng = np.random.default_rng(7)
    n = 400
    volume = rng.integers(0, 900, n).astype(float)
    aht = rng.uniform(60, 400, n)
    answer = rng.choice([20.0, 30.0, 60.0, 180.0], n)
    occ = rng.choice([0.8, 0.85, 1.0], n)
    result = staff_intervals(
        volume, interval_minutes=30, aht_seconds=aht, answer_seconds=answer,
        service_level=0.8, max_occupancy=occ, shrinkage=0.25, concurrency=2,
    )
    for i in range(n):
        ref = staff_one(volume[i], 30, aht[i], answer[i], 0.8, occ[i], 0.25, 2)
        got = result.at(i)
        assert got.raw_agents == ref["raw_agents"], i
        assert got.agents == ref["agents"], i
        assert got.service_level == pytest.approx(ref["service_level"], rel=1e-9, abs=1e-12)
        assert got.waiting_probability == pytest.approx(ref["waiting_probability"], rel=1e-9, abs=1e-12)
        assert got.asa_seconds == pytest.approx(ref["asa_seconds"], rel=1e-9, abs=1e-12)
        assert got.occupancy == pytest.approx(ref["occupancy"], rel=1e-12)


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("volume", {"volume": -1}),
        ("interval_minutes", {"interval_minutes": 0}),
        ("aht_seconds", {"aht_seconds": 0}),
        ("service_level", {"service_level": 1.0}),
        ("max_occupancy", {"max_occupancy": 0}),
        ("shrinkage", {"shrinkage": 1.0}),
        ("concurrency", {"concurrency": 6}),
    ],
)
def test_bad_input_names_the_field(field, kwargs):
    base = dict(volume=10, interval_minutes=30, aht_seconds=180, answer_seconds=20, service_level=0.8)
    base.update(kwargs)
    with pytest.raises(ErlangInputError) as err:
        staff_interval(**base)
    assert err.value.field == field


def test_after_sales_formula():
    shares = tail_shares(5)
    assert shares.sum() == pytest.approx(1.0)
    assert shares[0] > shares[-1]
    daily = refund_volume(orders=20000, refund_rate=0.08, day_shares=[0.4, 0.3, 0.2, 0.1])
    assert daily == pytest.approx([640, 480, 320, 160])
    assert list(refund_agents(daily_refunds=daily, refunds_per_agent=80)) == [8, 6, 4, 2]
    assert list(refund_agents(daily_refunds=[161], refunds_per_agent=80)) == [3]
    with pytest.raises(ErlangInputError):
        refund_agents(daily_refunds=[1], refunds_per_agent=0)


def run_erlang(*args):
    out = io.StringIO()
    call_command("erlang", *args, stdout=out)
    return json.loads(out.getvalue())


def test_command_prints_exactly_the_contract_keys():
    data = run_erlang(
        "--volume", "100", "--interval-minutes", "30", "--aht-seconds", "180", "--answer-seconds", "180",
        "--service-level", "0.8", "--max-occupancy", "0.85", "--shrinkage", "0.3",
    )
    assert list(data) == ["raw_agents", "agents", "service_level", "occupancy", "waiting_probability", "asa_seconds"]
    assert data["raw_agents"] == 12
    assert data["agents"] == 18
    assert data["occupancy"] == 0.833


def test_command_defaults_are_plain_erlang_c():
    data = run_erlang(
        "--volume", "100", "--interval-minutes", "30", "--aht-seconds", "180", "--answer-seconds", "20",
        "--service-level", "0.8",
    )
    ref = staff_one(100, 30, 180, 20, 0.8)
    assert data["raw_agents"] == data["agents"] == ref["raw_agents"]


def test_command_bad_input_names_the_option_and_exits_2():
    with pytest.raises(CommandError) as err:
        run_erlang(
            "--volume", "100", "--interval-minutes", "30", "--aht-seconds", "180", "--answer-seconds", "20",
            "--service-level", "1.5",
        )
    assert "--service-level" in str(err.value)
    assert err.value.returncode == 2


def test_command_from_the_shell_exits_2_on_bad_input():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "manage.py", "erlang", "--volume", "10", "--interval-minutes", "30", "--aht-seconds",
         "-5", "--answer-seconds", "20", "--service-level", "0.8"],
        cwd=root, capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 2
    assert "--aht-seconds" in proc.stderr
    assert proc.stdout == ""


def test_seat_estimator_is_registered_for_quotes():
    est = estimate_seats(
        SeatRequest(volume=100, interval_minutes=30, aht_seconds=180, answer_seconds=180, service_level=0.8,
                    max_occupancy=0.85, shrinkage=0.3)
    )
    assert (est.raw_agents, est.agents) == (12, 18)
    assert "Erlang C" in est.method


def test_occupancy_cap_boundary_matches_the_reference_on_many_fractions():
    # traffic values whose A / cap lands on or next to a whole number, where floating point is treacherous
    volume = np.arange(1, 301, dtype=float) * 0.85 * 10  # A = k × 0.85 with AHT = interval / 10
    caps = np.full(volume.shape, 0.85)
    result = staff_intervals(volume, interval_minutes=30, aht_seconds=180, answer_seconds=0, service_level=0,
                             max_occupancy=caps)
    for i in range(volume.size):
        ref = staff_one(volume[i], 30, 180, 0, 0, 0.85)
        assert result.raw_agents[i] == ref["raw_agents"], volume[i]
