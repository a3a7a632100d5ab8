"""Reads of the quality app, scoped to the caller. Response metrics and alerts: `metrics`."""
