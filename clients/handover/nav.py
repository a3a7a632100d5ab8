"""Navigation of the knowledge handover and knowledge base, and the manager's panel of batches awaiting
acknowledgement."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from agency.navigation import DELIVERY, NavItem, Todo, Widget, register_nav, register_todo, register_widget
from agency.permissions import EVERYONE, MANAGERS, STAFF_AND_MERCHANTS
from clients.handover.models import HandoverBatch
from clients.handover.selectors import batches_visible_to

register_nav(NavItem("handover", _("内容交接"), "clients:handover-list", STAFF_AND_MERCHANTS, order=40,
                     group=DELIVERY))
register_nav(NavItem("knowledge", _("知识库"), "clients:knowledge", EVERYONE, order=45, group=DELIVERY))


def _awaiting_acknowledgement(request) -> dict:
    batches = (
        batches_visible_to(user=request.user).filter(status=HandoverBatch.Status.OPEN)
        .annotate(entry_count=Count("entries")).filter(entry_count__gt=0).order_by("created_at")
    )
    return {"batches": list(batches[:8]), "total": batches.count()}


register_widget(Widget(
    "handover-awaiting", "clients/handover/_awaiting_widget.html", MANAGERS, _awaiting_acknowledgement,
    order=30,
))


def _batches_awaiting(request) -> int:
    return _awaiting_acknowledgement(request)["total"]


register_todo(Todo("handover-awaiting", _("资料待确认接收"), "clients:handover-list", MANAGERS, _batches_awaiting,
                   order=35))
