from django.utils.translation import gettext_lazy as _

from agency.navigation import NavItem, register_nav
from agency.permissions import EVERYONE, MANAGERS, STAFF

register_nav(NavItem("dashboard", _("工作台"), "dashboard", EVERYONE, order=0))
register_nav(NavItem("jobs", _("后台任务"), "job-list", STAFF, order=900))
register_nav(NavItem("api-docs", _("API 文档"), "api-docs", MANAGERS, order=950))
