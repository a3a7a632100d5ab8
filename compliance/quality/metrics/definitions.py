"""Response metrics of a chat session, exactly as `contracts.md` §7 defines them. No Django here.

- A **buyer turn** is a maximal run of consecutive buyer messages (in sending order). It is answered by
  the next `agent` message after it (bot and system messages answer nothing, but they do end a run);
  its response time is that answer's time minus the time of the turn's first buyer message.
- A turn is **counted** when its first buyer message falls inside the service window of that day, in
  Asia/Shanghai local time. The window may differ by day (holidays, a contract's own hours), so the
  caller passes a function `sla_for(local_date) -> Sla`.
- `reply_rate` = counted turns answered within the target ÷ counted turns (None when none is counted);
  `first_response_seconds` = response time of the first counted turn (None if never answered or none
  counted); `avg_response_seconds` = mean over answered counted turns; `five_minute_nonreply` = some
  counted turn answered after more than 300 s or never; `unserved` = the same with 3600 s.

The stored metrics (`compliance.quality.metrics.services`) compute the same thing in SQL on PostgreSQL;
tests hold both to the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIVE_MINUTES = 300.0
ONE_HOUR = 3600.0


@dataclass(frozen=True)
class Sla:
    """One day's service window (local time, end exclusive; end <= start wraps past midnight) and target."""

    window_start: time
    window_end: time
    target_seconds: float

    def in_window(self, local: time) -> bool:
        if self.window_start < self.window_end:
            return self.window_start <= local < self.window_end
        return local >= self.window_start or local < self.window_end


# Platform defaults from domain.md (the SlaProfile table starts from these; managers may edit them).
DEFAULT_SLA: dict[str, Sla] = {
    "pdd": Sla(time(8), time(23), 180.0),
    "douyin": Sla(time(8), time(23), 180.0),
    "jd": Sla(time(9), time(23), 30.0),
    "taobao": Sla(time(8), time(23), 180.0),
    "tmall": Sla(time(8), time(23), 180.0),
}


# Alert thresholds per platform (defaults of the SlaProfile table): reply-rate floor below which a day
# is a breach, the warning band (PDD/Douyin: 50–90% shows a warning), a daily average-response ceiling.
class Thresholds(TypedDict):
    """A platform's alert thresholds: the keyword arguments of the same names of an SLA profile."""

    reply_rate_target: float
    warning_low: float | None
    warning_high: float | None
    avg_response_target_seconds: float | None


DEFAULT_THRESHOLDS: dict[str, Thresholds] = {
    "pdd": {"reply_rate_target": 0.5, "warning_low": 0.5, "warning_high": 0.9, "avg_response_target_seconds": None},
    "douyin": {"reply_rate_target": 0.5, "warning_low": 0.5, "warning_high": 0.9, "avg_response_target_seconds": None},
    "jd": {"reply_rate_target": 0.8, "warning_low": None, "warning_high": None, "avg_response_target_seconds": 40},
    "taobao": {"reply_rate_target": 0.8, "warning_low": None, "warning_high": None, "avg_response_target_seconds": None},
    "tmall": {"reply_rate_target": 0.8, "warning_low": None, "warning_high": None, "avg_response_target_seconds": None},
}


AgentRef = str | int  # how the caller names an agent: a chat log's code or a user id
MessageRef = int | str  # the caller's handle of a message: a database or chat log message id


@dataclass(frozen=True)
class Message:
    sender: str  # buyer | agent | bot | system
    sent_at: datetime  # aware
    agent: AgentRef | None = None  # the agent's id (code or user id), for attribution
    ref: MessageRef | None = None  # the caller's handle (a message id)


@dataclass(frozen=True)
class Turn:
    started_at: datetime
    local_day: date
    answered_at: datetime | None
    response_seconds: float | None
    counted: bool
    within_target: bool
    agent: AgentRef | None  # the answering agent, else the last agent who spoke before the turn
    first_ref: MessageRef | None = None
    answer_ref: MessageRef | None = None

    @property
    def nonreply(self) -> bool:
        return self.counted and (self.response_seconds is None or self.response_seconds > FIVE_MINUTES)

    @property
    def unserved(self) -> bool:
        return self.counted and (self.response_seconds is None or self.response_seconds > ONE_HOUR)


@dataclass
class SessionMetrics:
    counted_turns: int = 0
    answered_within_target: int = 0
    answered_turns: int = 0
    reply_rate: float | None = None
    first_response_seconds: float | None = None
    avg_response_seconds: float | None = None
    five_minute_nonreply: bool = False
    unserved: bool = False
    turns: list[Turn] = field(default_factory=list)

    def as_contract(self, session_id: str) -> dict[str, Any]:
        """The JSON object of `session_metrics` (contracts §7), rounded as printed there."""
        return {
            "session_id": session_id,
            "counted_turns": self.counted_turns,
            "answered_within_target": self.answered_within_target,
            "reply_rate": None if self.reply_rate is None else round(self.reply_rate, 3),
            "first_response_seconds": None
            if self.first_response_seconds is None
            else round(self.first_response_seconds, 1),
            "avg_response_seconds": None if self.avg_response_seconds is None else round(self.avg_response_seconds, 1),
            "five_minute_nonreply": self.five_minute_nonreply,
            "unserved": self.unserved,
        }


def ordered(messages: Iterable[Message]) -> list[Message]:
    """Sending order; messages with the same timestamp keep their given order."""
    return sorted(messages, key=lambda m: m.sent_at)


def buyer_turns(messages: Sequence[Message], sla_for: Callable[[date], Sla]) -> list[Turn]:
    """The buyer turns of one session, in order. `messages` must already be in sending order."""
    turns: list[Turn] = []
    last_agent: AgentRef | None = None
    previous_sender: str | None = None
    n = len(messages)
    # The next agent message at or after each position, found in one backward pass.
    next_agent: list[int | None] = [None] * (n + 1)
    for i in range(n - 1, -1, -1):
        next_agent[i] = i if messages[i].sender == "agent" else next_agent[i + 1]
    for i, message in enumerate(messages):
        if message.sender == "buyer" and previous_sender != "buyer":
            local = message.sent_at.astimezone(SHANGHAI)
            sla = sla_for(local.date())
            answer_index = next_agent[i + 1]
            answer = messages[answer_index] if answer_index is not None else None
            response = (answer.sent_at - message.sent_at).total_seconds() if answer else None
            counted = sla.in_window(local.time())
            turns.append(
                Turn(
                    started_at=message.sent_at,
                    local_day=local.date(),
                    answered_at=answer.sent_at if answer else None,
                    response_seconds=response,
                    counted=counted,
                    within_target=response is not None and response <= sla.target_seconds,
                    agent=(answer.agent if answer else None) or last_agent,
                    first_ref=message.ref,
                    answer_ref=answer.ref if answer else None,
                )
            )
        if message.sender == "agent" and message.agent:
            last_agent = message.agent
        previous_sender = message.sender
    return turns


def summarise(turns: Sequence[Turn]) -> SessionMetrics:
    """Session figures from its turns (only counted turns count)."""
    counted = [t for t in turns if t.counted]
    answered = [t for t in counted if t.response_seconds is not None]
    result = SessionMetrics(turns=list(turns))
    result.counted_turns = len(counted)
    result.answered_turns = len(answered)
    result.answered_within_target = sum(1 for t in counted if t.within_target)
    if counted:
        result.reply_rate = result.answered_within_target / len(counted)
        result.first_response_seconds = counted[0].response_seconds
        result.five_minute_nonreply = any(t.nonreply for t in counted)
        result.unserved = any(t.unserved for t in counted)
    if answered:
        result.avg_response_seconds = sum(t.response_seconds for t in answered if t.response_seconds is not None) / len(
            answered
        )
    return result


def session_metrics(messages: Iterable[Message], sla_for: Callable[[date], Sla]) -> SessionMetrics:
    return summarise(buyer_turns(ordered(messages), sla_for))


def constant_sla(sla: Sla) -> Callable[[date], Sla]:
    return lambda _day: sla


def parse_time(value: str) -> time:
    """'08:00' or '8:00' or '23:59:59' → time; '24:00' means the end of the day (wraps to 00:00)."""
    parts = [int(p) for p in value.strip().split(":")]
    if not 1 <= len(parts) <= 3:
        raise ValueError(f"not a time of day: {value!r}")
    hour = parts[0]
    if hour == 24 and all(p == 0 for p in parts[1:]):
        return time(0)
    minute, second = (parts[1:] + [0, 0])[:2]
    return time(hour, minute, second)
