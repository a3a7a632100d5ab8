from django.utils.translation import gettext_lazy as _

from agency.navigation import WORKFORCE, NavItem, register_nav
from agency.permissions import AGENTS, MANAGERS

register_nav(NavItem("my-leave", _("请假与偏好"), "staffing:my-leave", AGENTS, order=31, group=WORKFORCE))
register_nav(NavItem("leave-queue", _("请假审批"), "staffing:leave-queue", MANAGERS, order=32, group=WORKFORCE))
