from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = _("排班与培训")

    def ready(self) -> None:
        # clients may not import staffing: we hand it our Erlang C seat estimator for quotes.
        from clients.seats import register_seat_estimator
        from staffing.seats import seat_estimate

        register_seat_estimator(seat_estimate)
