"""Go-live readiness items staffing contributes to the engagement checklist (clients/golive.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.engagements.golive import ReadinessItem
from staffing.selectors import assignments_active, certifications_valid


def agents_certified_check(engagement) -> ReadinessItem:
    """Every shop of the engagement has agents assigned, and every assigned agent holds a valid certificate."""
    label = gettext_lazy("客服已分配并通过店铺认证")
    shops = list(engagement.shops.all())
    if not shops:
        return ReadinessItem("staffing.agents_certified", label, False, _("项目还没有店铺"))
    assigned: dict[int, set[int]] = {s.pk: set() for s in shops}
    names: dict[int, str] = {}
    for a in assignments_active().filter(shop__in=shops).select_related("agent"):
        assigned[a.shop_id].add(a.agent_id)
        names[a.agent_id] = a.agent.code or a.agent.username
    certified = set(certifications_valid().filter(shop__in=shops).values_list("shop_id", "agent_id"))
    problems = []
    for shop in shops:
        if not assigned[shop.pk]:
            problems.append(_("%(shop)s：未分配客服") % {"shop": shop.name})
            continue
        missing = sorted(names[a] for a in assigned[shop.pk] if (shop.pk, a) not in certified)
        if missing:
            problems.append(_("%(shop)s：%(agents)s 未通过认证") % {"shop": shop.name, "agents": "、".join(missing)})
    return ReadinessItem("staffing.agents_certified", label, not problems, "；".join(problems),
                         reverse("staffing:training"))
