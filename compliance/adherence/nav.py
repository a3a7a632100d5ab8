from django.utils.translation import gettext_lazy as _

from agency.navigation import WORKFORCE, NavItem, register_nav
from agency.permissions import AGENTS, EVERYONE, STAFF_AND_MERCHANTS

# today's floor for everyone (each sees their part); adherence by month
register_nav(NavItem("floor", _("今日在岗"), "compliance:floor", EVERYONE, order=35, group=WORKFORCE))
register_nav(NavItem("adherence", _("排班遵守"), "compliance:adherence", STAFF_AND_MERCHANTS, order=36, group=WORKFORCE))
register_nav(NavItem("my-adherence", _("我的出勤"), "compliance:adherence", AGENTS, order=36, group=WORKFORCE))
