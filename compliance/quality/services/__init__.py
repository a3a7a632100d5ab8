"""Writes of the quality app. Response metrics and alerts: `metrics`, `alerts`."""
