from django.utils.translation import gettext_lazy as _

from agency.navigation import NavItem, register_nav

register_nav(NavItem("rule-library", _("规则库"), "compliance:rule-library", frozenset({"manager", "inspector"}), order=310))
register_nav(NavItem("custom-rules", _("自定义规则"), "compliance:custom-rules", frozenset({"manager", "merchant"}), order=320))
