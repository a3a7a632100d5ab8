"""Precision and recall per category on the labelled corpus, per platform (fails under 0.95)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from compliance.engine import CATEGORIES, Scanner
from compliance.engine.library import PLATFORMS, load_library

CORPUS = Path(__file__).resolve().parent / "corpus"
THRESHOLD = 0.95


@pytest.fixture(scope="module")
def library():
    return load_library()


def _load(platform: str) -> list[dict]:
    with (CORPUS / f"{platform}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _score(platform: str, library) -> tuple[dict, list[str], list[dict]]:
    pack = library[platform]
    scanner = Scanner(pack["rules"], pack["aliases"])
    rows = _load(platform)
    results = scanner.scan_many([r["text"] for r in rows], [r["role"] for r in rows])
    tp, fp, fn = Counter(), Counter(), Counter()
    mistakes = []
    for row, hits in zip(rows, results, strict=True):
        for hit in hits:
            assert hit["matched"] == row["text"][hit["start"] : hit["end"]], (row, hit)
        found = {h["category"] for h in hits}
        expected = set(row["expect"])
        for cat in found & expected:
            tp[cat] += 1
        for cat in found - expected:
            fp[cat] += 1
        for cat in expected - found:
            fn[cat] += 1
        if found != expected:
            mistakes.append(f"{row['id']} {row['text']!r}: expected {sorted(expected)}, found {sorted(found)}")
    table = {}
    for cat in CATEGORIES:
        precision = tp[cat] / (tp[cat] + fp[cat]) if tp[cat] + fp[cat] else 1.0
        recall = tp[cat] / (tp[cat] + fn[cat]) if tp[cat] + fn[cat] else 1.0
        table[cat] = (precision, recall, tp[cat] + fn[cat])
    return table, mistakes, rows


@pytest.mark.parametrize("platform", PLATFORMS)
def test_precision_and_recall_per_category(platform, library, capsys):
    table, mistakes, rows = _score(platform, library)
    lines = [f"\n{platform}: {len(rows)} messages", f"{'category':22}{'precision':>10}{'recall':>8}{'positives':>10}"]
    for cat, (precision, recall, positives) in table.items():
        lines.append(f"{cat:22}{precision:>10.3f}{recall:>8.3f}{positives:>10}")
    with capsys.disabled():
        print("\n".join(lines))
    assert len(rows) >= 500
    below = {cat: v for cat, v in table.items() if v[0] < THRESHOLD or v[1] < THRESHOLD}
    assert not below, f"{platform} below {THRESHOLD}: {below}\n" + "\n".join(mistakes[:40])


@pytest.mark.parametrize("platform", PLATFORMS)
def test_corpus_covers_every_category_and_the_traps(platform):
    rows = _load(platform)
    positives = Counter(cat for r in rows for cat in r["expect"])
    assert all(positives[cat] >= 10 for cat in CATEGORIES), positives
    texts = " ".join(r["text"] for r in rows if not r["expect"])
    for trap in ("最近", "第一次", "第一时间", "唯一的办法", "绝对值", "全网通", "在线下单", "货到付款", "北京东路",
                 "淘宝贝壳", "QQ糖", "USB", "滚筒洗衣机", "傻瓜相机", "我为新客户", "西安下午"):
        assert trap in texts, trap
