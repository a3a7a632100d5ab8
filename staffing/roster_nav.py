from django.utils.translation import gettext_lazy as _

from agency.navigation import NavItem, register_nav

register_nav(NavItem("rosters", _("排班"), "staffing:roster-list", frozenset({"manager", "inspector", "merchant"}), order=30))
register_nav(NavItem("my-shifts", _("我的班次"), "staffing:my-shifts", frozenset({"agent"}), order=30))
register_nav(NavItem("swaps", _("换班审批"), "staffing:swap-list", frozenset({"manager"}), order=31))
