"""The engagement: one merchant's outsourcing from consultation to live service, its activity log and the
go-live checklist (`golive.py`, with the registry of readiness checks staffing fills)."""
