from django.utils.translation import gettext_lazy as _

from agency.navigation import WORKFORCE, NavItem, Todo, Widget, register_nav, register_todo, register_widget
from agency.permissions import AGENTS, STAFF

register_nav(NavItem("training", _("培训考核"), "staffing:training", STAFF | AGENTS, order=34,
                     group=WORKFORCE))


def _my_training(request) -> dict:
    from staffing.training.selectors import my_training

    items = my_training(agent=request.user)
    return {"items": [i for i in items if i.status in ("due", "expiring")], "total": len(items)}


register_widget(Widget("my-training", "staffing/_widget_training.html", AGENTS, _my_training, order=20))


def _training_due(request) -> int:
    from staffing.training.selectors import my_training

    return sum(1 for item in my_training(agent=request.user) if item.status in ("due", "expiring"))


register_todo(Todo("training-due", _("待完成的培训考试"), "staffing:training", AGENTS, _training_due, order=20,
                   tone="warn"))
