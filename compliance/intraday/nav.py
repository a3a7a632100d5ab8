from django.utils.translation import gettext_lazy as _

from agency.navigation import WORKFORCE, NavItem, register_nav
from agency.permissions import MANAGERS

# the rest of today re-forecast per shop, gaps per half hour and what to do about them
register_nav(NavItem("intraday", _("日内调度"), "compliance:intraday", MANAGERS, order=37, group=WORKFORCE))
