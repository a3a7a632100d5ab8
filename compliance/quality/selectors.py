"""Reads of the quality app, scoped to the caller. The QA reads live in `qa_selectors`; the ones other
parts of the product use are re-exported here under the documented names."""

from compliance.quality.qa_selectors import (  # noqa: F401
    agent_summary,
    autoqa_results_visible_to,
    qa_scores_by_agent,
    qa_scores_by_shop_day,
    quality_scores,
    reviews_visible_to,
)
