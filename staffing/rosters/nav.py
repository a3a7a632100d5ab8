from django.utils.translation import gettext_lazy as _

from agency.navigation import WORKFORCE, NavItem, Todo, Widget, register_nav, register_todo, register_widget
from agency.permissions import AGENTS, MANAGERS, STAFF_AND_MERCHANTS

register_nav(NavItem("rosters", _("排班"), "staffing:roster-list", STAFF_AND_MERCHANTS, order=30,
                     group=WORKFORCE))
register_nav(NavItem("my-shifts", _("我的班次"), "staffing:my-shifts", AGENTS, order=30, group=WORKFORCE))
register_nav(NavItem("swaps", _("换班审批"), "staffing:swap-list", MANAGERS, order=31, group=WORKFORCE))
register_nav(NavItem("roster-rules", _("班次与规则"), "staffing:roster-rules", MANAGERS, order=32, group=WORKFORCE,
                     also=("staffing:shift-template-new", "staffing:shift-template-edit")))


def _next_shifts(request) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    from staffing.rosters.selectors import my_shifts

    today = timezone.localdate()
    return {"shifts": list(my_shifts(user=request.user, first=today, last=today + timedelta(days=13))[:5])}


def _pending_swaps(request) -> dict:
    from staffing.rosters.models import SwapRequest
    from staffing.rosters.selectors import swaps_visible_to

    return {"pending": swaps_visible_to(user=request.user).filter(status=SwapRequest.Status.PENDING).count()}


register_widget(Widget("my-next-shifts", "staffing/_widget_shifts.html", AGENTS, _next_shifts, order=10))
register_widget(Widget("pending-swaps", "staffing/_widget_swaps.html", MANAGERS, _pending_swaps, order=40))


def _rosters_to_publish(request) -> int:
    """Draft rosters whose first day has not passed: solved or not, nobody can work them until published."""
    from django.utils import timezone

    from staffing.rosters.models import Roster
    from staffing.rosters.selectors import rosters_visible_to

    today = timezone.localdate()
    return rosters_visible_to(user=request.user).filter(status=Roster.Status.DRAFT, start_date__gte=today).count()


def _swaps_pending(request) -> int:
    return _pending_swaps(request)["pending"]


register_todo(Todo("rosters-to-publish", _("排班待发布"), "staffing:roster-list", MANAGERS, _rosters_to_publish,
                   order=40, tone="warn"))
register_todo(Todo("swaps-pending", _("换班待审批"), "staffing:swap-list", MANAGERS, _swaps_pending, order=41))


def _swaps_to_answer(request) -> int:
    from staffing.rosters.selectors import swaps_to_answer

    return swaps_to_answer(user=request.user).count()


register_todo(Todo("swaps-to-answer", _("同事请你换班"), "staffing:my-shifts", AGENTS, _swaps_to_answer, order=42,
                   tone="warn", query="#to-answer"))
