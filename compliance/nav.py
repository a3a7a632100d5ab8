from django.utils.translation import gettext_lazy as _

from agency.navigation import NavItem, register_nav

# rule library, custom rules and the pre-send check (helper 3a)
register_nav(NavItem("precheck", _("发送前检查"), "compliance:precheck", frozenset({"agent", "manager", "inspector"}), order=300))
register_nav(NavItem("rule-library", _("规则库"), "compliance:rule-library", frozenset({"manager", "inspector"}), order=310))
register_nav(NavItem("custom-rules", _("自定义规则"), "compliance:custom-rules", frozenset({"manager", "merchant"}), order=320))
