from django.utils import timezone
from django.utils.translation import pgettext_lazy

from agency.navigation import SALES, NavItem, Widget, register_nav, register_widget
from agency.permissions import MANAGERS
from clients.engagements.selectors import pipeline_summary

register_nav(NavItem("engagements", pgettext_lazy("导航", "合作项目"), "clients:engagement-board", MANAGERS, order=15,
                     group=SALES))


def _pipeline(request) -> dict:
    return pipeline_summary(user=request.user, today=timezone.localdate())


register_widget(Widget("pipeline", "clients/sales/_pipeline_widget.html", MANAGERS, _pipeline, order=20))
