from django.utils.translation import gettext_lazy as _

from agency.navigation import SALES, NavItem, register_nav
from agency.permissions import MANAGERS_AND_MERCHANTS

register_nav(NavItem("statements", _("对账单"), "clients:statement-list", MANAGERS_AND_MERCHANTS, order=18, group=SALES))
