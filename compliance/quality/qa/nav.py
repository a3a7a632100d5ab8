from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agency.models import Role
from agency.navigation import QUALITY, NavItem, Todo, Widget, register_nav, register_todo, register_widget
from agency.permissions import AGENCY, AGENTS, INSPECTORS, MANAGERS, STAFF, STAFF_AND_MERCHANTS

register_nav(NavItem("qa-queue", _("质检任务"), "quality:queue", STAFF, order=60, group=QUALITY,
                     also=("quality:review", "quality:session")))
register_nav(NavItem("qa-reviews", _("质检结果"), "quality:reviews", STAFF_AND_MERCHANTS, order=61,
                     group=QUALITY, also=("quality:review-detail",)))
register_nav(NavItem("qa-sampling", _("抽检计划"), "quality:sampling", STAFF, order=62, group=QUALITY,
                     also=("quality:sampling-run",)))
register_nav(NavItem("qa-scorecards", pgettext_lazy("导航", "评分表"), "quality:scorecards", STAFF, order=63,
                     group=QUALITY, also=("quality:scorecard-new", "quality:scorecard-detail", "quality:scorecard-edit")))
register_nav(NavItem("qa-autoqa", _("自动质检"), "quality:autoqa", STAFF, order=64, group=QUALITY,
                     also=("quality:autoqa-check", "quality:autoqa-rescore")))
register_nav(NavItem("qa-calibration", _("质检校准"), "quality:calibration", STAFF, order=65, group=QUALITY,
                     also=("quality:calibration-detail",)))
register_nav(NavItem("qa-disputes", _("申诉"), "quality:disputes", STAFF, order=66, group=QUALITY))
register_nav(NavItem("qa-scores", _("质量分"), "quality:scores", STAFF, order=67, group=QUALITY))
register_nav(NavItem("qa-mine", _("我的质检"), "quality:my-quality", AGENTS, order=60, group=QUALITY))


def _qa_widget(request) -> dict:
    from compliance.quality.qa import selectors

    user = request.user
    if user.role == Role.AGENT:
        return {"summary": selectors.agent_summary(agent=user), "agent": True}
    pending = selectors.assignments_for(user=user).count()
    disputes = selectors.disputes_visible_to(user=user).filter(status="open").count()
    return {"pending": pending, "open_disputes": disputes, "agent": False}


register_widget(Widget("qa", "quality/_widget.html", AGENCY, _qa_widget, order=60))


def _reviews_pending(request) -> int:
    from compliance.quality.qa import selectors

    return selectors.assignments_for(user=request.user).count()


def _disputes_open(request) -> int:
    from compliance.quality.qa import selectors

    return selectors.disputes_visible_to(user=request.user).filter(status="open").count()


register_todo(Todo("qa-pending", _("待完成的质检"), "quality:queue", STAFF, _reviews_pending, order=50))
register_todo(Todo("qa-disputes", _("待处理的申诉"), "quality:disputes", MANAGERS | INSPECTORS, _disputes_open,
                   order=51, tone="warn"))
