"""The project package and the agency's people: users, roles, teams, access rules, audit log, page shell."""

from agency.celery import app as celery_app

__all__ = ["celery_app"]
