from django.utils.translation import pgettext_lazy

from agency.navigation import DELIVERY, NavItem, register_nav
from agency.permissions import STAFF_AND_MERCHANTS

register_nav(NavItem("shops", pgettext_lazy("导航", "店铺"), "clients:shop-list", STAFF_AND_MERCHANTS, order=10,
                     group=DELIVERY))
