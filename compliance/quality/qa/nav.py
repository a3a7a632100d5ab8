from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agency.models import Role
from agency.navigation import NavItem, Widget, register_nav, register_widget
from agency.permissions import AGENCY, AGENTS, STAFF, STAFF_AND_MERCHANTS

register_nav(NavItem("qa-queue", _("质检任务"), "quality:queue", STAFF, order=60))
register_nav(NavItem("qa-reviews", _("质检结果"), "quality:reviews", STAFF_AND_MERCHANTS, order=61))
register_nav(NavItem("qa-sampling", _("抽检计划"), "quality:sampling", STAFF, order=62))
register_nav(NavItem("qa-scorecards", pgettext_lazy("导航", "评分表"), "quality:scorecards", STAFF, order=63))
register_nav(NavItem("qa-autoqa", _("自动质检"), "quality:autoqa", STAFF, order=64))
register_nav(NavItem("qa-calibration", _("质检校准"), "quality:calibration", STAFF, order=65))
register_nav(NavItem("qa-disputes", _("申诉"), "quality:disputes", STAFF, order=66))
register_nav(NavItem("qa-scores", _("质量分"), "quality:scores", STAFF, order=67))
register_nav(NavItem("qa-mine", _("我的质检"), "quality:my-quality", AGENTS, order=60))


def _qa_widget(request) -> dict:
    from compliance.quality.qa import selectors

    user = request.user
    if user.role == Role.AGENT:
        return {"summary": selectors.agent_summary(agent=user), "agent": True}
    pending = selectors.assignments_for(user=user).count()
    disputes = selectors.disputes_visible_to(user=user).filter(status="open").count()
    return {"pending": pending, "open_disputes": disputes, "agent": False}


register_widget(Widget("qa", "quality/_widget.html", AGENCY, _qa_widget, order=60))
