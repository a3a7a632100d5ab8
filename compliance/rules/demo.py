"""Demo content of the rule library: the shipped versions and a competitor-brand rule per demo merchant.

Runs before the demo sessions are imported and scanned (`compliance.sessions.demo`, ORDER 40). Idempotent.
"""

from __future__ import annotations

from clients.models import Merchant
from compliance.rules.models import CustomRule
from compliance.rules.services import custom_rule_save, ruleset_load_shipped

ORDER = 35

_COMPETITORS = ["优衣库", "安踏", "小米", "美的", "百雀羚"]


def load(*, password: str = "", log=print) -> None:
    versions = ruleset_load_shipped()
    log(f"rule library: {', '.join(f'{r.platform} v{r.version}' for r in versions)}")
    for n, merchant in enumerate(Merchant.objects.order_by("pk")[:5]):
        term = _COMPETITORS[n % len(_COMPETITORS)]
        if any(term in rule.terms for rule in CustomRule.objects.filter(merchant=merchant)):
            continue
        custom_rule_save(
            merchant=merchant,
            by=None,
            data={
                "category": "other_platform",
                "severity": "warning",
                "terms": [term],
                "suggestion": "我们的商品",
                "explanation": "商家要求：不在聊天中提及竞品品牌",
            },
        )
        log(f"custom rule for {merchant.code}: {term}")
