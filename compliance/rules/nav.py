from django.utils.translation import gettext_lazy as _

from agency.navigation import COMPLIANCE, NavItem, register_nav
from agency.permissions import MANAGERS_AND_MERCHANTS, STAFF

register_nav(NavItem("rule-library", _("规则库"), "compliance:rule-library", STAFF, order=310, group=COMPLIANCE))
register_nav(NavItem("custom-rules", _("自定义规则"), "compliance:custom-rules", MANAGERS_AND_MERCHANTS, order=320,
                     group=COMPLIANCE))
