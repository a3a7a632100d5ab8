from django.utils.translation import gettext_lazy as _

from agency.navigation import QUALITY, NavItem, Widget, register_nav, register_widget
from agency.permissions import STAFF


def _inbox_widget(request) -> dict:
    from compliance.quality.alerts.selectors import inbox_of

    unread = inbox_of(user=request.user).filter(read_at__isnull=True)
    return {"unread": unread.count(), "items": list(unread[:5])}


register_nav(NavItem("quality-inbox", _("我的通知"), "quality:inbox", STAFF, order=62, group=QUALITY,
                     also=("quality:notification-rules", "quality:notification-rule")))
register_widget(Widget("quality-inbox", "quality/_inbox_widget.html", STAFF, _inbox_widget, order=21))
