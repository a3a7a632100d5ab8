"""The blind-labelled corpus's held-out part (tests/compliance/corpus_v2/, see its README: never tuned on),
message × category, every offset exact: a regression floor, and the issue's target recorded as a strict
expected failure (it fails the suite the day the engine reaches the target, so the marker is removed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.eval_scan import evaluate_corpus
from compliance.engine import CATEGORIES

CORPUS = Path(__file__).resolve().parent / "corpus_v2"


def _evaluate(capsys) -> tuple[dict[str, float], dict[str, float], str]:
    """Overall and per-category figures as plain numbers, and the printed report (counts only). The
    evaluation itself never reaches an assertion: pytest would print its list of the held-out messages
    the engine gets wrong, which whoever read them could tune on."""
    from compliance.engine.corpus import report

    ev = evaluate_corpus([CORPUS])
    text = report(ev)
    with capsys.disabled():
        print("\n" + text)
    overall = {
        "messages": float(ev.messages),
        "offset_errors": float(len(ev.offset_errors)),
        "precision": ev.overall.precision("all"),
        "recall": ev.overall.recall("all"),
        "mistakes": float(len(ev.mistakes)),
    }
    recall_by_category = {cat: round(ev.by_category.recall(cat), 3) for cat in CATEGORIES}
    return overall, recall_by_category, text


# Measured on this part: engine v2 on the first 1,204 messages, precision 0.915, recall 0.861; with the 531
# messages of two more writers (1,735), the v2 engine 0.896 / 0.839, the next 0.908 / 0.892; with the 4,342
# messages of sixteen more writers (6,077), the current engine 0.927 / 0.919. The floor catches a regression;
# it is not the goal.
FLOOR_PRECISION, FLOOR_RECALL = 0.91, 0.90


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the held-out corpus is not in tests/compliance/corpus_v2/")
def test_held_out_corpus_does_not_regress(capsys):
    overall, _by_category, text = _evaluate(capsys)
    assert overall["messages"] > 1000
    assert not overall["offset_errors"], f"{overall['offset_errors']:.0f} hits with offsets that do not match their text"
    assert overall["precision"] >= FLOOR_PRECISION, text
    assert overall["recall"] >= FLOOR_RECALL, text


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the held-out corpus is not in tests/compliance/corpus_v2/")
@pytest.mark.xfail(strict=True, reason="issue #11's target is not reached yet (held out: P 0.927, R 0.919)")
def test_held_out_corpus_meets_the_issue_thresholds(capsys):
    overall, by_category, text = _evaluate(capsys)
    assert overall["precision"] >= 0.95, text
    assert overall["recall"] >= 0.92, text
    low = {cat: recall for cat, recall in by_category.items() if recall < 0.88}
    assert not low, f"categories under recall 0.88: {low} ({overall['mistakes']:.0f} mistakes)"
