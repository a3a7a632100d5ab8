"""Contracts §8 on crafted cases, every figure worked out by hand in the comments."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from compliance.quality.sales.engine.attribution import AgentMessage, Order, attribute_orders, sales_metrics
from compliance.quality.sales.engine.orderfile import parse_orders
from compliance.sessions.sessionfile import SHANGHAI


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def msg(buyer: str, agent: str | None, when: str) -> AgentMessage:
    return AgentMessage(buyer=buyer, agent=agent, sent_at=t(when))


def order(oid: str, buyer: str, created: str, paid: str | None, amount: str, refund: str = "0") -> Order:
    return Order(oid, buyer, t(created), t(paid) if paid else None, Decimal(amount), Decimal(refund))


def test_window_edges_exactly_24h_counts_and_one_second_more_is_silent():
    messages = [msg("b1", "a01", "2026-11-01 10:00:00"), msg("b2", "a02", "2026-11-01 09:59:59")]
    orders = [order("o1", "b1", "2026-11-02 10:00:00", None, "10"), order("o2", "b2", "2026-11-02 10:00:00", None, "10")]
    result = attribute_orders(messages, orders)
    assert (result[0].agent, result[0].attributed_at) == ("a01", t("2026-11-01 10:00:00"))
    assert (result[1].agent, result[1].attributed_at) == (None, None)
    # A 2-hour window: neither is close enough.
    assert [r.agent for r in attribute_orders(messages, orders, window_hours=2)] == [None, None]


def test_last_message_at_or_before_created_wins_later_messages_do_not_attribute():
    messages = [
        msg("b1", "a01", "2026-11-01 09:00:00"),
        msg("b1", "a02", "2026-11-01 10:00:00"),  # exactly at created_at: counts, and is the last
        msg("b1", "a03", "2026-11-01 10:00:01"),  # after: never attributes
    ]
    [result] = attribute_orders(messages, [order("o1", "b1", "2026-11-01 10:00:00", "2026-11-01 10:30:00", "50")])
    assert result.agent == "a02"


def test_equal_times_the_later_input_message_is_the_last():
    messages = [msg("b1", "a01", "2026-11-01 09:00:00"), msg("b1", "a02", "2026-11-01 09:00:00")]
    [result] = attribute_orders(messages, [order("o1", "b1", "2026-11-01 10:00:00", None, "5")])
    assert result.agent == "a02"


def test_other_buyers_messages_never_attribute():
    messages = [msg("b2", "a01", "2026-11-01 09:00:00")]
    [result] = attribute_orders(messages, [order("o1", "b1", "2026-11-01 10:00:00", None, "5")])
    assert result.agent is None


def test_day_figures_midnight_refunds_silent_orders():
    messages = [
        # b1 talks to a01 at 23:59:59 on the 1st; orders just after midnight: the sale belongs to the 1st.
        msg("b1", "a01", "2026-11-01 23:59:59"),
        # b2 talks to a01 and a02 on the 2nd; a02's message is the last before the order.
        msg("b2", "a01", "2026-11-02 09:00:00"),
        msg("b2", "a02", "2026-11-02 09:30:00"),
        # b3 talks to a02 on the 2nd, orders but never pays.
        msg("b3", "a02", "2026-11-02 10:00:00"),
    ]
    orders = [
        order("o1", "b1", "2026-11-02 00:00:30", "2026-11-02 00:01:00", "200.00", "50.00"),  # net 150.00
        order("o2", "b2", "2026-11-02 10:00:00", "2026-11-02 10:01:00", "99.99"),
        order("o3", "b2", "2026-11-02 11:00:00", "2026-11-02 11:01:00", "0.02"),  # second order, same buyer
        order("o4", "b3", "2026-11-02 12:00:00", None, "300"),  # unpaid: no sale
        order("o5", "b9", "2026-11-02 12:00:00", "2026-11-02 12:00:00", "1000"),  # silent order
    ]
    out = sales_metrics(messages, orders)
    assert [o["agent"] for o in out["orders"]] == ["a01", "a02", "a02", "a02", None]
    rows = {(d["date"], d["agent"]): d for d in out["days"]}
    assert list(rows) == [("2026-11-01", None), ("2026-11-01", "a01"), ("2026-11-02", None),
                          ("2026-11-02", "a01"), ("2026-11-02", "a02")]
    day1 = rows[("2026-11-01", "a01")]
    assert (day1["inquiring_buyers"], day1["converted_buyers"], day1["sales"], day1["avg_order_value"]) == (
        1, 1, "150.00", "150.00")
    shop2 = rows[("2026-11-02", None)]
    # b2 and b3 inquired on the 2nd; b2 converted (two orders, 100.01 in all); b3's order is unpaid.
    assert (shop2["inquiring_buyers"], shop2["converted_buyers"], shop2["conversion_rate"]) == (2, 1, 0.5)
    assert (shop2["sales"], shop2["paying_buyers"], shop2["avg_order_value"]) == ("100.01", 1, "100.01")
    a01 = rows[("2026-11-02", "a01")]
    assert (a01["inquiring_buyers"], a01["converted_buyers"], a01["conversion_rate"], a01["sales"]) == (
        1, 0, 0.0, "0.00")
    assert a01["avg_order_value"] is None
    a02 = rows[("2026-11-02", "a02")]
    assert (a02["inquiring_buyers"], a02["converted_buyers"], a02["sales"]) == (2, 1, "100.01")
    # The silent order's 1000 appears nowhere.
    assert all(d["sales"] != "1000.00" for d in out["days"])


def test_reminders_before_payment_and_within_24h_for_unpaid_orders():
    messages = [
        msg("b1", "a01", "2026-11-03 10:00:00"),  # attributes o1 (created 10:05)
        msg("b1", "a02", "2026-11-03 10:05:00"),  # same second as created_at: not "after", no reminder
        msg("b1", "a03", "2026-11-03 11:00:00"),  # first after created, before paid: the reminder
        msg("b1", "a01", "2026-11-03 12:00:00"),  # later: not the first
        msg("b2", "a02", "2026-11-04 10:00:00"),  # o2 never paid, created 2026-11-03 10:00: exactly 24 h: reminded
        msg("b3", "a02", "2026-11-04 10:00:01"),  # o3 never paid, 24 h and 1 s: not reminded
        msg("b4", "a03", "2026-11-03 10:00:00"),  # o4 reminded; paid 24 h 1 s after the reminder: not paid
        msg("b5", "a03", "2026-11-03 10:00:00"),  # o5 reminded; paid exactly 24 h after: paid reminder
    ]
    orders = [
        order("o1", "b1", "2026-11-03 10:05:00", "2026-11-03 13:00:00", "10"),
        order("o2", "b2", "2026-11-03 10:00:00", None, "10"),
        order("o3", "b3", "2026-11-03 10:00:00", None, "10"),
        order("o4", "b4", "2026-11-03 09:00:00", "2026-11-04 10:00:01", "10"),
        order("o5", "b5", "2026-11-03 09:00:00", "2026-11-04 10:00:00", "10"),
    ]
    results = attribute_orders(messages, orders)
    assert [r.reminder_agent for r in results] == ["a03", "a02", None, "a03", "a03"]
    assert [r.reminder_paid for r in results] == [True, False, False, False, True]
    out = sales_metrics(messages, orders)
    rows = {(d["date"], d["agent"]): d for d in out["days"]}
    assert (rows[("2026-11-03", "a03")]["reminded_orders"], rows[("2026-11-03", "a03")]["reminders_paid"]) == (3, 2)
    assert (rows[("2026-11-04", "a02")]["reminded_orders"], rows[("2026-11-04", "a02")]["reminders_paid"]) == (1, 0)
    assert (rows[("2026-11-03", None)]["reminded_orders"], rows[("2026-11-03", None)]["reminders_paid"]) == (3, 2)


def test_reminder_periods_stay_24h_whatever_the_window():
    messages = [msg("b1", "a01", "2026-11-04 10:00:00")]
    orders = [order("o1", "b1", "2026-11-03 10:00:00", None, "10")]
    assert attribute_orders(messages, orders, window_hours=1)[0].reminder_agent == "a01"


def test_conversion_rate_rounds_half_up_to_3_decimals_and_money_half_up():
    # 1 of 16 = 0.0625 → 0.063 (half up; Python's round(0.0625, 3) gives 0.062).
    messages = [msg(f"b{i}", "a01", "2026-11-05 10:00:00") for i in range(16)]
    orders = [order("o1", "b0", "2026-11-05 11:00:00", "2026-11-05 11:00:00", "100")]
    out = sales_metrics(messages, orders)
    shop = out["days"][0]
    assert shop["conversion_rate"] == 0.063
    messages2 = [msg("b1", "a01", "2026-11-05 10:00:00"), msg("b2", "a01", "2026-11-05 10:00:00")]
    orders2 = [
        order("o1", "b1", "2026-11-05 11:00:00", "2026-11-05 11:00:00", "0.01"),
        order("o2", "b2", "2026-11-05 11:00:00", "2026-11-05 11:00:00", "0.00"),
    ]
    shop2 = sales_metrics(messages2, orders2)["days"][0]
    assert shop2["avg_order_value"] == "0.01"  # 0.005 rounds half up


def test_refunded_order_still_counts_as_converted_with_zero_sales():
    messages = [msg("b1", "a01", "2026-11-05 10:00:00")]
    orders = [order("o1", "b1", "2026-11-05 11:00:00", "2026-11-05 11:00:00", "80", "80")]
    row = sales_metrics(messages, orders)["days"][1]
    assert (row["converted_buyers"], row["sales"], row["avg_order_value"]) == (1, "0.00", "0.00")


def test_agent_message_without_code_counts_on_the_shop_row_only():
    messages = [msg("b1", None, "2026-11-05 10:00:00")]
    orders = [order("o1", "b1", "2026-11-05 11:00:00", "2026-11-05 11:00:00", "8")]
    out = sales_metrics(messages, orders)
    assert out["orders"] == [{"order_id": "o1", "agent": None, "attributed_at": "2026-11-05T10:00:00+08:00"}]
    assert [(d["agent"], d["sales"]) for d in out["days"]] == [(None, "8.00")]


# --- the order file reader ---------------------------------------------------------------------------------


def test_reader_accepts_bom_gbk_and_any_column_order():
    text = "买家备注,AMOUNT,order_id,buyer,created_at,paid_at,refund_amount\n好,12.5,o1,张三,2026-11-01 10:00:00,,\n"
    for data in (b"\xef\xbb\xbf" + text.encode(), text.encode("gbk")):
        parsed = parse_orders(data, "csv")
        assert parsed.ok, parsed.errors
        [row] = parsed.rows
        assert (row.order_id, row.buyer, row.amount, row.refund_amount, row.paid_at) == (
            "o1", "张三", Decimal("12.50"), Decimal("0.00"), None)
        assert row.created_at == t("2026-11-01 10:00:00")


def test_reader_names_every_bad_row_and_field():
    data = (
        b"order_id,buyer,created_at,paid_at,amount,refund_amount\n"
        b"o1,b1,2026-11-01T10:00:00,2026-11-01T09:00:00,10,\n"
        b"o2,b1,2026-11-01T10:00:00,2026-11-01T11:00:00,-1,\n"
        b"o3,b1,2026-11-01T10:00:00,2026-11-01T11:00:00,10,11\n"
        b"o4,b1,2026-11-01T10:00:00,2026-11-01T11:00:00,1.234,\n"
        b"o5,b1,2026-11-01T10:00:00,2026-11-01T11:00:00,abc,\n"
        b"o1,b1,2026-11-01T10:00:00,,10,\n"
        b"o7,b1,2026-11-01T10:00:00,,10,1\n"
        b"o8,b1,2026-11-01T10:00:00,,10,\n"
    )
    parsed = parse_orders(data, "csv")
    assert [(e.line, e.field) for e in parsed.errors] == [
        (2, "paid_at"), (3, "amount"), (4, "refund_amount"), (5, "amount"), (6, "amount"), (7, "order_id"),
        (8, "refund_amount"),
    ]
    assert "before created_at" in parsed.errors[0].message
    assert "larger than amount" in parsed.errors[2].message
    assert [r.order_id for r in parsed.rows] == ["o8"]


def test_reader_jsonl_and_xlsx():
    line = {"order_id": "o1", "buyer": "b1", "created_at": "2026-11-01T10:00:00+08:00",
            "paid_at": "2026-11-01T10:01:00+08:00", "amount": 19.9, "refund_amount": None}
    parsed = parse_orders((json.dumps(line) + "\n" + "{bad\n").encode(), "jsonl")
    assert parsed.rows[0].amount == Decimal("19.90")
    assert [(e.line, e.field) for e in parsed.errors] == [(2, "")]
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["order_id", "buyer", "created_at", "paid_at", "amount", "refund_amount"])
    sheet.append(["o1", "b1", datetime(2026, 11, 1, 10), datetime(2026, 11, 1, 10, 5), 19.9, 0])
    sheet.append(["o2", "b1", datetime(2026, 11, 1, 10), None, -3, None])
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = parse_orders(buffer.getvalue(), "xlsx")
    assert parsed.rows[0].amount == Decimal("19.90") and parsed.rows[0].created_at == t("2026-11-01 10:00:00")
    assert [(e.line, e.field) for e in parsed.errors] == [(3, "amount")]


# --- the command -------------------------------------------------------------------------------------------


def test_command_prints_the_contract_object_and_names_bad_rows(tmp_path):
    sessions = tmp_path / "s.jsonl"
    sessions.write_text(json.dumps({"session_id": "s1", "buyer": "b1", "messages": [
        {"id": "m1", "sender": "buyer", "sent_at": "2026-11-01T10:00:00+08:00", "text": "在吗"},
        {"id": "m2", "sender": "bot", "sent_at": "2026-11-01T10:00:01+08:00", "text": "自动回复"},
        {"id": "m3", "sender": "agent", "agent": "a01", "sent_at": "2026-11-01T10:03:12+08:00", "text": "在"},
    ]}) + "\n", encoding="utf-8")
    orders = tmp_path / "o.csv"
    orders.write_text("order_id,buyer,created_at,paid_at,amount,refund_amount\n"
                      "o1,b1,2026-11-01T10:10:00+08:00,2026-11-01T10:11:00+08:00,12345.60,\n"
                      "o2,b2,2026-11-01T10:10:00+08:00,,1,\n", encoding="utf-8")
    out = StringIO()
    call_command("sales_metrics", "--sessions", str(sessions), "--orders", str(orders), stdout=out)
    result = json.loads(out.getvalue())
    assert result["orders"] == [
        {"order_id": "o1", "agent": "a01", "attributed_at": "2026-11-01T10:03:12+08:00"},
        {"order_id": "o2", "agent": None, "attributed_at": None},
    ]
    assert result["days"][0] == {
        "date": "2026-11-01", "agent": None, "inquiring_buyers": 1, "converted_buyers": 1, "conversion_rate": 1.0,
        "sales": "12345.60", "paying_buyers": 1, "avg_order_value": "12345.60", "reminded_orders": 0,
        "reminders_paid": 0,
    }
    orders.write_text("order_id,buyer,created_at,paid_at,amount,refund_amount\n"
                      "o1,b1,2026-11-01T10:10:00+08:00,2026-11-01T10:09:00+08:00,12345.60,\n", encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("sales_metrics", "--sessions", str(sessions), "--orders", str(orders), stdout=out, stderr=err)
    assert caught.value.returncode == 2
    assert f"{orders}:2: paid_at: before created_at" in err.getvalue()
    assert out.getvalue() == ""


def test_window_hours_option(tmp_path):
    sessions = tmp_path / "s.jsonl"
    sessions.write_text(json.dumps({"session_id": "s1", "buyer": "b1", "messages": [
        {"id": "m1", "sender": "agent", "agent": "a01", "sent_at": "2026-11-01T08:00:00+08:00", "text": "在"},
    ]}) + "\n", encoding="utf-8")
    orders = tmp_path / "o.jsonl"
    orders.write_text(json.dumps({"order_id": "o1", "buyer": "b1", "created_at": "2026-11-01T11:00:00+08:00",
                                  "paid_at": None, "amount": "5"}) + "\n", encoding="utf-8")
    for hours, agent in (("2", None), ("3", "a01")):
        out = StringIO()
        call_command("sales_metrics", "--sessions", str(sessions), "--orders", str(orders),
                     "--window-hours", hours, stdout=out)
        assert json.loads(out.getvalue())["orders"][0]["agent"] == agent
