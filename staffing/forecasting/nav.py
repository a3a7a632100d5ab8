from django.utils.translation import gettext_lazy as _

from agency.navigation import WORKFORCE, NavItem, register_nav
from agency.permissions import STAFF, STAFF_AND_MERCHANTS

register_nav(NavItem("forecast", _("咨询量预测"), "staffing:forecast-index", STAFF_AND_MERCHANTS, order=30,
                     group=WORKFORCE))
register_nav(NavItem("seasonal-plans", _("大促人力"), "staffing:plan-list", STAFF, order=32, group=WORKFORCE))
