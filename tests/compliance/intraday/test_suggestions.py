"""Suggestions on crafted days: moves between shops first, then overtime within the roster's rules."""

from __future__ import annotations

from compliance.intraday.engine import AgentShift, ShopNeed, suggest

WINDOW = frozenset(range(16, 46))  # 08:00–23:00
A, B = 1, 2


def slots(value: int, first: int, last: int) -> tuple[int, ...]:
    """48 values: `value` in half hours first..last (inclusive), else 0."""
    return tuple(value if first <= i <= last else 0 for i in range(48))


def shift(sid: int, agent: int, shop: int, start: int, end: int, *, certified=(), week: int = 8 * 60,
          max_week: int = 44 * 60, next_start: int | None = None, rest: int = 11 * 60) -> AgentShift:
    return AgentShift(shift=sid, agent=agent, shop=shop, start_minute=start, end_minute=end, week_minutes=week,
                      max_week_minutes=max_week, next_start_minute=next_start, min_rest_minutes=rest,
                      certified=frozenset({shop, *certified}))


def test_an_agent_certified_for_both_shops_moves_where_the_surplus_meets_the_gap():
    # 08:00–16:00: A needs 2 and has 4 (surplus 2); B needs 3 from 10:00 to 12:00 and has 1
    needs = [
        ShopNeed(A, required=slots(2, 16, 31), rostered=slots(4, 16, 31), window=WINDOW),
        ShopNeed(B, required=slots(1, 16, 31)[:20] + slots(3, 20, 23)[20:24] + slots(1, 24, 31)[24:],
                 rostered=slots(1, 16, 31), window=WINDOW),
    ]
    shifts = [
        shift(10, 100, A, 480, 960),  # certified for A only
        shift(11, 101, A, 480, 960, certified=[B]),
        shift(12, 102, A, 480, 960, certified=[B]),
        shift(13, 103, A, 480, 960),
        shift(20, 200, B, 480, 960),
    ]
    out = suggest(needs=needs, shifts=shifts, now_minute=9 * 60 + 10)  # 09:10
    moves = [(s.kind, s.agent, s.from_shop, s.to_shop, s.start_minute, s.end_minute, s.half_hours) for s in out]
    # both certified agents go to B for 10:00–12:00 (half hours 20–23), each covering one of the 2 missing
    assert moves == [("move", 101, A, B, 600, 720, 4), ("move", 102, A, B, 600, 720, 4)]


def test_no_move_takes_a_shop_below_its_minimum_coverage_or_lasts_under_an_hour():
    needs = [
        # A needs 0 (quiet) and has 1: the minimum coverage of 1 keeps that one
        ShopNeed(A, required=slots(0, 16, 31), rostered=slots(1, 16, 31), window=WINDOW),
        ShopNeed(B, required=slots(2, 16, 31), rostered=slots(1, 16, 31), window=WINDOW),
    ]
    assert suggest(needs=needs, shifts=[shift(11, 101, A, 480, 960, certified=[B])], now_minute=540) == []
    # with a surplus only for half an hour (13:00), the move would be too short
    needs[0] = ShopNeed(A, required=slots(0, 16, 31), rostered=slots(2, 26, 26)[:26] + (2,) + slots(1, 27, 31)[27:],
                        window=WINDOW)
    assert [s for s in suggest(needs=needs, shifts=[shift(11, 101, A, 480, 960, certified=[B])], now_minute=540)
            if s.kind == "move"] == []


def test_overtime_extends_the_shift_ending_before_the_gap_up_to_the_limits():
    # B is short by 1 from 16:00 to 17:30 (half hours 32–34); agent 200's shift ends at 16:00
    needs = [ShopNeed(B, required=slots(2, 16, 34), rostered=slots(2, 16, 31) [:32] + (1, 1, 1) + (0,) * 13,
                      window=WINDOW)]
    out = suggest(needs=needs, shifts=[shift(20, 200, B, 480, 960)], now_minute=600)
    assert [(s.kind, s.agent, s.start_minute, s.end_minute, s.half_hours) for s in out] == [
        ("overtime", 200, 960, 1050, 3),
    ]
    # 43 h this week of at most 44: one hour more (2 half hours)
    out = suggest(needs=needs, shifts=[shift(20, 200, B, 480, 960, week=43 * 60)], now_minute=600)
    assert [(s.end_minute, s.half_hours) for s in out] == [(1020, 2)]
    # next shift at 04:00 tomorrow (1680) with 11 h of rest: may work until 17:00 only
    out = suggest(needs=needs, shifts=[shift(20, 200, B, 480, 960, next_start=1680)], now_minute=600)
    assert [(s.end_minute, s.half_hours) for s in out] == [(1020, 2)]
    # at most two hours: a 4-hour gap gets 16:00–18:00
    long_gap = [ShopNeed(B, required=slots(2, 16, 39), rostered=slots(2, 16, 31), window=WINDOW)]
    out = suggest(needs=long_gap, shifts=[shift(20, 200, B, 480, 960)], now_minute=600)
    assert [(s.end_minute, s.half_hours) for s in out] == [(1080, 4)]


def test_no_overtime_for_a_shift_already_over_or_not_before_a_gap():
    needs = [ShopNeed(B, required=slots(2, 16, 34), rostered=slots(2, 16, 31)[:32] + (1, 1, 1) + (0,) * 13,
                      window=WINDOW)]
    assert suggest(needs=needs, shifts=[shift(20, 200, B, 480, 960)], now_minute=961) == []
    # a shift ending at 15:00 is not right before the 16:00 gap (the 15:00 half hour is covered)
    assert suggest(needs=needs, shifts=[shift(20, 200, B, 420, 900)], now_minute=600) == []


def test_overtime_for_another_certified_shop_after_own_shop_agents():
    needs = [
        ShopNeed(A, required=slots(1, 16, 31), rostered=slots(1, 16, 31), window=WINDOW),
        ShopNeed(B, required=slots(1, 16, 33), rostered=slots(1, 16, 31), window=WINDOW),  # short 16:00–17:00
    ]
    helper = shift(10, 100, A, 480, 960, certified=[B])
    own = shift(20, 200, B, 480, 960)
    out = suggest(needs=needs, shifts=[helper, own], now_minute=600)
    assert [(s.agent, s.from_shop, s.to_shop, s.half_hours) for s in out] == [(200, B, B, 2)]
    out = suggest(needs=needs, shifts=[helper], now_minute=600)
    assert [(s.kind, s.agent, s.from_shop, s.to_shop, s.end_minute) for s in out] == [("overtime", 100, A, B, 1020)]
