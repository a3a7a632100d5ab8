"""The blind-labelled corpus's held-out part (tests/compliance/corpus_v2/, see its README: never tuned on),
message × category, every offset exact: a regression floor, and the issue's target recorded as a strict
expected failure (it fails the suite the day the engine reaches the target, so the marker is removed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.eval_scan import evaluate_corpus
from compliance.engine import CATEGORIES

CORPUS = Path(__file__).resolve().parent / "corpus_v2"


def _evaluate(capsys):
    from compliance.engine.corpus import report

    ev = evaluate_corpus([CORPUS])
    with capsys.disabled():
        print("\n" + report(ev))
    return ev, report(ev)


# Measured on this part: engine v2 on the first 1,204 messages, precision 0.915, recall 0.861; with the 531
# messages of two more writers (1,735), the v2 engine 0.896 / 0.839 and the current one 0.908 / 0.892. The
# floor catches a regression; it is not the goal.
FLOOR_PRECISION, FLOOR_RECALL = 0.90, 0.88


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the held-out corpus is not in tests/compliance/corpus_v2/")
def test_held_out_corpus_does_not_regress(capsys):
    ev, text = _evaluate(capsys)
    assert ev.messages > 1000
    assert not ev.offset_errors, f"{len(ev.offset_errors)} hits with offsets that do not match their text"
    assert ev.overall.precision("all") >= FLOOR_PRECISION, text
    assert ev.overall.recall("all") >= FLOOR_RECALL, text


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the held-out corpus is not in tests/compliance/corpus_v2/")
@pytest.mark.xfail(strict=True, reason="issue #11's target is not reached yet (held out: P 0.908, R 0.892)")
def test_held_out_corpus_meets_the_issue_thresholds(capsys):
    ev, text = _evaluate(capsys)
    assert ev.overall.precision("all") >= 0.95, text
    assert ev.overall.recall("all") >= 0.92, text
    low = {cat: round(ev.by_category.recall(cat), 3) for cat in CATEGORIES if ev.by_category.recall(cat) < 0.88}
    # counts only: printing the held-out messages the engine gets wrong would let whoever reads them tune on them
    assert not low, f"categories under recall 0.88: {low} ({len(ev.mistakes)} mistakes)"
