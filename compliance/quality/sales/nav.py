from django.utils.translation import gettext_lazy as _

from agency.navigation import QUALITY, NavItem, register_nav
from agency.permissions import EVERYONE

register_nav(NavItem("sales", _("销售转化"), "quality:sales-overview", EVERYONE, order=62, group=QUALITY))
