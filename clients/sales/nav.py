from django.utils.translation import gettext_lazy as _

from agency.navigation import NavItem, register_nav
from agency.permissions import MANAGERS_AND_MERCHANTS

register_nav(NavItem("quotes", _("报价单"), "clients:quote-list", MANAGERS_AND_MERCHANTS, order=16))
register_nav(NavItem("contracts", _("合同"), "clients:contract-list", MANAGERS_AND_MERCHANTS, order=17))
