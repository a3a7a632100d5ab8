from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgencyConfig(AppConfig):
    name = "agency"
    verbose_name = _("代运营机构")

    def ready(self) -> None:
        # Each feature declares its navigation entries and dashboard widgets in its `nav.py`, so the shell
        # can show them without importing the apps above it.
        from agency.features import feature_modules

        feature_modules("nav")
