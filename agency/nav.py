from django.utils.translation import gettext_lazy as _

from agency.navigation import ALL_ROLES, NavItem, register_nav

register_nav(NavItem("dashboard", _("工作台"), "dashboard", ALL_ROLES, order=0))
register_nav(NavItem("jobs", _("后台任务"), "job-list", frozenset({"manager", "inspector"}), order=900))
register_nav(NavItem("api-docs", _("API 文档"), "api-docs", frozenset({"manager"}), order=950))
