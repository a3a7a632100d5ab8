"""Exam grading as plain functions (no Django): read the answers a form sent, score them, decide the pass.

The services (`staffing.training.services.exam_submit`) call these and store the outcome."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

GRACE = timedelta(seconds=30)  # network slack on submitting at the last second


@dataclass(frozen=True)
class Grade:
    """The outcome of one sitting: the answers kept, the score out of 100, late and passed."""

    answers: dict[str, int]
    score: float
    late: bool
    passed: bool


def answers_from_form(data: Mapping[str, str], choices: Mapping[int, int]) -> dict[int, int]:
    """The answers in a submitted exam form (`q<question id>` → choice index), keeping only questions of the
    attempt (`choices`: question id → number of choices) and indices that name one of their choices."""
    answers: dict[int, int] = {}
    for qid, count in choices.items():
        raw = data.get(f"q{qid}")
        if raw is not None and raw.isdigit() and int(raw) < count:
            answers[qid] = int(raw)
    return answers


def grade(
    *,
    question_ids: Sequence[int],
    right: Mapping[int, int],
    answers: Mapping[int, int],
    pass_mark: float,
    submitted_at: datetime,
    deadline: datetime,
) -> Grade:
    """Score the drawn questions (`right`: question id → right choice, for the questions that still exist).
    A submission past the deadline (plus `GRACE`) is late and fails whatever its score."""
    correct = sum(1 for qid in question_ids if qid in right and answers.get(qid) == right[qid])
    total = len(question_ids) or 1
    score = round(100.0 * correct / total, 1)
    late = submitted_at > deadline + GRACE
    return Grade(
        answers={str(k): v for k, v in answers.items() if k in right},
        score=score,
        late=late,
        passed=(not late) and score >= pass_mark,
    )
