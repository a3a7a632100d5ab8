"""Writes of the compliance app, one module per area (sessions import, scanning, …)."""
