"""Crafted adherence cases (contracts §10), with every figure worked out by hand in the comments.

Shared by the pure-engine test, the command test and the stored (SQL) path's test, so all three are held
to the same hand-computed rows.
"""

from __future__ import annotations

TEMPLATES = [
    {"code": "E", "start": "08:00", "end": "16:00"},
    {"code": "M", "start": "11:00", "end": "19:00"},
    {"code": "N", "start": "18:00", "end": "02:00"},
]


def msg(sender: str, at: str, agent: str | None = None) -> dict:
    row = {"id": f"{sender}-{at}-{agent}", "sender": sender, "sent_at": at, "text": "…"}
    if agent:
        row["agent"] = agent
    return row


D1 = "2026-12-01T"
D2 = "2026-12-02T"
Z = "+08:00"

# (session id, shop, messages)
SESSIONS: list[tuple[str, str, list[dict]]] = [
    # --- shop A, day 1, early shift of a01 (08:00-16:00) -------------------------------------------
    # Turn 08:05 answered 08:20 by a01: 900 s > 300 s and a01 silent in A during [08:05, 08:20) -> idle.
    # The buyer wrote at 08:05, before a01's first message at 08:20: late = 20 - 10 grace = 10 min.
    # The turn 09:10 is answered in 120 s (not idle). The turn at 10:00 is never answered: its wait runs
    # to 16:00, and a01 wrote at 11:00 (in s2) -> not idle.
    ("s1", "A", [
        msg("buyer", D1 + "08:05:00" + Z),
        msg("buyer", D1 + "08:06:00" + Z),  # same turn (a run of buyer messages)
        msg("agent", D1 + "08:20:00" + Z, "a01"),
        msg("buyer", D1 + "09:10:00" + Z),
        msg("agent", D1 + "09:12:00" + Z, "a01"),
        msg("buyer", D1 + "10:00:00" + Z),
    ]),
    ("s2", "A", [
        msg("buyer", D1 + "10:59:00" + Z),
        msg("agent", D1 + "11:00:00" + Z, "a01"),  # answers in 60 s
    ]),
    # a02 in shop A: early shift, a buyer at 12:00 waits, never answered; a02 never writes: a no-show.
    ("s3", "A", [
        msg("buyer", D1 + "12:00:00" + Z),
        msg("bot", D1 + "12:00:05" + Z),  # a bot answers nothing
    ]),
    # --- shop B, a01's second roster (middle shift 11:00-19:00 in B) --------------------------------
    # a01's messages in A do not count for B; in B a01 answers at 11:03 a buyer of 11:00 (3 min, but
    # after the grace): late = 3 - 10 -> 0.
    ("s4", "B", [
        msg("buyer", D1 + "11:00:00" + Z),
        msg("agent", D1 + "11:03:00" + Z, "a01"),
    ]),
    # --- shop C, night shift of a03 (18:00 day 1 - 02:00 day 2) -------------------------------------
    # buyer 18:00, a03 18:02 (120 s). Buyer 01:40 (day 2), a03 01:45: exactly 300 s is not "more than".
    # Buyer 02:00 on day 2 is after the shift (its end is excluded). Buyer 17:50 is before it.
    ("s5", "C", [
        msg("buyer", D1 + "17:50:00" + Z),
        msg("agent", D1 + "17:51:00" + Z, "a09"),
        msg("buyer", D1 + "18:00:00" + Z),
        msg("agent", D1 + "18:02:00" + Z, "a03"),
    ]),
    ("s6", "C", [
        msg("buyer", D2 + "01:40:00" + Z),
        msg("agent", D2 + "01:45:00" + Z, "a03"),
        msg("buyer", D2 + "02:00:00" + Z),
    ]),
    # --- shop D: a04's early shift with no buyer at all; a04 chats at 09:00 anyway (with a bot session)
    ("s7", "D", [
        msg("system", D1 + "08:59:00" + Z),
        msg("agent", D1 + "09:00:00" + Z, "a04"),
    ]),
    # --- shop E: grace rounding. Buyer 08:00 (UTC given: 00:00Z), a05 first at 08:25:30 -> 25.5 - 10 =
    # 15.5 -> 15 (rounded down). The 08:00 turn waited 1530 s with a05 silent -> idle.
    ("s8", "E", [
        msg("buyer", "2026-12-01T00:00:00Z"),
        msg("agent", D1 + "08:25:30" + Z, "a05"),
    ]),
    # --- shop F: a06 starts 30 min late but no buyer wrote before: late 0. Buyer 08:40 is answered by
    # a06 at 08:41. Slots: 08:30 has demand (08:40) and a06 (08:30, 08:41) -> 1/1.
    ("s9", "F", [
        msg("agent", D1 + "08:30:00" + Z, "a06"),
        msg("buyer", D1 + "08:40:00" + Z),
        msg("agent", D1 + "08:41:00" + Z, "a06"),
    ]),
]

ASSIGNMENTS = [
    {"agent": "a01", "date": "2026-12-01", "shift": "E", "shop": "A"},
    {"agent": "a02", "date": "2026-12-01", "shift": "E", "shop": "A"},
    {"agent": "a01", "date": "2026-12-01", "shift": "M", "shop": "B"},
    {"agent": "a03", "date": "2026-12-01", "shift": "N", "shop": "C"},
    {"agent": "a04", "date": "2026-12-01", "shift": "E", "shop": "D"},
    {"agent": "a05", "date": "2026-12-01", "shift": "E", "shop": "E"},
    {"agent": "a06", "date": "2026-12-01", "shift": "E", "shop": "F"},
]

EXPECTED = [
    # a01 in A: demand slots 08:00 (08:05), 09:00 (09:10), 10:00 (10:00), 10:30 (10:59), 12:00 (12:00) = 5;
    # active: 08:00 (08:20), 09:00 (09:12) = 2 (11:00 is in the 11:00 slot, which has no buyer).
    # Idle waits: the 08:05 turn, and a02's... no: s3's 12:00 turn waits to 16:00 while a01 is silent
    # from 11:00 on -> idle as well. So 2.
    {"agent": "a01", "date": "2026-12-01", "shift": "E", "shop": "A", "demand_slots": 5,
     "active_demand_slots": 2, "adherence": 0.4, "first_activity": "08:20", "last_activity": "11:00",
     "late_minutes": 10, "no_show": False, "idle_waits": 2},
    # a02 in A: the same 5 demand slots, never active: no-show; every long turn is idle for a02 too:
    # 08:05 (900 s), 10:00 (never), 12:00 (never) -> 3.
    {"agent": "a02", "date": "2026-12-01", "shift": "E", "shop": "A", "demand_slots": 5,
     "active_demand_slots": 0, "adherence": 0.0, "first_activity": None, "last_activity": None,
     "late_minutes": None, "no_show": True, "idle_waits": 3},
    # a01 in B: one demand slot (11:00) and active in it.
    {"agent": "a01", "date": "2026-12-01", "shift": "M", "shop": "B", "demand_slots": 1,
     "active_demand_slots": 1, "adherence": 1.0, "first_activity": "11:03", "last_activity": "11:03",
     "late_minutes": 0, "no_show": False, "idle_waits": 0},
    # a03 at night in C: demand 18:00 and 01:30, both active.
    {"agent": "a03", "date": "2026-12-01", "shift": "N", "shop": "C", "demand_slots": 2,
     "active_demand_slots": 2, "adherence": 1.0, "first_activity": "18:02", "last_activity": "01:45",
     "late_minutes": 0, "no_show": False, "idle_waits": 0},
    # a04 in D: no buyer, so no demand: adherence null, not a no-show, not late.
    {"agent": "a04", "date": "2026-12-01", "shift": "E", "shop": "D", "demand_slots": 0,
     "active_demand_slots": 0, "adherence": None, "first_activity": "09:00", "last_activity": "09:00",
     "late_minutes": 0, "no_show": False, "idle_waits": 0},
    {"agent": "a05", "date": "2026-12-01", "shift": "E", "shop": "E", "demand_slots": 1,
     "active_demand_slots": 1, "adherence": 1.0, "first_activity": "08:25", "last_activity": "08:25",
     "late_minutes": 15, "no_show": False, "idle_waits": 1},
    {"agent": "a06", "date": "2026-12-01", "shift": "E", "shop": "F", "demand_slots": 1,
     "active_demand_slots": 1, "adherence": 1.0, "first_activity": "08:30", "last_activity": "08:41",
     "late_minutes": 0, "no_show": False, "idle_waits": 0},
]
