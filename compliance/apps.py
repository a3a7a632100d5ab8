from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("合规")

    def ready(self) -> None:
        # Publishing a rule set with a re-scan window queues the re-scan job.
        # Saving a custom rule with a re-scan window queues a re-scan of the shops it covers.
        from compliance.rules.services import register_custom_rule_hook, register_publish_hook
        from compliance.sessions.services.scanning import rescan_after_custom_rule, rescan_after_publish

        register_publish_hook(rescan_after_publish)
        register_custom_rule_hook(rescan_after_custom_rule)

        # Staffing's platform-rule courses take their violating examples from our rule library.
        from compliance.rules.training import rule_facts_for_training
        from staffing.training.training_sources import register_rule_source

        register_rule_source(rule_facts_for_training)

        # Staffing's forecast accuracy holds its forecasts against the sessions that really arrived.
        from compliance.sessions.services.demand import arrivals_per_half_hour
        from staffing.forecasting.actuals import register_actual_volumes

        register_actual_volumes(arrivals_per_half_hour)
