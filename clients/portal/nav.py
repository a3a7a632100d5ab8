"""Navigation of the merchant's portal and its dashboard panel: the merchant's to-do (quotes, contracts, handover)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from agency.navigation import DELIVERY, NavItem, Widget, register_nav, register_widget
from agency.permissions import MERCHANTS
from clients.portal.selectors import portal_todo

register_nav(NavItem("portal", _("合作进度"), "clients:portal", MERCHANTS, order=5, group=DELIVERY))


def _merchant_todo(request) -> dict:
    return {"todo": portal_todo(user=request.user)}


register_widget(Widget("portal-todo", "clients/portal/_todo_widget.html", MERCHANTS, _merchant_todo, order=5))
