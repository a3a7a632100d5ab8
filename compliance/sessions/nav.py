from django.utils.translation import gettext_lazy as _

from agency.navigation import COMPLIANCE, DELIVERY, NavItem, Widget, register_nav, register_widget
from agency.permissions import MANAGERS, STAFF_AND_MERCHANTS

# sessions and violations
register_nav(NavItem("sessions", _("会话记录"), "compliance:session-list", STAFF_AND_MERCHANTS, order=40,
                     group=DELIVERY))
register_nav(NavItem("violations", _("违规命中"), "compliance:violation-list", STAFF_AND_MERCHANTS, order=41,
                     group=COMPLIANCE))
register_nav(NavItem("retention", _("买家数据保留"), "compliance:retention", MANAGERS, order=42, group=COMPLIANCE))


def _violations_widget(request) -> dict:
    from compliance.sessions.selectors import violation_counts

    counts = violation_counts(user=request.user, days=7)
    return {"counts": counts, "total": sum(c["n"] for c in counts)}


register_widget(Widget("compliance-violations", "compliance/_widget_violations.html", STAFF_AND_MERCHANTS, _violations_widget, order=40))
