from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    """Service quality: response metrics, auto-QA, inspectors' QA and the merchant's quality view.

    A Django app of its own inside `compliance` (label `quality`) so that it has its own migrations;
    it reads the sessions and hits that `compliance` owns.
    """

    name = "compliance.quality"
    label = "quality"
    verbose_name = _("服务质量")

    def ready(self) -> None:
        # clients may not import compliance: the monthly statement gets the month's attained targets and the
        # attributed sales (contracts §8, §9) from us.
        from clients.statements.figures import register_statement_figures
        from compliance.quality.sales.statements import attributed_sales, statement_month_figures

        register_statement_figures(statement_month_figures, attributed_sales)
