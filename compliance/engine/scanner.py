"""The scanner: one Aho-Corasick pass per batch of messages, detectors, allow-list, offset mapping.

No Django here.  A `Scanner` is built from plain rule dicts (see `RuleSpec` keys below) and an alias
table; building costs milliseconds, so callers cache one per (platform, rule-set version) — see
`cached_scanner`.

Rule dict keys:
    id, category, severity, suggestion (str | None)
    terms:    words to find (pushed through the same normalisation as the text)
    evasion:  True for the contact / platform lists: each term also matches its curated aliases
              (homophones, look-alikes, pinyin, ASCII abbreviations) from the alias table
    allow:    phrases that, where they cover a hit of THIS rule, suppress it (the traps: 最近, QQ糖 …)
    detector: instead of terms, one of mobile, landline, qq, wechat, email, url, bank_card, id_number,
              masked_insult, or `model` (the clause classifier's hits of the rule's category, rule id
              `ml.<category>`; the category fires only when the rule set has this rule)
    all:      a combination rule: a list of term groups; the rule fires where one term of EVERY group
              meets inside one clause (`scope: clause`, the default) or one message (`scope: message`),
              in any order; the hit spans from the first to the last of those terms
    unless:   terms that cancel a combination inside the clause of its terms ("没问题", "可以开"); on a
              rule of plain terms, inside the term's `scope` (clause by default): "不支持七天无理由" is
              not a broken commitment in a sentence that says the goods are custom-made (定制)
    question: False (default) when a combination does not fire in a question ("能开发票吗？")
    homophones: also find the terms by sound (pinyin of the whole text, see `pinyin.py`)
    negatable: a negation in the same clause cancels the hit ("我们不支持线下交易", "转账我们是不接受的")

Patterns that are pure ASCII letters/digits (vx, qq, sb, taobao …) only match at ASCII word boundaries:
no letter right before or after them and no digit right after them (a removed separator counts as a
boundary), so "USB" does not contain "sb", "wxyz" does not contain "wx" and the ticket "WX20231128" is
not WeChat.

Roles (contracts §1 allows a role per message): an agent's or a bot's message gets every hit; a buyer's
message is not the agency's violation, so it only reports contact details (phone, ids, links) at
severity "info" — they must still be masked when shown; a system message gets no hits.
"""

from __future__ import annotations

import gc
import threading
from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterable
from itertools import chain
from typing import Any

import ahocorasick
import numpy as np

from compliance.engine.classifier import MIN_UNIT, ClauseModel
from compliance.engine.detectors import (
    QQ_TRIGGERS,
    WECHAT_TRIGGERS,
    scan_digits,
    scan_insults,
    scan_light,
    wechat_id_after,
)
from compliance.engine.normalize import (
    QUESTION_END,
    SENTENCE_END,
    SEP,
    clause_ids,
    normalize_joined,
    normalize_pattern,
)
from compliance.engine.pinyin import sound_of, sound_view, spellings

CATEGORIES = (
    "absolute_claim",
    "other_platform",
    "off_platform_trade",
    "contact_info",
    "review_inducement",
    "abuse",
    "forbidden_phrase",
    "commitment_breach",
)
SEVERITIES = ("info", "warning", "violation", "severe")
DETECTORS = (
    "mobile", "landline", "qq", "wechat", "email", "url", "bank_card", "id_number", "address", "masked_insult", "model",
)
SCOPES = ("clause", "sentence", "message")
_NEG_BEFORE = (
    "不支持", "不接受", "不要", "请勿", "不会", "坚决不", "杜绝", "禁止", "拒绝", "谨防", "别选", "不做", "不能", "从不",
    "不允许", "不提供", "防止", "警惕", "千万别", "切勿", "严禁", "不得", "不搞", "不参与", "没有",
)
_NEG_AFTER = ("不接受", "不支持", "不做", "不行", "不可以", "违规", "不允许", "不提供", "不会", "不搞", "不参与", "骗子", "诈骗")
# an absolute claim that is denied or quoted is not made: "不敢说是最好的", 您说的“全网最低”我们不敢讲
_CLAIM_NEG_BEFORE = ("不敢说", "不敢讲", "不敢保证", "不保证", "不是", "不搞", "不能说", "谈不上", "称不上", "不算", "并非", "没有", "不敢")
_CLAIM_NEG_AFTER = ("不敢", "不这么说", "不这么讲", "不让这么说", "不能这么说", "不保证", "谈不上", "称不上")
_QUOTES = (("“", "”"), ("「", "」"), ("『", "』"), ('"', '"'))
_A_NOT_A = ("能不能", "要不要", "会不会", "可不可以", "是不是", "行不行", "做不做")
_QUESTION_WORDS = ("吗", "是否", "能否", "可否", "有没有", "能不能", "可不可以", "是不是", "行不行", "会不会")
ROLES = ("agent", "buyer", "bot", "system")
BATCH_CHARS = 400_000

_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_ALPHA = frozenset("abcdefghijklmnopqrstuvwxyz")


def _leftmost_longest(hit: tuple[int, int, str]) -> tuple[int, int, str]:
    return (hit[0], -hit[1], hit[2])


def _drop_inside_emails(
    hits: list[tuple[int, int, str]], email_rid: str, meta: dict[str, tuple[str, str, str | None]]
) -> list[tuple[int, int, str]]:
    """A mail domain (qq.com, 163.com) is part of the address, not a mention of the platform."""
    emails = [(s, e) for s, e, rid in hits if rid == email_rid]
    if not emails:
        return hits
    return [
        h for h in hits
        if not (meta[h[2]][0] == "other_platform" and any(s <= h[0] and h[1] <= e for s, e in emails))
    ]


class RuleError(ValueError):
    """A rule dict that cannot be compiled; the message names the rule and the field."""


def _is_ascii_word(s: str) -> bool:
    return bool(s) and all(c in _ALNUM for c in s)


class Scanner:
    def __init__(
        self,
        rules: Iterable[dict[str, Any]],
        aliases: dict[str, list[str]] | None = None,
        model: ClauseModel | None = None,
    ):
        aliases = aliases or {}
        self.rules: dict[str, dict[str, Any]] = {}
        self.detector_rules: dict[str, dict[str, Any]] = {}
        # pattern -> [rule ids it finds, rule ids it shields (allow-list), detector it triggers,
        #             combination references {(rule id, group; -1 = unless)}]
        patterns: dict[str, list[Any]] = {}
        # sound pattern -> [(rule id, normalised term)]
        sounds: dict[str, list[tuple[str, str]]] = {}
        self.combos: dict[str, tuple[int, str, bool]] = {}  # rule id -> (groups, scope, fires in questions)
        self.model_rules: dict[str, dict[str, Any]] = {}  # category -> its `model` rule

        def entry(pattern: str) -> list[Any]:
            found = patterns.get(pattern)
            if found is None:
                found = patterns[pattern] = [set(), set(), None, set()]
            return found

        for raw in rules:
            rule = self._check(raw)
            rid = rule["id"]
            if rid in self.rules:
                raise RuleError(f"rule {rid}: duplicate id")
            self.rules[rid] = rule
            if rule.get("detector") == "model":
                self.model_rules.setdefault(rule["category"], rule)
                continue
            if rule.get("detector"):
                self.detector_rules.setdefault(rule["detector"], rule)
                continue
            if rule["all"]:
                self.combos[rid] = (len(rule["all"]), rule["scope"], rule["question"])
                for group_no, group in enumerate(rule["all"]):
                    for term in group:
                        entry(normalize_pattern(term))[3].add((rid, group_no))
                for term in rule["unless"]:
                    entry(normalize_pattern(term))[3].add((rid, -1))
            for term in rule["terms"]:
                variants = [term]
                if rule.get("evasion"):
                    variants += aliases.get(term, [])
                    variants += spellings(normalize_pattern(term))
                for variant in variants:
                    norm = normalize_pattern(variant)
                    if norm:
                        entry(norm)[0].add(rid)
                if rule.get("homophones"):
                    norm = normalize_pattern(term)
                    key = sound_of(norm) if len(norm) >= 2 else ""
                    if key:
                        sounds.setdefault(key, []).append((rid, norm))
            for phrase in rule.get("allow") or ():
                norm = normalize_pattern(phrase)
                if norm:
                    entry(norm)[1].add(rid)
        if "wechat" in self.detector_rules:
            for keyword in WECHAT_TRIGGERS:
                entry(normalize_pattern(keyword))[2] = "wechat"
        if "qq" in self.detector_rules:
            for keyword in QQ_TRIGGERS:
                entry(normalize_pattern(keyword))[2] = "qq"

        self.automaton = ahocorasick.Automaton()
        self.patterns = list(patterns)
        self.pattern_count = len(self.patterns)
        # per pattern id: length, ASCII-boundary flags, rule ids, shields, trigger, combination refs
        self._plen = np.array([len(p) for p in self.patterns] or [0], dtype=np.int64)
        self._ascii = np.array(
            [(p[0] in _ALPHA) or (p[-1] in _ALPHA) for p in self.patterns] or [False], dtype=bool
        )
        self._info = []
        for pid, pattern in enumerate(self.patterns):
            rule_ids, shields, trigger, combo = patterns[pattern]
            self._info.append(
                (tuple(sorted(rule_ids)), frozenset(shields), trigger, pattern[0] in _ALPHA, pattern[-1] in _ALPHA,
                 tuple(sorted(combo)))
            )
            self.automaton.add_word(pattern, pid)
        if self.pattern_count:
            self.automaton.make_automaton()
        self._left_check = np.array([i[3] for i in self._info] or [False], dtype=bool)
        self._right_check = np.array([i[4] for i in self._info] or [False], dtype=bool)
        self._meta = {rid: (r["category"], r["severity"], r["suggestion"]) for rid, r in self.rules.items()}
        self._has_work = np.array(
            [bool(i[0]) or bool(i[2]) or bool(i[5]) for i in self._info] or [False], dtype=bool
        )
        # combination rules, vectorised pre-check: every (rule, group) is one bit; a message is worth the
        # clause-by-clause check only when its matches hold all the bits of some rule
        bit_of = {(rid, g): n for n, (rid, g) in enumerate((r, g) for r, (k, _s, _q) in self.combos.items() for g in range(k))}
        self._combo_words = max(1, (len(bit_of) + 63) // 64)
        self._combo_bits = np.zeros((max(self.pattern_count, 1), self._combo_words), dtype=np.uint64)
        self._combo_rule_masks = np.zeros((len(self.combos), self._combo_words), dtype=np.uint64)
        for pid, info in enumerate(self._info):
            for rid, g in info[5]:
                if g >= 0:
                    n = bit_of[(rid, g)]
                    self._combo_bits[pid, n // 64] |= np.uint64(1 << (n % 64))
        for r_no, (rid, (k, _s, _q)) in enumerate(self.combos.items()):
            for g in range(k):
                n = bit_of[(rid, g)]
                self._combo_rule_masks[r_no, n // 64] |= np.uint64(1 << (n % 64))
        self._combo_pattern = np.array([bool(i[5]) for i in self._info] or [False], dtype=bool)
        self._combo_only = np.array(
            [bool(i[5]) and not i[0] and not i[2] and not i[1] for i in self._info] or [False], dtype=bool
        )
        self._build_shield_table(patterns)
        self._sounds = sounds
        self.sound_automaton: Any = None
        if sounds:
            self.sound_automaton = ahocorasick.Automaton()
            for key, targets in sounds.items():
                self.sound_automaton.add_word(key, (len(key), tuple(targets)))
            self.sound_automaton.make_automaton()
        self._allow_norm = {
            rid: tuple(normalize_pattern(a) for a in r.get("allow") or ()) for rid, r in self.rules.items()
        }
        self.model = model if self.model_rules else None
        # rules of plain terms with `unless` words: (scope, the words as they read in the light view)
        self._term_unless = {
            rid: (r["scope"], tuple(normalize_joined(u)[0] for u in r["unless"]))
            for rid, r in self.rules.items() if r["terms"] and r["unless"] and not r["all"]
        }
        self._negatable = frozenset(rid for rid, r in self.rules.items() if r["negatable"])
        self._claims = frozenset(
            rid for rid, r in self.rules.items() if r["category"] == "absolute_claim" and r.get("detector") != "model"
        )
        self._sentence_scopes = any(scope == "sentence" for _k, scope, _q in self.combos.values())

    def _build_shield_table(self, patterns: dict[str, list[Any]]) -> None:
        """For every allow phrase, the term matches it shields, as (distance from its end, term pid).

        A term match is shielded when an allow phrase of its rules covers it; since the phrase then
        contains the term, this is known when the automaton is built, and a batch resolves all shields
        with one vectorised set lookup instead of comparing spans message by message.
        """
        pid_of = {p: i for i, p in enumerate(self.patterns)}
        allow_pids, deltas, term_pids = [], [], []
        self._slow_shields = False
        for pattern, (_rule_ids, shields, _trigger, _combo) in patterns.items():
            if not shields:
                continue
            a_pid = pid_of[pattern]
            for t_pattern, (t_rules, _s, _t, _c) in patterns.items():
                if not t_rules or len(t_pattern) > len(pattern) or not (t_rules & shields):
                    continue
                if not t_rules <= shields:
                    self._slow_shields = True
                    continue
                pos = pattern.find(t_pattern)
                while pos != -1:
                    allow_pids.append(a_pid)
                    deltas.append(len(pattern) - (pos + len(t_pattern)))
                    term_pids.append(pid_of[t_pattern])
                    pos = pattern.find(t_pattern, pos + 1)
        order = np.argsort(np.array(allow_pids, dtype=np.int64), kind="stable")
        a = np.array(allow_pids, dtype=np.int64)[order]
        self._sh_delta = np.array(deltas, dtype=np.int64)[order]
        self._sh_term = np.array(term_pids, dtype=np.int64)[order]
        # per allow pid: slice [first, first + count) of the arrays above
        self._sh_first = np.searchsorted(a, np.arange(max(self.pattern_count, 1)), side="left")
        self._sh_count = np.searchsorted(a, np.arange(max(self.pattern_count, 1)), side="right") - self._sh_first

    @staticmethod
    def _check(raw: dict[str, Any]) -> dict[str, Any]:
        rid = raw.get("id")
        if not rid or not isinstance(rid, str):
            raise RuleError(f"rule without an id: {raw!r:.80}")
        if raw.get("category") not in CATEGORIES:
            raise RuleError(f"rule {rid}: category {raw.get('category')!r} is not one of {', '.join(CATEGORIES)}")
        if raw.get("severity") not in SEVERITIES:
            raise RuleError(f"rule {rid}: severity {raw.get('severity')!r} is not one of {', '.join(SEVERITIES)}")
        detector = raw.get("detector")
        if detector and detector not in DETECTORS:
            raise RuleError(f"rule {rid}: detector {detector!r} is not one of {', '.join(DETECTORS)}")
        terms = list(raw.get("terms") or [])
        groups = raw.get("all") or []
        if not isinstance(groups, list) or not all(isinstance(g, list) and g for g in groups):
            raise RuleError(f"rule {rid}: all must be a list of non-empty term lists")
        if groups and len(groups) < 2:
            raise RuleError(f"rule {rid}: all needs at least two groups of terms")
        unless = list(raw.get("unless") or [])
        scope = raw.get("scope") or "clause"
        if scope not in SCOPES:
            raise RuleError(f"rule {rid}: scope {scope!r} is not one of {', '.join(SCOPES)}")
        if not detector and not terms and not groups:
            raise RuleError(f"rule {rid}: needs terms or a detector (or all: a combination)")
        for term in [t for g in groups for t in g] + unless:
            if not isinstance(term, str) or not normalize_pattern(term):
                raise RuleError(f"rule {rid}: term {term!r} is empty after normalisation")
        for term in terms:
            if not isinstance(term, str) or not normalize_pattern(term):
                raise RuleError(f"rule {rid}: term {term!r} is empty after normalisation")
            if len(normalize_pattern(term)) == 1 and len(term.strip()) > 1:
                raise RuleError(f"rule {rid}: term {term!r} shrinks to one character after normalisation")
        return {
            "id": rid,
            "category": raw["category"],
            "severity": raw["severity"],
            "suggestion": raw.get("suggestion") or None,
            "terms": terms,
            "evasion": bool(raw.get("evasion")),
            "allow": list(raw.get("allow") or []),
            "detector": detector or None,
            "all": [[str(t) for t in g] for g in groups],
            "unless": [str(t) for t in unless],
            "scope": scope,
            "question": bool(raw.get("question")),
            "homophones": bool(raw.get("homophones")),
            "negatable": bool(raw.get("negatable")),
        }

    # ------------------------------------------------------------------ public API
    def scan(self, text: str, role: str = "agent") -> list[dict[str, Any]]:
        """Hits in one message, sorted by position (contract §1 hit dicts)."""
        return self.scan_many([text], [role])[0]

    def scan_many(self, texts: list[str], roles: list[str] | None = None) -> list[list[dict[str, Any]]]:
        """Hits for many messages; the work is done in large batches (one automaton pass each)."""
        out: list[list[dict[str, Any]]] = []
        gc_was_enabled = gc.isenabled()
        gc.disable()  # millions of short-lived tuples: the cyclic collector only costs time here
        try:
            self._scan_all(texts, roles, out)
        finally:
            if gc_was_enabled:
                gc.enable()
        return out

    def _scan_all(self, texts: list[str], roles: list[str] | None, out: list[list[dict[str, Any]]]) -> None:
        total = len(texts)
        if not total:
            return
        ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=total) + 1)
        start = 0
        while start < total:
            base = int(ends[start - 1]) if start else 0
            stop = int(np.searchsorted(ends, base + BATCH_CHARS, side="left")) + 1
            stop = min(max(stop, start + 1), total)
            out.extend(self._scan_batch(texts[start:stop], roles[start:stop] if roles else None))
            start = stop

    # ------------------------------------------------------------------ internals
    def _scan_batch(self, texts: list[str], roles: list[str] | None) -> list[list[dict[str, Any]]]:
        joined = SEP.join(texts)
        light, norm, idx, values = normalize_joined(joined)
        count = len(texts)
        starts_arr = np.zeros(count, dtype=np.int64)
        if count > 1:
            np.cumsum(np.fromiter(map(len, texts[:-1]), dtype=np.int64, count=count - 1) + 1, out=starts_arr[1:])
        starts = starts_arr.tolist()
        found: dict[int, list[tuple[int, int, str]]] = {}  # message index -> [(ostart, oend, rule_id)]
        shields: dict[int, list[tuple[int, int, frozenset[str]]]] = {}  # message index -> [(ostart, oend, frozenset rule ids)]
        det = self.detector_rules
        norm_spans: list[tuple[str, int, int]] = []  # detector hits in N coordinates
        # message index -> [(ostart, oend, combination refs)]
        combo_found: dict[int, list[tuple[int, int, tuple[tuple[str, int], ...]]]] = {}
        qq_ends: list[int] = []  # positions just past a QQ keyword

        matches = list(self.automaton.iter(norm)) if self.pattern_count else []
        if matches:
            arr = np.fromiter(chain.from_iterable(matches), dtype=np.int64, count=2 * len(matches)).reshape(-1, 2)
            ends = arr[:, 0]
            pids = arr[:, 1]
            begins = ends - self._plen[pids] + 1
            ascii_rows = np.flatnonzero(self._ascii[pids])
            if len(ascii_rows):
                # ASCII words only at ASCII word boundaries: a letter glued on either side rejects them,
                # and so does a digit glued after them (JD0012…, WX2023… are order and ticket codes);
                # a separator removed in between counts as a boundary
                a_begin, a_end, a_pid = begins[ascii_rows], ends[ascii_rows], pids[ascii_rows]
                nvals = len(values)
                prev = np.maximum(a_begin - 1, 0)
                glued_left = (
                    self._left_check[a_pid]
                    & (a_begin > 0)
                    & ((values[prev] - 97) < 26)
                    & (idx[a_begin] - idx[prev] == 1)
                )
                nxt = np.minimum(a_end + 1, nvals - 1)
                right_check = self._right_check[a_pid] & (a_end + 1 < nvals) & (idx[nxt] - idx[a_end] == 1)
                glued_right = right_check & ((values[nxt] - 97) < 26)
                digit_glued = np.flatnonzero(right_check & ((values[nxt] - 48) < 10))
                for k in digit_glued.tolist():
                    glued_right[k] = not self._contact_after(norm, self.patterns[int(a_pid[k])], int(a_end[k]) + 1)
                keep = np.ones(len(matches), dtype=bool)
                keep[ascii_rows[glued_left | glued_right]] = False
                if not keep.all():
                    ends, pids, begins = ends[keep], pids[keep], begins[keep]
            # allow-list, vectorised: keys (end position, term pid) that some allow match shields
            counts = self._sh_count[pids]
            if counts.any():
                rows = np.flatnonzero(counts)
                reps = counts[rows]
                first = np.repeat(self._sh_first[pids[rows]], reps)
                offsets = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
                slots = first + offsets
                span = self.pattern_count + 1
                shielded = (np.repeat(ends[rows], reps) - self._sh_delta[slots]) * span + self._sh_term[slots]
                work = self._has_work[pids] & ~np.isin(ends * span + pids, shielded)
            else:
                work = self._has_work[pids]
            if self._slow_shields:
                work |= self._sh_count[pids] > 0  # keep allow matches for the span-by-span check
            if not work.all():
                ends, pids, begins = ends[work], pids[work], begins[work]
            o_starts = idx[begins]
            o_ends = idx[ends] + 1
            msg = np.searchsorted(starts_arr, o_starts, side="right") - 1
            combo_ok = self._combo_messages(msg, pids) if self.combos else None
            if combo_ok is not None:
                keep_rows = ~self._combo_only[pids] | combo_ok
                if not keep_rows.all():
                    ends, pids, o_starts, o_ends, msg, combo_ok = (
                        ends[keep_rows], pids[keep_rows], o_starts[keep_rows], o_ends[keep_rows], msg[keep_rows],
                        combo_ok[keep_rows],
                    )
            ok_list = combo_ok.tolist() if combo_ok is not None else [False] * len(msg)
            info = self._info
            slow = self._slow_shields
            for m, os_, oe, pid, e, ok in zip(
                msg.tolist(), o_starts.tolist(), o_ends.tolist(), pids.tolist(), ends.tolist(), ok_list, strict=True
            ):
                rule_ids, shield, trigger, _l, _r, combo = info[pid]
                if rule_ids:
                    bucket = found.get(m)
                    if bucket is None:
                        bucket = found[m] = []
                    for rid in rule_ids:
                        bucket.append((os_, oe, rid))
                if ok and combo:
                    combo_found.setdefault(m, []).append((os_, oe, combo))
                if shield and slow:
                    shields.setdefault(m, []).append((os_, oe, shield))
                if trigger == "wechat":
                    wechat_span = wechat_id_after(norm, e + 1)
                    if wechat_span:
                        norm_spans.append(("wechat", wechat_span[0], wechat_span[1]))
                elif trigger == "qq":
                    qq_ends.append(e + 1)

        clauses: tuple[np.ndarray, np.ndarray] | None = None
        if combo_found or self.model is not None:
            clauses = clause_ids(light)
        if combo_found and clauses is not None:
            self._combinations(combo_found, clauses, light, found)
        if self.sound_automaton is not None and len(values):
            self._homophones(norm, values, idx, starts, found)
        if det:
            norm_spans.extend(scan_digits(norm, values, qq_ends))
            for kind, s, e in norm_spans:
                rule = det.get(kind)
                if rule is None:
                    continue
                os_, oe = int(idx[s]), int(idx[e - 1]) + 1
                m = bisect_right(starts, os_) - 1
                found.setdefault(m, []).append((os_, oe, rule["id"]))
            if "email" in det or "url" in det or "address" in det:
                for kind, s, e in scan_light(light):
                    rule = det.get(kind)
                    if rule is None:
                        continue
                    m = bisect_right(starts, s) - 1
                    found.setdefault(m, []).append((s, e, rule["id"]))
            insult = det.get("masked_insult")
            if insult is not None:
                for _kind, s, e in scan_insults(light):
                    m = bisect_right(starts, s) - 1
                    found.setdefault(m, []).append((s, e, insult["id"]))
        if (self._negatable or self._claims) and found:
            self._drop_negated(found, light, clauses)
        if self._term_unless and found:
            self._drop_unless(found, light, clauses)
        model_found: dict[int, list[tuple[int, int, str, float]]] = {}
        if self.model is not None and clauses is not None and len(values):
            unit_of = clause_ids(light, SENTENCE_END)[0] if self.model.unit == "sentence" else clauses[0]
            model_found = self._classify(self.model, values, idx, unit_of, starts_arr, roles)

        results: list[list[dict[str, Any]]] = [[] for _ in texts]
        meta = self._meta
        email_rid = det["email"]["id"] if "email" in det else None
        for m in model_found:
            found.setdefault(m, [])
        for m, raw_hits in found.items():
            role = roles[m] if roles else "agent"
            if role == "system":
                continue
            shield_list = shields.get(m)
            if shield_list:
                # allow-list, span by span (only for rules whose terms share a pattern with other rules)
                raw_hits = [
                    (os_, oe, rid)
                    for os_, oe, rid in raw_hits
                    if not any(a <= os_ and oe <= b and rid in ids for a, b, ids in shield_list)
                ]
            if len(raw_hits) > 1:
                raw_hits.sort(key=_leftmost_longest)
                if email_rid is not None:
                    raw_hits = _drop_inside_emails(raw_hits, email_rid, meta)
            base = starts[m]
            text = texts[m]
            hits = []
            last_end: dict[str, int] = {}
            for os_, oe, rid in raw_hits:
                cat, severity, suggestion = meta[rid]
                # within a category keep the leftmost longest non-overlapping hits
                if os_ < last_end.get(cat, -1):
                    continue
                last_end[cat] = oe
                if role == "buyer":
                    if cat != "contact_info":
                        continue
                    severity = "info"
                start, end = os_ - base, oe - base
                hits.append(
                    {
                        "category": cat,
                        "rule": rid,
                        "start": start,
                        "end": end,
                        "matched": text[start:end],
                        "severity": severity,
                        "suggestion": suggestion,
                    }
                )
            model_hits = model_found.get(m)
            if model_hits and role in ("agent", "bot"):
                for os_, oe, rid, confidence in model_hits:
                    cat, severity, suggestion = meta[rid]
                    start, end = os_ - base, oe - base
                    # a rule of the same category already marks this stretch: it says more precisely where
                    if any(h["category"] == cat and h["start"] < end and start < h["end"] for h in hits):
                        continue
                    hits.append(
                        {
                            "category": cat,
                            "rule": rid,
                            "start": start,
                            "end": end,
                            "matched": text[start:end],
                            "severity": severity,
                            "suggestion": suggestion,
                            "confidence": confidence,
                        }
                    )
                hits.sort(key=lambda h: (h["start"], -h["end"]))
            results[m] = hits
        return results

    def _combo_messages(self, msg: np.ndarray, pids: np.ndarray) -> np.ndarray:
        """Per match row: does its message hold every group of at least one combination rule?"""
        rows = np.flatnonzero(self._combo_pattern[pids])
        ok = np.zeros(len(msg), dtype=bool)
        if not len(rows):
            return ok
        r_msg = msg[rows]
        bits = self._combo_bits[pids[rows]]
        firsts = np.flatnonzero(np.concatenate(([True], r_msg[1:] != r_msg[:-1])))
        held = np.bitwise_or.reduceat(bits, firsts, axis=0)  # one row per message with combination terms
        masks = self._combo_rule_masks
        complete = np.zeros(len(firsts), dtype=bool)
        for r_no in range(len(masks)):
            complete |= np.all((held & masks[r_no]) == masks[r_no], axis=1)
        good_msgs = r_msg[firsts][complete]
        if len(good_msgs):
            ok = np.isin(msg, good_msgs)
        return ok

    def _combinations(
        self,
        combo_found: dict[int, list[tuple[int, int, tuple[tuple[str, int], ...]]]],
        clauses: tuple[np.ndarray, np.ndarray],
        light: str,
        found: dict[int, list[tuple[int, int, str]]],
    ) -> None:
        """Combination rules: every group of a rule inside one clause (or message), any order; `unless`
        terms in those clauses cancel it; questions do not count unless the rule says so."""
        clause_of, bounds = clauses
        sentence_of = clause_ids(light, SENTENCE_END)[0] if self._sentence_scopes else clause_of
        combos = self.combos
        for m, entries in combo_found.items():
            # (rule, unit) -> {group: [(start, end), …]}
            groups: dict[tuple[str, int], dict[int, list[tuple[int, int]]]] = {}
            cancelled: set[tuple[str, int]] = set()
            for os_, oe, refs in entries:
                c = int(clause_of[os_])
                for rid, g in refs:
                    scope = combos[rid][1]
                    unit = c if scope == "clause" else int(sentence_of[os_]) if scope == "sentence" else -1
                    if g < 0:
                        cancelled.add((rid, unit))
                        continue
                    groups.setdefault((rid, unit), {}).setdefault(g, []).append((os_, oe))
            for (rid, _unit), slot in groups.items():
                need, _scope, in_questions = combos[rid]
                if len(slot) < need:
                    continue
                spans = _disjoint_pick([slot[g] for g in range(need)])
                if spans is None:
                    continue  # the groups only meet inside one another (付 inside 支付宝)
                touched = {int(clause_of[s]) for s, _e in spans}
                if (rid, _unit) in cancelled:
                    continue
                if not in_questions and any(self._is_question(light, clause_of, bounds, c) for c in touched):
                    continue
                found.setdefault(m, []).append((min(s for s, _e in spans), max(e for _s, e in spans), rid))

    def _drop_negated(
        self, found: dict[int, list[tuple[int, int, str]]], light: str, clauses: tuple[np.ndarray, np.ndarray] | None,
    ) -> None:
        """Negation handling: a hit of a `negatable` rule whose clause negates it is dropped."""
        negatable = self._negatable
        claims = self._claims
        for raw_hits in found.values():
            if not any(rid in negatable or rid in claims for _s, _e, rid in raw_hits):
                continue
            if clauses is None:
                clauses = clause_ids(light)
            clause_of, bounds = clauses
            kept = []
            for os_, oe, rid in raw_hits:
                if rid in claims:
                    c = int(clause_of[os_])
                    begin = int(bounds[c - 1]) + 1 if c > 0 else 0
                    end = int(bounds[c]) if c < len(bounds) else len(light)
                    before, after = light[begin:os_], light[oe:end]
                    if any(w in before for w in _CLAIM_NEG_BEFORE) or any(w in after for w in _CLAIM_NEG_AFTER):
                        continue
                    if any(
                        (before.count(o) > before.count(c_) if o != c_ else before.count(o) % 2 == 1) and c_ in after
                        for o, c_ in _QUOTES
                    ):
                        continue  # quoted: the buyer's word, declined
                if rid in negatable:
                    c = int(clause_of[os_])
                    begin = int(bounds[c - 1]) + 1 if c > 0 else 0
                    end = int(bounds[c]) if c < len(bounds) else len(light)
                    before, after = light[begin:os_], light[oe:end]
                    for form in _A_NOT_A:  # 能不能 / 要不要 … ask, they do not negate
                        before = before.replace(form, "")
                    if any(w in before for w in _NEG_BEFORE) or any(w in after for w in _NEG_AFTER):
                        continue
                kept.append((os_, oe, rid))
            raw_hits[:] = kept

    @staticmethod
    def _contact_after(norm: str, pattern: str, pos: int) -> bool:
        """Digits glued after an ASCII word: a contact written straight after its prefix ("vx13812345678",
        "qq305782419") keeps the word; any other run (WX20231128004, JD0012…) is a code."""
        end = pos
        while end < len(norm) and "0" <= norm[end] <= "9":
            end += 1
        run = norm[pos:end]
        if pattern.endswith(("v", "vx", "wx", "weixin", "wechat")) and len(run) == 11 and run[0] == "1":
            return True
        return pattern.endswith("q") and 5 <= len(run) <= 11 and run[0] != "0"

    def _drop_unless(
        self, found: dict[int, list[tuple[int, int, str]]], light: str, clauses: tuple[np.ndarray, np.ndarray] | None,
    ) -> None:
        """A hit of a rule of plain terms is dropped when one of the rule's `unless` words stands in its
        clause (or sentence, or message: the rule's scope)."""
        term_unless = self._term_unless
        sentences: tuple[np.ndarray, np.ndarray] | None = None
        for raw_hits in found.values():
            if not any(rid in term_unless for _s, _e, rid in raw_hits):
                continue
            kept = []
            for os_, oe, rid in raw_hits:
                spec = term_unless.get(rid)
                if spec is not None:
                    scope, words = spec
                    if scope == "message":
                        begin = light.rfind(SEP, 0, os_) + 1
                        end = light.find(SEP, oe)
                    else:
                        if scope == "sentence":
                            if sentences is None:
                                sentences = clause_ids(light, SENTENCE_END)
                            ids, bounds = sentences
                        else:
                            if clauses is None:
                                clauses = clause_ids(light)
                            ids, bounds = clauses
                        c = int(ids[os_])
                        begin = int(bounds[c - 1]) + 1 if c > 0 else 0
                        end = int(bounds[c]) if c < len(bounds) else len(light)
                    if end < 0:
                        end = len(light)
                    if any(w and w in light[begin:end] for w in words):
                        continue
                kept.append((os_, oe, rid))
            raw_hits[:] = kept

    @staticmethod
    def _is_question(light: str, clause_of: np.ndarray, bounds: np.ndarray, c: int) -> bool:
        end = int(bounds[c]) if c < len(bounds) else len(light)
        begin = int(bounds[c - 1]) + 1 if c > 0 else 0
        if end < len(light) and light[end] in QUESTION_END:
            return True
        clause = light[begin:end]
        return any(word in clause for word in _QUESTION_WORDS)

    def _homophones(
        self, norm: str, values: np.ndarray, idx: np.ndarray, starts: list[int],
        found: dict[int, list[tuple[int, int, str]]],
    ) -> None:
        """Terms found by sound: syllable-aligned pinyin matches that share at least one character with
        the term, are not the term itself, and are not covered by one of the rule's allow phrases."""
        sound = sound_view(values)
        for end, (length, targets) in self.sound_automaton.iter(sound):
            begin = end - length + 1
            written = norm[begin : end + 1]
            for rid, term in targets:
                if written == term or not any(a == b for a, b in zip(written, term, strict=True)):
                    continue
                if any(self._allowed(norm, begin, end + 1, phrase) for phrase in self._allow_norm[rid]):
                    continue
                os_, oe = int(idx[begin]), int(idx[end]) + 1
                m = bisect_right(starts, os_) - 1
                found.setdefault(m, []).append((os_, oe, rid))

    @staticmethod
    def _allowed(norm: str, begin: int, end: int, phrase: str) -> bool:
        lo = max(0, end - len(phrase))
        pos = norm.find(phrase, lo, begin + len(phrase))
        return pos != -1 and pos <= begin and end <= pos + len(phrase)

    def _classify(
        self, model: ClauseModel, values: np.ndarray, idx: np.ndarray, clause_of: np.ndarray,
        starts_arr: np.ndarray, roles: list[str] | None,
    ) -> dict[int, list[tuple[int, int, str, float]]]:
        """The clause classifier over every clause of the batch at once; hits of the categories whose
        `model` rule is in this scanner, above the model's threshold for the category."""
        units = clause_of[idx]
        lengths, raw = model.raw_scores(values, units)
        probs = model.probabilities(raw)
        out: dict[int, list[tuple[int, int, str, float]]] = {}
        long_enough = lengths >= MIN_UNIT
        for k, category in enumerate(model.categories):
            rule = self.model_rules.get(category)
            if rule is None:
                continue
            fired = np.flatnonzero(long_enough & (probs[:, k] >= model.thresholds[k]))
            if not len(fired):
                continue
            first = np.searchsorted(units, fired, side="left")
            last = np.searchsorted(units, fired, side="right") - 1
            o_first = idx[first]
            o_last = idx[last]
            msg = np.searchsorted(starts_arr, o_first, side="right") - 1
            for m, a, b, n_last, p in zip(
                msg.tolist(), o_first.tolist(), o_last.tolist(), last.tolist(), probs[fired, k].tolist(), strict=True
            ):
                if roles is not None and roles[m] not in ("agent", "bot"):
                    continue
                if b > a and int(values[n_last]) < 0x10000 and chr(int(values[n_last])) in _TRIM:
                    b = int(idx[n_last - 1])  # the clause's closing mark is not part of what was said
                out.setdefault(m, []).append((a, b + 1, rule["id"], round(float(p), 3)))
        return out


def _disjoint_pick(options: list[list[tuple[int, int]]]) -> list[tuple[int, int]] | None:
    """One span per group, no two overlapping (greedy, leftmost first; groups have few matches)."""
    picked: list[tuple[int, int]] = []
    for spans in options:
        for s, e in sorted(spans):
            if all(e <= ps or pe <= s for ps, pe in picked):
                picked.append((s, e))
                break
        else:
            return None
    return picked


_TRIM = frozenset("，。！？；…、：—（）【】「」『』《》〈〉“”‘’〔〕")


_cache: dict[Hashable, Scanner] = {}
_cache_lock = threading.Lock()
_CACHE_LIMIT = 256


def cached_scanner(key: Hashable, build: Callable[[], Scanner]) -> Scanner:
    """One Scanner per key per process (key = platform + rule-set versions)."""
    scanner = _cache.get(key)
    if scanner is None:
        with _cache_lock:
            scanner = _cache.get(key)
            if scanner is None:
                if len(_cache) >= _CACHE_LIMIT:  # old custom-rule combinations pile up otherwise
                    _cache.clear()
                scanner = build()
                _cache[key] = scanner
    return scanner


def clear_cache() -> None:
    _cache.clear()


__all__ = ["Scanner", "RuleError", "cached_scanner", "clear_cache", "CATEGORIES", "SEVERITIES"]
