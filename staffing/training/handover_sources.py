"""What staffing tells `clients` about agents and what it learns from the knowledge handover.

- The knowledge base shows an agent the shops they serve today (their active shop assignments).
- A shop's training course asks about the knowledge handed over for it: for each product its code, for
  each reply script or FAQ the right answer among the shop's other answers.
"""

from __future__ import annotations

from agency.access import assigned_shops_q
from clients.handover.selectors import entries_in_force
from clients.models import KnowledgeKind, Shop
from staffing.training.training_sources import KnowledgeFact

MAX_FACTS_PER_SHOP = 60


def agent_shop_ids(user):
    """The shops an agent serves today (the shared rule `agency.access.assigned_shops_q`)."""
    return Shop.objects.filter(assigned_shops_q(user=user, shop_path="")).values_list("pk", flat=True)


def _others(values: list[str], right: str, count: int = 3) -> list[str]:
    wrong = [v for v in dict.fromkeys(values) if v and v != right]
    return wrong[:count]


def knowledge_facts_from_handover(shop: Shop) -> list[KnowledgeFact]:
    entries = list(entries_in_force(shop=shop)[: MAX_FACTS_PER_SHOP * 2])
    skus = [e.sku for e in entries if e.kind == KnowledgeKind.PRODUCT and e.sku]
    answers = [e.body.strip() for e in entries if e.kind in (KnowledgeKind.SCRIPT, KnowledgeKind.FAQ) and e.body.strip()]
    facts: list[KnowledgeFact] = []
    for entry in entries:
        if entry.kind == KnowledgeKind.PRODUCT and entry.sku:
            wrong = _others(skus, entry.sku)
            if wrong:
                facts.append(KnowledgeFact(f"sku:{entry.sku}", f"“{entry.title}”的商品编码是？", entry.sku, wrong))
        elif entry.kind in (KnowledgeKind.SCRIPT, KnowledgeKind.FAQ) and entry.body.strip():
            wrong = _others(answers, entry.body.strip())
            if wrong:
                facts.append(
                    KnowledgeFact(f"{entry.kind}:{entry.pk}", f"“{entry.title}”应当如何回复？", entry.body.strip(), wrong)
                )
        if len(facts) >= MAX_FACTS_PER_SHOP:
            break
    return facts
