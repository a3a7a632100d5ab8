from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = _("排班与培训")

    def ready(self) -> None:
        # clients may not import staffing: we hand it our Erlang C seat estimator for quotes.
        from clients.sales.seats import register_seat_estimator
        from staffing.forecasting.seats import seat_estimate

        register_seat_estimator(seat_estimate)

        # Go-live items: agents assigned and certified, a published roster for the first two weeks.
        from clients.engagements.golive import register_readiness_check
        from staffing.rosters.readiness import agents_certified_check, roster_readiness

        register_readiness_check("staffing.agents_certified", agents_certified_check, order=50)
        register_readiness_check("roster_published", roster_readiness, order=60)

        # The knowledge base shows agents their shops; shop courses ask about the handed-over knowledge.
        from clients.handover.knowledge import register_agent_shops
        from staffing.training.handover_sources import agent_shop_ids, knowledge_facts_from_handover
        from staffing.training.training_sources import register_knowledge_source

        register_agent_shops(agent_shop_ids)
        register_knowledge_source(knowledge_facts_from_handover)
