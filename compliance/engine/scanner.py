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
    detector: instead of terms, one of mobile, landline, qq, wechat, email, url, bank_card, id_number

Patterns that are pure ASCII letters/digits (vx, qq, sb, taobao …) only match at ASCII word boundaries:
no letter right before or after them (a removed separator counts as a boundary), so "USB" does not
contain "sb" and "wxyz" does not contain "wx".

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

from compliance.engine.detectors import QQ_TRIGGERS, WECHAT_TRIGGERS, scan_digits, scan_light, wechat_id_after
from compliance.engine.normalize import SEP, normalize_joined, normalize_pattern

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
DETECTORS = ("mobile", "landline", "qq", "wechat", "email", "url", "bank_card", "id_number")
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
    def __init__(self, rules: Iterable[dict[str, Any]], aliases: dict[str, list[str]] | None = None):
        aliases = aliases or {}
        self.rules: dict[str, dict[str, Any]] = {}
        self.detector_rules: dict[str, dict[str, Any]] = {}
        # pattern -> [rule ids it finds, rule ids it shields (allow-list), detector it triggers]
        patterns: dict[str, list[Any]] = {}

        def entry(pattern: str) -> list[Any]:
            found = patterns.get(pattern)
            if found is None:
                found = patterns[pattern] = [set(), set(), None]
            return found

        for raw in rules:
            rule = self._check(raw)
            rid = rule["id"]
            if rid in self.rules:
                raise RuleError(f"rule {rid}: duplicate id")
            self.rules[rid] = rule
            if rule.get("detector"):
                self.detector_rules.setdefault(rule["detector"], rule)
                continue
            for term in rule["terms"]:
                variants = [term]
                if rule.get("evasion"):
                    variants += aliases.get(term, [])
                for variant in variants:
                    norm = normalize_pattern(variant)
                    if norm:
                        entry(norm)[0].add(rid)
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
        # per pattern id: length, ASCII-boundary flags, rule ids, shields, trigger
        self._plen = np.array([len(p) for p in self.patterns] or [0], dtype=np.int64)
        self._ascii = np.array(
            [(p[0] in _ALPHA) or (p[-1] in _ALPHA) for p in self.patterns] or [False], dtype=bool
        )
        self._info = []
        for pid, pattern in enumerate(self.patterns):
            rule_ids, shields, trigger = patterns[pattern]
            self._info.append((tuple(sorted(rule_ids)), frozenset(shields), trigger, pattern[0] in _ALPHA, pattern[-1] in _ALPHA))
            self.automaton.add_word(pattern, pid)
        if self.pattern_count:
            self.automaton.make_automaton()
        self._left_check = np.array([i[3] for i in self._info] or [False], dtype=bool)
        self._right_check = np.array([i[4] for i in self._info] or [False], dtype=bool)
        self._meta = {rid: (r["category"], r["severity"], r["suggestion"]) for rid, r in self.rules.items()}
        self._has_work = np.array(
            [bool(i[0]) or bool(i[2]) for i in self._info] or [False], dtype=bool
        )
        self._build_shield_table(patterns)

    def _build_shield_table(self, patterns: dict[str, list[Any]]) -> None:
        """For every allow phrase, the term matches it shields, as (distance from its end, term pid).

        A term match is shielded when an allow phrase of its rules covers it; since the phrase then
        contains the term, this is known when the automaton is built, and a batch resolves all shields
        with one vectorised set lookup instead of comparing spans message by message.
        """
        pid_of = {p: i for i, p in enumerate(self.patterns)}
        allow_pids, deltas, term_pids = [], [], []
        self._slow_shields = False
        for pattern, (_rule_ids, shields, _trigger) in patterns.items():
            if not shields:
                continue
            a_pid = pid_of[pattern]
            for t_pattern, (t_rules, _s, _t) in patterns.items():
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
        if not detector and not terms:
            raise RuleError(f"rule {rid}: needs terms or a detector")
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
        qq_ends: list[int] = []  # positions just past a QQ keyword

        matches = list(self.automaton.iter(norm)) if self.pattern_count else []
        if matches:
            arr = np.fromiter(chain.from_iterable(matches), dtype=np.int64, count=2 * len(matches)).reshape(-1, 2)
            ends = arr[:, 0]
            pids = arr[:, 1]
            begins = ends - self._plen[pids] + 1
            ascii_rows = np.flatnonzero(self._ascii[pids])
            if len(ascii_rows):
                # ASCII words only at ASCII word boundaries: a letter glued on either side rejects them
                # (a separator removed in between counts as a boundary)
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
                glued_right = (
                    self._right_check[a_pid]
                    & (a_end + 1 < nvals)
                    & ((values[nxt] - 97) < 26)
                    & (idx[nxt] - idx[a_end] == 1)
                )
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
            info = self._info
            slow = self._slow_shields
            for m, os_, oe, pid, e in zip(
                msg.tolist(), o_starts.tolist(), o_ends.tolist(), pids.tolist(), ends.tolist(), strict=True
            ):
                rule_ids, shield, trigger, _l, _r = info[pid]
                if rule_ids:
                    bucket = found.get(m)
                    if bucket is None:
                        bucket = found[m] = []
                    for rid in rule_ids:
                        bucket.append((os_, oe, rid))
                if shield and slow:
                    shields.setdefault(m, []).append((os_, oe, shield))
                if trigger == "wechat":
                    wechat_span = wechat_id_after(norm, e + 1)
                    if wechat_span:
                        norm_spans.append(("wechat", wechat_span[0], wechat_span[1]))
                elif trigger == "qq":
                    qq_ends.append(e + 1)

        if det:
            norm_spans.extend(scan_digits(norm, values, qq_ends))
            for kind, s, e in norm_spans:
                rule = det.get(kind)
                if rule is None:
                    continue
                os_, oe = int(idx[s]), int(idx[e - 1]) + 1
                m = bisect_right(starts, os_) - 1
                found.setdefault(m, []).append((os_, oe, rule["id"]))
            if "email" in det or "url" in det:
                for kind, s, e in scan_light(light):
                    rule = det.get(kind)
                    if rule is None:
                        continue
                    m = bisect_right(starts, s) - 1
                    found.setdefault(m, []).append((s, e, rule["id"]))

        results: list[list[dict[str, Any]]] = [[] for _ in texts]
        meta = self._meta
        email_rid = det["email"]["id"] if "email" in det else None
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
            results[m] = hits
        return results


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
