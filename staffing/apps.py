from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = _("排班与培训")

    def ready(self) -> None:
        from clients.golive import register_readiness_check
        from staffing import roster_nav, roster_tasks  # noqa: F401  (menu entries, the Celery task)
        from staffing.roster_selectors import roster_readiness

        register_readiness_check("roster_published", roster_readiness, order=60)
