"""The labelled corpus and message × category scoring, shared by the model's build script, the evaluation
script (`bench/eval_scan.py`) and the tests.  No Django here.

A corpus is JSON lines: {"platform": "pdd", "text": "...", "labels": [{"category": ..., "evidence": ...}]}
(`role` optional, agent by default).  A message counts as found for a category when the engine reports a
hit of that category in it; precision and recall are over (message, category) pairs.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compliance.engine.scanner import CATEGORIES


class CorpusError(ValueError):
    pass


def read_corpus(path: Path | str) -> list[dict[str, Any]]:
    """Rows of a corpus file; a bad line raises CorpusError naming the file and line."""
    rows: list[dict[str, Any]] = []
    with Path(path).open(encoding="utf-8-sig") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise CorpusError(f"{path}: line {number}: not valid JSON ({exc})") from exc
            if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not isinstance(row.get("platform"), str):
                raise CorpusError(f"{path}: line {number}: needs a string text and platform")
            labels = row.get("labels") or []
            if not isinstance(labels, list) or any(
                not isinstance(lab, dict) or lab.get("category") not in CATEGORIES for lab in labels
            ):
                raise CorpusError(f"{path}: line {number}: labels must be objects with one of the eight categories")
            row["labels"] = labels
            row.setdefault("role", "agent")
            rows.append(row)
    return rows


def read_corpora(paths: Iterable[Path | str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in paths:
        p = Path(path)
        files = sorted(p.glob("*.jsonl")) if p.is_dir() else [p]
        for f in files:
            rows.extend(read_corpus(f))
    return rows


@dataclass
class Score:
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)

    def add(self, key: str, found: set[str], expected: set[str]) -> None:
        self.tp[key] += len(found & expected)
        self.fp[key] += len(found - expected)
        self.fn[key] += len(expected - found)

    def precision(self, key: str) -> float:
        d = self.tp[key] + self.fp[key]
        return self.tp[key] / d if d else 1.0

    def recall(self, key: str) -> float:
        d = self.tp[key] + self.fn[key]
        return self.tp[key] / d if d else 1.0

    def positives(self, key: str) -> int:
        return self.tp[key] + self.fn[key]


@dataclass
class Evaluation:
    by_category: Score
    by_platform: Score
    by_platform_category: Score
    overall: Score
    offset_errors: list[str]
    mistakes: list[str]
    messages: int


def evaluate(
    rows: list[dict[str, Any]], scan: Callable[[str, list[str], list[str]], list[list[dict[str, Any]]]]
) -> Evaluation:
    """Score `scan(platform, texts, roles)` on the rows, message × category."""
    by_category, by_platform, by_pc, overall = Score(), Score(), Score(), Score()
    offset_errors: list[str] = []
    mistakes: list[str] = []
    by_plat: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_plat.setdefault(row["platform"], []).append(row)
    for platform, group in sorted(by_plat.items()):
        results = scan(platform, [r["text"] for r in group], [r.get("role", "agent") for r in group])
        for row, hits in zip(group, results, strict=True):
            text = row["text"]
            for hit in hits:
                if text[hit["start"] : hit["end"]] != hit["matched"]:
                    offset_errors.append(f"{platform} {text[:40]!r}: {hit}")
            found = {h["category"] for h in hits}
            expected = {lab["category"] for lab in row["labels"]}
            for cat in CATEGORIES:
                f, e = found & {cat}, expected & {cat}
                by_category.add(cat, f, e)
                by_pc.add(f"{platform}/{cat}", f, e)
            by_platform.add(platform, found, expected)
            overall.add("all", found, expected)
            if found != expected:
                mistakes.append(
                    f"{platform} {text!r}: expected {sorted(expected)}, found "
                    + ", ".join(f"{h['category']}:{h['rule']}:{h['matched']}" for h in hits)
                )
    return Evaluation(by_category, by_platform, by_pc, overall, offset_errors, mistakes, len(rows))


def report(ev: Evaluation) -> str:
    lines = [f"{ev.messages} messages", f"{'':24}{'precision':>10}{'recall':>8}{'positives':>10}"]
    lines.append(f"{'overall':24}{ev.overall.precision('all'):>10.3f}{ev.overall.recall('all'):>8.3f}"
                 f"{ev.overall.positives('all'):>10}")
    lines.append("by category")
    for cat in CATEGORIES:
        s = ev.by_category
        lines.append(f"  {cat:22}{s.precision(cat):>10.3f}{s.recall(cat):>8.3f}{s.positives(cat):>10}")
    lines.append("by platform")
    for platform in sorted(ev.by_platform.tp.keys() | ev.by_platform.fp.keys() | ev.by_platform.fn.keys()):
        s = ev.by_platform
        lines.append(f"  {platform:22}{s.precision(platform):>10.3f}{s.recall(platform):>8.3f}{s.positives(platform):>10}")
    lines.append(f"offsets: {'all exact' if not ev.offset_errors else f'{len(ev.offset_errors)} WRONG'}")
    return "\n".join(lines)
