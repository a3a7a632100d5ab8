from django.utils.translation import gettext_lazy as _

from agency.navigation import NavItem, Widget, register_nav, register_widget

register_nav(NavItem("rosters", _("排班"), "staffing:roster-list", frozenset({"manager", "inspector", "merchant"}), order=30))
register_nav(NavItem("my-shifts", _("我的班次"), "staffing:my-shifts", frozenset({"agent"}), order=30))
register_nav(NavItem("swaps", _("换班审批"), "staffing:swap-list", frozenset({"manager"}), order=31))


def _next_shifts(request) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    from staffing.roster_selectors import my_shifts

    today = timezone.localdate()
    return {"shifts": list(my_shifts(user=request.user, first=today, last=today + timedelta(days=13))[:5])}


def _pending_swaps(request) -> dict:
    from staffing.roster_models import SwapRequest
    from staffing.roster_selectors import swaps_visible_to

    return {"pending": swaps_visible_to(user=request.user).filter(status=SwapRequest.Status.PENDING).count()}


register_widget(Widget("my-next-shifts", "staffing/_widget_shifts.html", frozenset({"agent"}), _next_shifts, order=10))
register_widget(Widget("pending-swaps", "staffing/_widget_swaps.html", frozenset({"manager"}), _pending_swaps, order=40))
