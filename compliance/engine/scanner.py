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

import threading
from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterable

import ahocorasick

from compliance.engine.detectors import scan_light, scan_norm
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


class RuleError(ValueError):
    """A rule dict that cannot be compiled; the message names the rule and the field."""


def _is_ascii_word(s: str) -> bool:
    return bool(s) and all(c in _ALNUM for c in s)


class Scanner:
    def __init__(self, rules: Iterable[dict], aliases: dict[str, list[str]] | None = None):
        aliases = aliases or {}
        self.rules: dict[str, dict] = {}
        self.detector_rules: dict[str, dict] = {}
        # pattern info: (kind, payload, length, check_left, check_right)
        #   kind 0 = rule term: payload = list of rule ids
        #   kind 1 = allow phrase: payload = set of rule ids it shields
        patterns: dict[str, list] = {}

        def add(pattern: str, kind: int, rule_id: str) -> None:
            entry = patterns.get(pattern)
            if entry is None:
                entry = patterns[pattern] = [set(), set()]
            entry[kind].add(rule_id)

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
                        add(norm, 0, rid)
            for phrase in rule.get("allow") or ():
                norm = normalize_pattern(phrase)
                if norm:
                    add(norm, 1, rid)

        self.automaton = ahocorasick.Automaton()
        self.pattern_count = 0
        for norm, (rule_ids, shields) in patterns.items():
            left = norm[0] in _ALPHA
            right = norm[-1] in _ALPHA
            self.automaton.add_word(
                norm, (tuple(sorted(rule_ids)), frozenset(shields), len(norm), left, right)
            )
            self.pattern_count += 1
        if self.pattern_count:
            self.automaton.make_automaton()
        self.patterns = list(patterns)

    @staticmethod
    def _check(raw: dict) -> dict:
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
    def scan(self, text: str, role: str = "agent") -> list[dict]:
        """Hits in one message, sorted by position (contract §1 hit dicts)."""
        return self.scan_many([text], [role])[0]

    def scan_many(self, texts: list[str], roles: list[str] | None = None) -> list[list[dict]]:
        """Hits for many messages; the work is done in large batches (one automaton pass each)."""
        out: list[list[dict]] = []
        start = 0
        total = len(texts)
        while start < total:
            size = 0
            stop = start
            while stop < total and (size < BATCH_CHARS or stop == start):
                size += len(texts[stop]) + 1
                stop += 1
            out.extend(self._scan_batch(texts[start:stop], roles[start:stop] if roles else None))
            start = stop
        return out

    # ------------------------------------------------------------------ internals
    def _scan_batch(self, texts: list[str], roles: list[str] | None) -> list[list[dict]]:
        joined = SEP.join(texts)
        light, norm, idx = normalize_joined(joined)
        starts = [0] * len(texts)
        pos = 0
        for i, t in enumerate(texts):
            starts[i] = pos
            pos += len(t) + 1
        idx_list = None  # materialised lazily: most batches need few lookups
        found: dict[int, list] = {}  # message index -> [(ostart, oend, rule_id)]
        shields: dict[int, list] = {}  # message index -> [(ostart, oend, frozenset rule ids)]
        rules = self.rules
        nlen = len(norm)

        if self.pattern_count:
            for end, (rule_ids, shield, plen, check_left, check_right) in self.automaton.iter(norm):
                s = end - plen + 1
                if idx_list is None:
                    idx_list = idx.tolist()
                if check_left and s > 0 and norm[s - 1] in _ALPHA and idx_list[s] - idx_list[s - 1] == 1:
                    continue
                if check_right and end + 1 < nlen and norm[end + 1] in _ALPHA and idx_list[end + 1] - idx_list[end] == 1:
                    continue
                os_, oe = idx_list[s], idx_list[end] + 1
                m = bisect_right(starts, os_) - 1
                if rule_ids:
                    bucket = found.setdefault(m, [])
                    for rid in rule_ids:
                        bucket.append((os_, oe, rid))
                if shield:
                    shields.setdefault(m, []).append((os_, oe, shield))

        det = self.detector_rules
        if det:
            for kind, s, e in scan_norm(norm):
                rule = det.get(kind)
                if rule is None:
                    continue
                if idx_list is None:
                    idx_list = idx.tolist()
                os_, oe = idx_list[s], idx_list[e - 1] + 1
                m = bisect_right(starts, os_) - 1
                found.setdefault(m, []).append((os_, oe, rule["id"]))
            if "email" in det or "url" in det:
                for kind, s, e in scan_light(light):
                    rule = det.get(kind)
                    if rule is None:
                        continue
                    m = bisect_right(starts, s) - 1
                    found.setdefault(m, []).append((s, e, rule["id"]))

        results: list[list[dict]] = [[] for _ in texts]
        for m, raw_hits in found.items():
            role = roles[m] if roles else "agent"
            if role == "system":
                continue
            base = starts[m]
            text = texts[m]
            shield_list = shields.get(m, ())
            # allow-list: a phrase shields the hits of its rules that it covers
            kept = []
            for os_, oe, rid in raw_hits:
                if any(a <= os_ and oe <= b and rid in ids for a, b, ids in shield_list):
                    continue
                kept.append((os_, oe, rid))
            # within a category keep the longest leftmost non-overlapping hits
            kept.sort(key=lambda h: (rules[h[2]]["category"], h[0], -(h[1] - h[0]), h[2]))
            hits = []
            last_cat, last_end = None, -1
            for os_, oe, rid in kept:
                rule = rules[rid]
                cat = rule["category"]
                if cat == last_cat and os_ < last_end:
                    continue
                if cat != last_cat:
                    last_cat = cat
                last_end = oe
                severity = rule["severity"]
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
                        "suggestion": rule["suggestion"],
                    }
                )
            hits.sort(key=lambda h: (h["start"], h["end"], h["category"]))
            results[m] = hits
        return results


_cache: dict[Hashable, Scanner] = {}
_cache_lock = threading.Lock()


def cached_scanner(key: Hashable, build: Callable[[], Scanner]) -> Scanner:
    """One Scanner per key per process (key = platform + rule-set versions)."""
    scanner = _cache.get(key)
    if scanner is None:
        with _cache_lock:
            scanner = _cache.get(key)
            if scanner is None:
                scanner = build()
                _cache[key] = scanner
    return scanner


def clear_cache() -> None:
    _cache.clear()


__all__ = ["Scanner", "RuleError", "cached_scanner", "clear_cache", "CATEGORIES", "SEVERITIES"]
