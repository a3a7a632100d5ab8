from django.utils.translation import gettext_lazy as _

from agency.navigation import SALES, SETTINGS, NavItem, Todo, register_nav, register_todo
from agency.permissions import MANAGERS, MANAGERS_AND_MERCHANTS

register_nav(NavItem("quotes", _("报价单"), "clients:quote-list", MANAGERS_AND_MERCHANTS, order=16,
                     group=SALES, also=("clients:quote-detail", "clients:quote-create", "clients:portal-quote")))
register_nav(NavItem("contracts", _("合同"), "clients:contract-list", MANAGERS_AND_MERCHANTS, order=17,
                     group=SALES, also=("clients:contract-detail", "clients:contract-create", "clients:contract-sign",
                                        "clients:contract-amend", "clients:portal-contract")))
register_nav(NavItem("price-books", _("价格表"), "clients:price-books", MANAGERS, order=900, group=SETTINGS))


def _quotes_awaiting(request) -> int:
    from clients.sales.models import Quote
    from clients.sales.selectors import quotes_visible_to

    return quotes_visible_to(user=request.user).filter(status=Quote.Status.SENT).count()


def _contracts_to_sign(request) -> int:
    from clients.sales.models import Contract
    from clients.sales.selectors import contracts_visible_to

    return contracts_visible_to(user=request.user).filter(status=Contract.Status.SENT).count()


register_todo(Todo("quotes-awaiting", _("报价待商家答复"), "clients:quote-list", MANAGERS, _quotes_awaiting, order=30))
register_todo(Todo("contracts-unsigned", _("合同待签署"), "clients:contract-list", MANAGERS, _contracts_to_sign,
                   order=31))
