from django.utils.translation import gettext_lazy as _

from agency.navigation import NavItem, Widget, register_nav, register_widget

STAFF = frozenset({"manager", "inspector"})

register_nav(NavItem("forecast", _("咨询量预测"), "staffing:forecast-index", STAFF | {"merchant"}, order=30))
register_nav(NavItem("seasonal-plans", _("大促人力"), "staffing:plan-list", STAFF, order=32))
register_nav(NavItem("training", _("培训考核"), "staffing:training", STAFF | {"agent"}, order=34))


def _my_training(request) -> dict:
    from staffing.selectors import my_training

    items = my_training(agent=request.user)
    return {"items": [i for i in items if i.status in ("due", "expiring")], "total": len(items)}


register_widget(Widget("my-training", "staffing/_widget_training.html", frozenset({"agent"}), _my_training, order=20))
