"""Exam attempts over the API: an agent sees their own, managers and inspectors all, merchants none."""

from __future__ import annotations

from rest_framework import generics

from agency.http import AuthenticatedRequest
from agency.permissions import IsAnyRole
from staffing.training.api.serializers import ExamAttemptSerializer
from staffing.training.selectors import attempts_visible_to


class ExamAttemptList(generics.ListAPIView):
    """Exam attempts: an agent sees their own, managers and inspectors all, merchants none."""

    serializer_class = ExamAttemptSerializer
    permission_classes = [IsAnyRole]
    request: AuthenticatedRequest

    def get_queryset(self):
        return attempts_visible_to(user=self.request.user)
