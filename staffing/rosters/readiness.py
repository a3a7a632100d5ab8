"""Go-live readiness items staffing contributes to the engagement checklist (clients/golive.py): agents
assigned and certified for every shop, and a published roster covering the first two weeks. Registered at
start-up (`staffing/apps.py`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from clients.engagements.golive import ReadinessItem
from staffing.rosters.models import Roster
from staffing.rosters.selectors import shop_published_gaps
from staffing.training.selectors import assignments_active, certifications_valid


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


def roster_readiness(engagement) -> ReadinessItem:
    """Go-live check: a published roster covers 8:00–23:00 for each of the engagement's shops, two weeks ahead."""
    label = gettext_lazy("已发布排班覆盖前两周 8:00–23:00")
    shops = list(engagement.shops.order_by("code"))
    if not shops:
        return ReadinessItem("roster_published", label, False, gettext("合作项目还没有店铺。"))
    today = timezone.localdate()
    problems = []
    for shop in shops:
        published = (
            Roster.objects.filter(shops=shop, status=Roster.Status.PUBLISHED).order_by("start_date").first()
        )
        if published is None:
            problems.append(gettext("%(shop)s：没有已发布的排班") % {"shop": shop.name})
            continue
        first = max(today, published.start_date)
        gaps = shop_published_gaps(shop=shop, first=first, days=14)
        if gaps:
            day, slot = gaps[0]
            problems.append(
                gettext("%(shop)s：%(day)s %(slot)s 起无人在岗（两周内共 %(n)s 个半小时缺人）")
                % {"shop": shop.name, "day": day.strftime("%m-%d"), "slot": slot, "n": len(gaps)}
            )
    return ReadinessItem("roster_published", label, not problems, "；".join(problems), reverse("staffing:roster-list"))
