from django.utils.translation import gettext_lazy as _

from agency.navigation import NavItem, Widget, register_nav, register_widget
from agency.permissions import MERCHANTS, STAFF, STAFF_AND_MERCHANTS


def _alerts_widget(request) -> dict:
    from compliance.quality.metrics.selectors import alerts_visible_to

    open_alerts = alerts_visible_to(user=request.user).filter(acknowledged_at__isnull=True)
    return {"open_count": open_alerts.count(), "alerts": list(open_alerts[:6])}


register_nav(NavItem("quality", _("服务质量"), "quality:overview", STAFF_AND_MERCHANTS, order=60))
register_nav(NavItem("quality-alerts", _("质量告警"), "quality:alert-list", STAFF, order=61))
register_nav(NavItem("merchant-data-export", _("导出全部数据"), "quality:merchant-data-export", MERCHANTS, order=69))
register_widget(Widget("quality-alerts", "quality/_alerts_widget.html", STAFF, _alerts_widget, order=20))
