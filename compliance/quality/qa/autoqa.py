"""Auto-QA: score one chat session from configurable checks. Pure Python, no Django.

Input is plain data so the checks can be tested and benchmarked alone:

- `messages`: the session's messages in order, each a dict with `id`, `sender` ("buyer", "agent", "bot",
  "system"), `sent_at` (an aware datetime), `text`, and optionally `hits`: a list of dicts with at least
  `severity` (and `category`, `rule`) from the compliance scanner;
- `checks`: the enabled check configuration, each a dict with `key`, `points` (deducted per occurrence),
  `max_occurrences` (0 = unlimited) and `params` (check-specific; missing params fall back to DEFAULTS).

Output: a `Score` with the final score (100 minus the deductions, never below 0) and one `Deduction` per
problem found, each naming the message behind it (None only when there is no such message, e.g. a
session without any agent reply has no greeting to point at).

Response times use the buyer-turn definition of contracts §7: a buyer turn is a maximal run of
consecutive buyer messages, answered by the next agent message; bot and system messages answer nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NotRequired, TypedDict

MessageId = int | str  # the caller's id of a message (the database's, or a test's label)
AgentId = int | str  # the caller's id of an agent (a user id or a code)


class HitRow(TypedDict):
    """A compliance scanner hit of a message (the checks read `severity`, the rest when present)."""

    rule: str
    start: int
    category: str
    severity: str
    matched: str


class Row(TypedDict):
    """A message as the checks read it; `sent_at` is an aware datetime."""

    id: MessageId
    sender: str
    sent_at: datetime
    text: str
    agent: NotRequired[AgentId | None]
    hits: NotRequired[list[HitRow]]


# A check's parameters: JSON whose shape depends on the check (phrase lists, numbers, a severity map),
# checked by `validate_params`.
Params = dict[str, Any]
Found = Iterator[tuple[MessageId, str]]  # (message id, detail) per deduction


class CheckSpec(TypedDict):
    """A check's shipped configuration."""

    points: float
    max_occurrences: int
    params: Params


class CheckConfig(TypedDict):
    """A check's configuration as `score_session` takes it; missing values fall back to DEFAULTS."""

    key: str
    enabled: NotRequired[bool]
    points: NotRequired[float]
    max_occurrences: NotRequired[int]
    params: NotRequired[Params | None]


# The checks, in the order they are shown, with their default deduction and parameters.
DEFAULTS: dict[str, CheckSpec] = {
    "greeting": {
        "points": 5,
        "max_occurrences": 1,
        "params": {"phrases": ["您好", "你好", "亲", "欢迎", "在的", "在呢", "hello", "hi"]},
    },
    "closing": {
        "points": 5,
        "max_occurrences": 1,
        "params": {
            "phrases": ["感谢", "谢谢", "祝您", "再见", "还有什么", "随时", "购物愉快", "满意", "期待", "欢迎再来"]
        },
    },
    "slow_no_apology": {
        "points": 5,
        "max_occurrences": 3,
        "params": {"threshold_seconds": 180, "phrases": ["抱歉", "不好意思", "久等", "对不起", "sorry"]},
    },
    "buyer_repeat": {
        "points": 5,
        "max_occurrences": 2,
        "params": {
            "similarity": 0.5,
            "min_length": 4,
            "phrases": ["我刚才说了", "刚刚说了", "我都说了", "说过了", "问了好几遍", "再问一遍", "再问一次", "还是没回答"],
        },
    },
    "abusive_tone": {
        "points": 10,
        "max_occurrences": 3,
        "params": {
            "phrases": [
                "你烦不烦", "爱买不买", "听不懂吗", "自己看", "说了多少遍", "随便你", "关我什么事", "有病",
                "我也没办法", "你问我我问谁",
            ]
        },
    },
    "compliance_hits": {
        "points": 0,
        "max_occurrences": 0,
        # merge_gap_chars: hits of one category this close together are one occurrence ("微信：wx123456")
        "params": {"by_severity": {"info": 0, "warning": 2, "violation": 5, "severe": 15}, "merge_gap_chars": 3},
    },
    "unresolved": {
        "points": 10,
        "max_occurrences": 1,
        "params": {"phrases": ["还没解决", "没解决", "投诉", "差评", "不满意", "算了", "退货吧"]},
    },
}

CHECK_KEYS: tuple[str, ...] = tuple(DEFAULTS)


@dataclass(frozen=True)
class Deduction:
    check: str
    points: float
    message_id: MessageId | None
    detail: str


@dataclass
class Score:
    score: float
    deductions: list[Deduction] = field(default_factory=list)

    @property
    def deducted(self) -> float:
        return sum(d.points for d in self.deductions)


def default_checks() -> list[CheckConfig]:
    """The shipped configuration, every check enabled."""
    return [
        {"key": key, "points": spec["points"], "max_occurrences": spec["max_occurrences"], "params": spec["params"]}
        for key, spec in DEFAULTS.items()
    ]


@dataclass(frozen=True)
class Turn:
    """A buyer turn: its first buyer message, all its buyer messages, and the agent message answering it."""

    first: Row
    messages: tuple[Row, ...]
    answer: Row | None

    @property
    def response_seconds(self) -> float | None:
        if self.answer is None:
            return None
        seconds: float = (self.answer["sent_at"] - self.first["sent_at"]).total_seconds()
        return seconds


def buyer_turns(messages: Sequence[Row]) -> list[Turn]:
    """Split the session into buyer turns (contracts §7): consecutive buyer messages, answered by the next
    agent message. Bot and system messages neither answer a turn nor end it."""
    turns: list[Turn] = []
    current: list[Row] = []
    for message in messages:
        sender = message["sender"]
        if sender == "buyer":
            current.append(message)
        elif sender == "agent" and current:
            turns.append(Turn(current[0], tuple(current), message))
            current = []
    if current:
        turns.append(Turn(current[0], tuple(current), None))
    return turns


def _contains_any(text: str, phrases: Iterable[str]) -> str | None:
    lowered = text.lower()
    for phrase in phrases:
        if phrase and phrase.lower() in lowered:
            return phrase
    return None


def _bigrams(text: str) -> set[str]:
    cleaned = "".join(ch for ch in text.lower() if ch.isalnum())
    if len(cleaned) < 2:
        return {cleaned} if cleaned else set()
    return {cleaned[i : i + 2] for i in range(len(cleaned) - 1)}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' character bigrams (punctuation and spaces ignored)."""
    grams_a, grams_b = _bigrams(a), _bigrams(b)
    if not grams_a or not grams_b:
        return 0.0
    return len(grams_a & grams_b) / len(grams_a | grams_b)


def _check_greeting(messages: Sequence[Row], turns: list[Turn], params: Params) -> Found:
    agent_messages = [m for m in messages if m["sender"] == "agent"]
    if not agent_messages:
        return
    first = agent_messages[0]
    if not _contains_any(first["text"], params["phrases"]):
        yield first["id"], "首条回复没有问候语"


def _check_closing(messages: Sequence[Row], turns: list[Turn], params: Params) -> Found:
    agent_messages = [m for m in messages if m["sender"] == "agent"]
    if not agent_messages:
        return
    last = agent_messages[-1]
    if not _contains_any(last["text"], params["phrases"]):
        yield last["id"], "最后一条回复没有结束语"


def _check_slow_no_apology(messages: Sequence[Row], turns: list[Turn], params: Params) -> Found:
    threshold = float(params["threshold_seconds"])
    for turn in turns:
        seconds = turn.response_seconds
        if seconds is None or seconds <= threshold:
            continue
        answer = turn.answer
        if answer is not None and not _contains_any(answer["text"], params["phrases"]):
            yield answer["id"], f"买家等待 {round(seconds)} 秒，回复未致歉"


def _check_buyer_repeat(messages: Sequence[Row], turns: list[Turn], params: Params) -> Found:
    threshold = float(params["similarity"])
    min_length = int(params["min_length"])
    earlier: list[str] = []  # buyer texts of the turns before the current one (they were "answered")
    for turn in turns:
        for message in turn.messages:
            text = message["text"]
            phrase = _contains_any(text, params["phrases"])
            if phrase:
                yield message["id"], f"买家表示重复提问：「{phrase}」"
                continue
            if len(text.strip()) >= min_length and any(similarity(text, old) >= threshold for old in earlier):
                yield message["id"], "买家重复了之前的问题"
        earlier.extend(m["text"] for m in turn.messages if len(m["text"].strip()) >= min_length)


def _check_abusive_tone(messages: Sequence[Row], turns: list[Turn], params: Params) -> Found:
    for message in messages:
        if message["sender"] != "agent":
            continue
        phrase = _contains_any(message["text"], params["phrases"])
        if phrase:
            yield message["id"], f"语气不当：「{phrase}」"


def _check_unresolved(messages: Sequence[Row], turns: list[Turn], params: Params) -> Found:
    if not turns:
        return
    last = turns[-1]
    if last.answer is None:
        yield last.first["id"], "会话结束时买家的问题没有得到回复"
        return
    buyer_messages = [m for m in messages if m["sender"] == "buyer"]
    if buyer_messages:
        phrase = _contains_any(buyer_messages[-1]["text"], params["phrases"])
        if phrase:
            yield buyer_messages[-1]["id"], f"买家最后表示不满：「{phrase}」"


_CHECKS: dict[str, Callable[[Sequence[Row], list[Turn], Params], Found]] = {
    "greeting": _check_greeting,
    "closing": _check_closing,
    "slow_no_apology": _check_slow_no_apology,
    "buyer_repeat": _check_buyer_repeat,
    "abusive_tone": _check_abusive_tone,
    "unresolved": _check_unresolved,
}

SEVERITY_LABELS = {"info": "提示", "warning": "警告", "violation": "违规", "severe": "严重违规"}


def _hit_span(hit: HitRow) -> tuple[int, int]:
    """[start, end) of the hit in the message text: its start and the length of what it matched."""
    start = int(hit.get("start", 0))
    return start, start + max(1, len(hit.get("matched") or ""))


def hit_occurrences(hits: Iterable[HitRow], merge_gap: int) -> list[list[HitRow]]:
    """Group one message's hits into occurrences, one per problem in the text.

    Hits whose spans overlap are one occurrence whatever their rules ("加微信" and "微信" at the same place);
    hits of one category at most `merge_gap` characters apart are one too (微信, wx and the id in
    "加我微信：wx123456" name one contact). The same hit stored by two rule-set versions counts once."""
    unique: dict[tuple[object, ...], HitRow] = {}
    for hit in hits:
        unique.setdefault((hit.get("rule"), hit.get("start"), hit.get("category")), hit)
    ordered = sorted(unique.values(), key=lambda h: (_hit_span(h), str(h.get("rule"))))
    groups: list[list[HitRow]] = []
    group_end = -1
    for hit in ordered:
        start, end = _hit_span(hit)
        if groups:
            overlaps = start < group_end
            near_same = start - group_end <= merge_gap and any(
                h.get("category") == hit.get("category") for h in groups[-1]
            )
            if overlaps or near_same:
                groups[-1].append(hit)
                group_end = max(group_end, end)
                continue
        groups.append([hit])
        group_end = end
    return groups


def _hit_deductions(messages: Sequence[Row], params: Params, cap: int) -> list[Deduction]:
    """One deduction per occurrence (see `hit_occurrences`), at the points of its most serious hit."""
    by_severity = {**DEFAULTS["compliance_hits"]["params"]["by_severity"], **params.get("by_severity", {})}
    gap_setting: Any = params.get("merge_gap_chars", DEFAULTS["compliance_hits"]["params"]["merge_gap_chars"])
    merge_gap = int(gap_setting)
    found: list[Deduction] = []
    for message in messages:
        for group in hit_occurrences(message.get("hits") or (), merge_gap):
            worst = max(group, key=lambda h: float(by_severity.get(h["severity"], 0)))
            points = float(by_severity.get(worst["severity"], 0))
            if points <= 0:
                continue
            label = SEVERITY_LABELS.get(worst["severity"], worst["severity"])
            shown = "、".join(dict.fromkeys(f"「{h.get('matched') or ''}」" for h in group))
            found.append(Deduction("compliance_hits", points, message["id"], f"合规命中（{label}）：{shown}"))
    return found[:cap] if cap else found


def score_session(messages: Sequence[Row], checks: Sequence[CheckConfig] | None = None) -> Score:
    """Score one session: 100 minus every enabled check's deductions, floored at 0."""
    if checks is None:
        checks = default_checks()
    ordered = sorted(messages, key=lambda m: m["sent_at"]) if _unsorted(messages) else list(messages)
    turns = buyer_turns(ordered)
    deductions: list[Deduction] = []
    for check in checks:
        key = check["key"]
        if key not in DEFAULTS or not check.get("enabled", True):
            continue
        params = {**DEFAULTS[key]["params"], **(check.get("params") or {})}
        cap = int(check.get("max_occurrences", DEFAULTS[key]["max_occurrences"]) or 0)
        if key == "compliance_hits":
            deductions.extend(_hit_deductions(ordered, params, cap))
            continue
        points = float(check.get("points", DEFAULTS[key]["points"]))
        if points <= 0:
            continue
        found = list(_CHECKS[key](ordered, turns, params))
        if cap:
            found = found[:cap]
        deductions.extend(Deduction(key, points, message_id, detail) for message_id, detail in found)
    total = sum(d.points for d in deductions)
    return Score(score=max(0.0, round(100.0 - total, 1)), deductions=deductions)


def _unsorted(messages: Sequence[Row]) -> bool:
    return any(a["sent_at"] > b["sent_at"] for a, b in zip(messages, messages[1:], strict=False))


def main_agent(messages: Sequence[Row]) -> AgentId | None:
    """The agent who wrote most of the session's agent messages (the first one on a tie), or None."""
    counts: dict[AgentId, int] = {}
    for message in messages:
        agent = message.get("agent")
        if message["sender"] == "agent" and agent is not None:
            counts[agent] = counts.get(agent, 0) + 1
    if not counts:
        return None
    best = max(counts.values())
    return next(agent for agent, n in counts.items() if n == best)


def validate_params(key: str, params: object) -> list[str]:
    """Problems with a check's parameters, as readable messages (empty when fine)."""
    if key not in DEFAULTS:
        return [f"未知的检查项 {key}"]
    errors = []
    if not isinstance(params, dict):
        return ["参数必须是一个对象（键: 值）"]
    for name, value in params.items():
        if name not in DEFAULTS[key]["params"]:
            errors.append(f"未知参数 {name}")
            continue
        default = DEFAULTS[key]["params"][name]
        if isinstance(default, list) and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            errors.append(f"参数 {name} 必须是文字列表")
        elif isinstance(default, int | float) and not isinstance(default, bool):
            if not isinstance(value, int | float) or value < 0:
                errors.append(f"参数 {name} 必须是非负数")
        elif isinstance(default, dict) and not (
            isinstance(value, dict) and all(isinstance(v, int | float) and v >= 0 for v in value.values())
        ):
            errors.append(f"参数 {name} 必须是 严重程度: 扣分 的对象")
    return errors
