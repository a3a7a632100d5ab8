"""Response metrics, auto-QA, scorecards and reviews."""
