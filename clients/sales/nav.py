from django.utils.translation import gettext_lazy as _

from agency.navigation import NavItem, register_nav

register_nav(NavItem("quotes", _("报价单"), "clients:quote-list", frozenset({"manager", "merchant"}), order=16))
register_nav(NavItem("contracts", _("合同"), "clients:contract-list", frozenset({"manager", "merchant"}), order=17))
