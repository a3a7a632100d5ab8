from django.utils.translation import gettext_lazy as _

from agency.navigation import QUALITY, SETTINGS, NavItem, Todo, Widget, register_nav, register_todo, register_widget
from agency.permissions import MERCHANTS, STAFF, STAFF_AND_MERCHANTS


def _alerts_widget(request) -> dict:
    from compliance.quality.metrics.selectors import alerts_visible_to

    open_alerts = alerts_visible_to(user=request.user).filter(acknowledged_at__isnull=True)
    return {"open_count": open_alerts.count(), "alerts": list(open_alerts[:6])}


register_nav(NavItem("quality", _("服务质量"), "quality:overview", STAFF_AND_MERCHANTS, order=59, group=QUALITY,
                     also=("quality:shop", "quality:shop-sessions", "quality:session-metrics")))
register_nav(NavItem("quality-alerts", _("质量告警"), "quality:alert-list", STAFF, order=61, group=QUALITY,
                     also=("quality:alert",)))
register_nav(NavItem("sla-profiles", _("平台考核标准"), "quality:sla-profiles", STAFF, order=910, group=SETTINGS,
                     also=("quality:sla-profile-edit",)))
register_nav(NavItem("merchant-data-export", _("导出全部数据"), "quality:merchant-data-export", MERCHANTS, order=69,
                     group=SETTINGS))
register_widget(Widget("quality-alerts", "quality/_alerts_widget.html", STAFF, _alerts_widget, order=20))


def _open_breaches(request) -> int:
    from compliance.quality.metrics.selectors import alerts_visible_to

    return alerts_visible_to(user=request.user).filter(acknowledged_at__isnull=True, level="breach").count()


def _open_warnings(request) -> int:
    from compliance.quality.metrics.selectors import alerts_visible_to

    return alerts_visible_to(user=request.user).filter(acknowledged_at__isnull=True).exclude(level="breach").count()


register_todo(Todo("alerts-breach", _("未确认的超标告警"), "quality:alert-list", STAFF, _open_breaches, order=10,
                   tone="bad", query="?open=1"))
register_todo(Todo("alerts-warning", _("未确认的预警"), "quality:alert-list", STAFF, _open_warnings, order=11,
                   tone="warn", query="?open=1"))


def _kpis_widget(request) -> dict:
    from clients.merchants.selectors import shops_visible_to
    from compliance.quality.metrics import selectors

    period = selectors.period_for(month=None, shops=shops_visible_to(user=request.user))
    return {"period": period, "rows": selectors.kpis_against_targets(user=request.user, period=period)}


register_widget(Widget("quality-kpis", "quality/_kpis_widget.html", MERCHANTS, _kpis_widget, order=10))
