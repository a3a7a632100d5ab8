"""Reads on the agency's own data."""

from __future__ import annotations

from django.db.models import QuerySet

from agency.access import is_staff_viewer
from agency.models import Job, Role, User


def jobs_visible_to(*, user: User) -> QuerySet[Job]:
    """Staff see every job; others see the jobs they started."""
    if is_staff_viewer(user):
        return Job.objects.all()
    if not user.is_authenticated:
        return Job.objects.none()
    return Job.objects.filter(created_by=user)


def agents() -> QuerySet[User]:
    return User.objects.filter(role=Role.AGENT, is_active=True).order_by("code", "username")
