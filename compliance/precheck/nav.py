from django.utils.translation import gettext_lazy as _

from agency.navigation import COMPLIANCE, NavItem, register_nav
from agency.permissions import AGENCY

register_nav(NavItem("precheck", _("发送前检查"), "compliance:precheck", AGENCY, order=300, group=COMPLIANCE))
