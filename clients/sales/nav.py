from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agency.navigation import NavItem, Widget, register_nav, register_widget

register_nav(NavItem("engagements", pgettext_lazy("导航", "合作项目"), "clients:engagement-board", frozenset({"manager"}), order=15))
register_nav(NavItem("quotes", _("报价单"), "clients:quote-list", frozenset({"manager", "merchant"}), order=16))
register_nav(NavItem("contracts", _("合同"), "clients:contract-list", frozenset({"manager", "merchant"}), order=17))


def _pipeline(request) -> dict:
    from django.utils import timezone

    from clients.sales.selectors import pipeline_summary

    return pipeline_summary(user=request.user, today=timezone.localdate())


register_widget(Widget("pipeline", "clients/sales/_pipeline_widget.html", frozenset({"manager"}), _pipeline, order=20))
