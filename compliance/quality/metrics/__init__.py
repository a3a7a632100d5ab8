"""Response metrics: SLA profiles, stored per-turn, per-session and per-day figures, alerts, the merchant's
quality view with its report and export. The definitions themselves are the pure `definitions` module."""
