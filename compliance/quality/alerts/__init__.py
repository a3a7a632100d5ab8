"""Alerts that reach people: per-user notification rules (in-app, e-mail, group-robot webhooks), their
deliveries (at most one per alert and rule), the daily digest, and bulk acknowledgement."""
