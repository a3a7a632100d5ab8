"""Dashboard panels: a merchant's to-do (quotes, contracts, handover) and the batches awaiting a manager's acknowledgement."""

from __future__ import annotations

from django.db.models import Count

from agency.navigation import Widget, register_widget
from clients.handover.selectors import batches_visible_to
from clients.models import HandoverBatch
from clients.portal.selectors import portal_todo


def _merchant_todo(request) -> dict:
    return {"todo": portal_todo(user=request.user)}


def _awaiting_acknowledgement(request) -> dict:
    batches = (
        batches_visible_to(user=request.user).filter(status=HandoverBatch.Status.OPEN)
        .annotate(entry_count=Count("entries")).filter(entry_count__gt=0).order_by("created_at")
    )
    return {"batches": list(batches[:8]), "total": batches.count()}


register_widget(Widget("portal-todo", "clients/portal/_todo_widget.html", frozenset({"merchant"}), _merchant_todo, order=5))
register_widget(Widget(
    "handover-awaiting", "clients/handover/_awaiting_widget.html", frozenset({"manager"}), _awaiting_acknowledgement,
    order=30,
))
