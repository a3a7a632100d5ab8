from django.utils.translation import gettext_lazy as _

from agency.navigation import NavItem, Widget, register_nav, register_widget

READERS = frozenset({"manager", "inspector", "merchant"})

# sessions and violations
register_nav(NavItem("sessions", _("会话记录"), "compliance:session-list", READERS, order=40))
register_nav(NavItem("violations", _("违规命中"), "compliance:violation-list", READERS, order=41))

# rule library, custom rules and the pre-send check
register_nav(NavItem("precheck", _("发送前检查"), "compliance:precheck", frozenset({"agent", "manager", "inspector"}), order=300))
register_nav(NavItem("rule-library", _("规则库"), "compliance:rule-library", frozenset({"manager", "inspector"}), order=310))
register_nav(NavItem("custom-rules", _("自定义规则"), "compliance:custom-rules", frozenset({"manager", "merchant"}), order=320))


def _violations_widget(request) -> dict:
    from compliance.selectors import violation_counts

    counts = violation_counts(user=request.user, days=7)
    return {"counts": counts, "total": sum(c["n"] for c in counts)}


register_widget(Widget("compliance-violations", "compliance/_widget_violations.html", READERS, _violations_widget, order=40))
