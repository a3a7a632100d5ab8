from django.utils.translation import gettext_lazy as _

from agency.navigation import NavItem, register_nav

register_nav(NavItem("shops", _("店铺"), "clients:shop-list", frozenset({"manager", "inspector", "merchant"}), order=10))
