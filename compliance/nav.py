from django.utils.translation import gettext_lazy as _

from agency.navigation import NavItem, register_nav

READERS = frozenset({"manager", "inspector", "merchant"})

register_nav(NavItem("sessions", _("会话记录"), "compliance:session-list", READERS, order=40))
register_nav(NavItem("violations", _("违规命中"), "compliance:violation-list", READERS, order=41))
