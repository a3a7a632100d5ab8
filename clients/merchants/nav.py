from django.utils.translation import pgettext_lazy

from agency.navigation import NavItem, register_nav

register_nav(NavItem("shops", pgettext_lazy("导航", "店铺"), "clients:shop-list", frozenset({"manager", "inspector", "merchant"}), order=10))
