from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class AgencyConfig(AppConfig):
    name = "agency"
    verbose_name = _("代运营机构")

    def ready(self) -> None:
        # Each app declares its navigation entries and dashboard widgets in `<app>/nav.py`, so the shell
        # can show them without importing the apps above it.
        autodiscover_modules("nav")
