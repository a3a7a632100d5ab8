"""The engagement: one merchant's outsourcing from consultation to live service. Its lifecycle (stages and
their gates, `services.py`), activity log, pipeline board, and the go-live checklist (`golive.py`, with the
registry of readiness checks staffing fills)."""
