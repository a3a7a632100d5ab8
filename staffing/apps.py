from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = _("排班与培训")

    def ready(self) -> None:
        # clients may not import staffing: we hand it our Erlang C seat estimator for quotes.
        from clients.sales.seats import register_seat_estimator
        from staffing.seats import seat_estimate

        register_seat_estimator(seat_estimate)

        from clients.engagements.golive import register_readiness_check
        from staffing.readiness import agents_certified_check

        register_readiness_check("staffing.agents_certified", agents_certified_check, order=50)

        from staffing import roster_nav, roster_tasks  # noqa: F401  (menu entries, the Celery task)
        from staffing.roster_selectors import roster_readiness

        register_readiness_check("roster_published", roster_readiness, order=60)

        # The knowledge base shows agents their shops; shop courses ask about the handed-over knowledge.
        from clients.handover.knowledge import register_agent_shops
        from staffing.handover_sources import agent_shop_ids, knowledge_facts_from_handover
        from staffing.training_sources import register_knowledge_source

        register_agent_shops(agent_shop_ids)
        register_knowledge_source(knowledge_facts_from_handover)
