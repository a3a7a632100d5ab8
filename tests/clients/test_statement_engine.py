"""Contracts §9 on crafted cases, every amount worked out by hand in the comments."""

from __future__ import annotations

import copy
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clients.statements.engine import ScenarioError, statement_compute

EXAMPLE = {
    "month": "2026-11", "service_start": "2026-11-10", "service_end": None,
    "lines": [
        {"code": "seats", "kind": "monthly", "quantity": 6, "unit_price": "4800.00"},
        {"code": "surge-1111", "kind": "daily", "quantity": 4, "unit_price": "260.00",
         "start": "2026-11-09", "end": "2026-11-12"},
        {"code": "sessions", "kind": "per_session",
         "tiers": [{"up_to": 500, "unit_price": "0.90"}, {"up_to": None, "unit_price": "0.70"}]},
        {"code": "commission", "kind": "commission", "rate": "0.02", "minimum": "1500.00"},
    ],
    "served_sessions": 1234, "attributed_sales": "250000.00",
    "credits": {"pct_per_missed_target": "5", "cap_pct": "15"},
    "targets": [
        {"metric": "reply_rate", "target": 0.95, "attained": 0.93, "better": "higher"},
        {"metric": "avg_response_seconds", "target": 30, "attained": 28.5, "better": "lower"},
    ],
}


def scenario(**changes):
    data = copy.deepcopy(EXAMPLE)
    data.update(changes)
    return data


def test_the_contract_example():
    out = statement_compute(EXAMPLE)
    # seats 6 × 4800 × 21/30 = 20160; surge: 10, 11, 12 Nov active = 3 days × 4 × 260 = 3120;
    # sessions 500 × 0.90 + 734 × 0.70 = 450 + 513.80 = 963.80; commission max(5000, 1500 × 21/30 = 1050) = 5000.
    assert out["lines"] == [
        {"code": "seats", "amount": "20160.00"}, {"code": "surge-1111", "amount": "3120.00"},
        {"code": "sessions", "amount": "963.80"}, {"code": "commission", "amount": "5000.00"},
    ]
    assert out["service_fees"] == "24243.80" and out["commission"] == "5000.00"
    # one missed target (reply rate) → 5%: 24243.80 × 0.05 = 1212.19; total 24243.80 + 5000 − 1212.19.
    assert (out["missed_targets"], out["credit_pct"], out["credit"], out["total"]) == (
        ["reply_rate"], "5", "1212.19", "28031.61")


def test_partial_month_with_an_end_and_the_minimum_commission_pro_rata():
    out = statement_compute(scenario(
        month="2026-02", service_start="2026-01-15", service_end="2026-02-10", attributed_sales="1000.00",
        lines=[{"code": "seats", "kind": "monthly", "quantity": 1, "unit_price": "1000.00"},
               {"code": "c", "kind": "commission", "rate": "0.02", "minimum": "1500.00"}],
        targets=[]))
    # February 2026 has 28 days, 10 active: 1000 × 10/28 = 357.142… → 357.14; minimum 1500 × 10/28 = 535.714… → 535.71
    # beats 2% of 1000 = 20.
    assert [line["amount"] for line in out["lines"]] == ["357.14", "535.71"]
    assert out["total"] == "892.85"


def test_service_outside_the_month_means_no_active_days():
    out = statement_compute(scenario(service_start="2026-12-01"))
    # seats 0, surge 0, sessions still charged by count (963.80), commission max(5000, 0).
    assert [line["amount"] for line in out["lines"]] == ["0.00", "0.00", "963.80", "5000.00"]


def test_tiers_at_the_boundary_and_below_it():
    for served, expected in ((0, "0.00"), (500, "450.00"), (501, "450.70"), (3, "2.70")):
        out = statement_compute(scenario(served_sessions=served))
        assert out["lines"][2]["amount"] == expected, served
    three = [{"up_to": 10, "unit_price": "1"}, {"up_to": 20, "unit_price": "0.5"}, {"up_to": None, "unit_price": "0.1"}]
    lines = [{"code": "s", "kind": "per_session", "tiers": three}]
    # 10 × 1 + 10 × 0.5 + 5 × 0.1 = 15.50
    assert statement_compute(scenario(lines=lines, served_sessions=25))["lines"][0]["amount"] == "15.50"


def test_credit_is_capped_and_never_touches_commission():
    targets = [{"metric": f"m{i}", "target": 1, "attained": 0, "better": "higher"} for i in range(4)]
    targets.append({"metric": "null", "target": 1, "attained": None, "better": "higher"})  # never missed
    targets.append({"metric": "equal", "target": 30, "attained": 30, "better": "lower"})  # not strictly worse
    out = statement_compute(scenario(targets=targets))
    # 4 missed × 5% = 20%, capped at 15%: 24243.80 × 0.15 = 3636.57; commission 5000 untouched.
    assert out["missed_targets"] == ["m0", "m1", "m2", "m3"]
    assert (out["credit_pct"], out["credit"], out["total"]) == ("15", "3636.57", "25607.23")


def test_commission_line_added_when_absent_and_adjustments_add_to_the_total():
    out = statement_compute(scenario(
        lines=[{"code": "seats", "kind": "monthly", "quantity": 1, "unit_price": "3000"},
               {"code": "adjustment-2026-10", "kind": "adjustment", "amount": "-12.34"}],
        targets=[]))
    # 3000 × 21/30 = 2100; adjustment −12.34; no commission line in the input → "0.00" last.
    assert out["lines"] == [{"code": "seats", "amount": "2100.00"}, {"code": "adjustment-2026-10", "amount": "-12.34"},
                            {"code": "commission", "amount": "0.00"}]
    assert (out["service_fees"], out["commission"], out["total"]) == ("2100.00", "0.00", "2087.66")


def test_half_up_rounding_per_line():
    lines = [{"code": "a", "kind": "daily", "quantity": 1, "unit_price": "0.005"},
             {"code": "b", "kind": "daily", "quantity": 1, "unit_price": "0.005"}]
    out = statement_compute(scenario(lines=lines, month="2026-11", service_start="2026-11-30", targets=[]))
    # each line 0.005 → 0.01 (half up, rounded once per line); fees add rounded amounts: 0.02
    assert [line["amount"] for line in out["lines"][:2]] == ["0.01", "0.01"] and out["service_fees"] == "0.02"


def test_every_error_named_by_its_path():
    bad = scenario()
    bad["lines"][0]["kind"] = "yearly"
    bad["lines"][1]["end"] = "2026-11-31"
    bad["lines"][2]["tiers"][1]["up_to"] = 500
    bad["lines"][3]["minimum"] = "-1"
    with pytest.raises(ScenarioError) as caught:
        statement_compute(bad)
    assert caught.value.errors == [
        "lines[0].kind: unknown kind 'yearly'; expected one of monthly, daily, per_session, commission, adjustment",
        "lines[1].end: not a valid date: '2026-11-31'",
        "lines[2].tiers[1].up_to: must be greater than 500",
        "lines[3].minimum: must not be negative (got -1)",
    ]


def test_command(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(EXAMPLE), encoding="utf-8")
    out = StringIO()
    call_command("statement_compute", "--input", str(path), stdout=out)
    assert json.loads(out.getvalue())["total"] == "28031.61"
    bad = scenario(month="2026-13")
    path.write_text(json.dumps(bad), encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("statement_compute", "--input", str(path), stdout=out, stderr=err)
    assert caught.value.returncode == 2 and "month: not a valid month: '2026-13'" in err.getvalue()
    assert out.getvalue() == ""
