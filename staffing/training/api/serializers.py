"""Exam attempts as the training API shows them."""

from __future__ import annotations

from rest_framework import serializers

from agency.models import User
from staffing.training.models import Exam, ExamAttempt


class ExamAttemptSerializer(serializers.ModelSerializer):
    exam: serializers.SlugRelatedField[Exam] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agent: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ExamAttempt
        fields = ["id", "exam", "agent", "started_at", "deadline", "submitted_at", "score", "passed", "late"]
