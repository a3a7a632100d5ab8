"""The re-roster model on crafted days: which changes close the gap still to come, with the fewest changed shifts
and then the fewest added hours, and nothing when no change within the rules helps."""

from __future__ import annotations

import pytest

from compliance.intraday.engine import CALL_IN, EXTEND, AgentShift, OffAgent, reroster

SHOP = 1
NOW = 14 * 60 + 10  # 14:10: half hours from 29 (14:30) are to come


def gap(value: int, first: int, last: int) -> list[int]:
    """48 values: `value` short agents in half hours first..last (inclusive), else 0."""
    return [value if first <= i <= last else 0 for i in range(48)]


def shift(sid: int, agent: int, start: int, end: int, *, week: int = 32 * 60, max_week: int = 44 * 60,
          next_start: int | None = None, rest: int = 11 * 60) -> AgentShift:
    return AgentShift(shift=sid, agent=agent, shop=SHOP, start_minute=start, end_minute=end, week_minutes=week,
                      max_week_minutes=max_week, next_start_minute=next_start, min_rest_minutes=rest,
                      certified=frozenset({SHOP}))


def off(agent: int, *, week: int = 32 * 60, max_week: int = 44 * 60, previous_end: int | None = None,
        next_start: int | None = None, rest: int = 11 * 60) -> OffAgent:
    return OffAgent(agent=agent, week_minutes=week, max_week_minutes=max_week, previous_end_minute=previous_end,
                    next_start_minute=next_start, min_rest_minutes=rest)


def described(result) -> list[tuple]:
    return [(c.kind, c.agent, c.shift, c.start_minute, c.end_minute) for c in result.changes]


def test_a_gap_only_a_call_in_closes():
    # one agent short 19:00–21:00 (half hours 38–41); the only shift ends at 16:00 and may stretch 2 h at most,
    # so it cannot reach 19:00; agent 7 is off today and is called in for exactly the 2 h block
    shortage = gap(1, 38, 41)
    shifts = [shift(10, 100, 8 * 60, 16 * 60)]
    result = reroster(shortage=shortage, shifts=shifts, off_agents=[off(7)], now_minute=NOW)
    assert result is not None
    assert described(result) == [(CALL_IN, 7, None, 19 * 60, 21 * 60)]
    assert (result.gap_before, result.gap_after, result.optimal) == (4, 0, True)


def test_a_call_in_lasts_at_least_two_hours_even_for_a_shorter_gap():
    # short one agent 20:00–21:00 only: the call-in still lasts 2 h, the least added hours that cover it
    result = reroster(shortage=gap(1, 40, 41), shifts=[], off_agents=[off(7)], now_minute=NOW)
    assert result is not None
    (change,) = result.changes
    assert change.kind == CALL_IN and change.end_minute - change.start_minute == 120
    assert change.start_minute <= 20 * 60 and change.end_minute >= 21 * 60


def test_an_extension_closes_the_gap_with_fewer_changes_than_call_ins():
    # two short 16:00–17:00 (half hours 32–33); two shifts end at 16:00. Extending both costs 2 changes and
    # 2 agent hours; two call-ins would cost 2 changes and 4 hours (2 h blocks). A third shift ending 15:00 would
    # need 3 h to reach 17:00, beyond the 2 h limit, so it is left alone.
    shortage = gap(2, 32, 33)
    shifts = [shift(10, 100, 8 * 60, 16 * 60), shift(11, 101, 8 * 60, 16 * 60), shift(12, 102, 7 * 60, 15 * 60)]
    result = reroster(shortage=shortage, shifts=shifts, off_agents=[off(7), off(8)], now_minute=NOW)
    assert result is not None
    assert described(result) == [(EXTEND, 100, 10, 16 * 60, 17 * 60), (EXTEND, 101, 11, 16 * 60, 17 * 60)]
    assert result.gap_after == 0


def test_one_change_closes_a_gap_one_extension_or_one_call_in_can_close():
    # one short 16:00–18:00 (half hours 32–35): extending shift 10 by 2 h and calling agent 7 in for 2 h are
    # each one change and 4 added half hours; either is the answer, never both
    result = reroster(shortage=gap(1, 32, 35), shifts=[shift(10, 100, 8 * 60, 16 * 60)], off_agents=[off(7)],
                      now_minute=NOW)
    assert result is not None
    assert len(result.changes) == 1 and result.gap_after == 0


def test_the_rules_limit_what_changes():
    # short 16:00–17:00: shift 10's agent has 43.5 h this week of 44 -> at most 30 min more;
    # agent 7 has 43 h -> no 2 h call-in; agent 8 starts tomorrow at 02:00 (next_start 26*60) with 11 h rest
    # -> must end by 15:00, too early
    shortage = gap(1, 32, 33)
    result = reroster(
        shortage=shortage,
        shifts=[shift(10, 100, 8 * 60, 16 * 60, week=int(43.5 * 60))],
        off_agents=[off(7, week=43 * 60), off(8, next_start=26 * 60)],
        now_minute=NOW,
    )
    assert result is not None
    assert described(result) == [(EXTEND, 100, 10, 16 * 60, 16 * 60 + 30)]
    assert (result.gap_before, result.gap_after) == (2, 1)


def test_no_feasible_change_proposes_nothing():
    # short 21:00–22:00; the shift ends at 16:00 (2 h limit), the off agent is at the week's limit
    result = reroster(shortage=gap(1, 42, 43), shifts=[shift(10, 100, 8 * 60, 16 * 60)],
                      off_agents=[off(7, week=44 * 60)], now_minute=NOW)
    assert result is None


def test_nothing_short_to_come_proposes_nothing():
    # the gap was this morning (half hours 16–20), already past at 14:10
    result = reroster(shortage=gap(2, 16, 20), shifts=[], off_agents=[off(7)], now_minute=NOW)
    assert result is None


def test_a_shortage_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError):
        reroster(shortage=[1] * 24, shifts=[], off_agents=[], now_minute=NOW)
