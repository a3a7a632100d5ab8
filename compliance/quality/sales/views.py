"""Sales pages: the overview across shops and agents, a shop's sales view, orders and their drill-down,
the order import. Thin: parse, call selectors/services, render. Another merchant's shop or order is a 404."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from agency import charts
from agency.access import get_visible_or_404
from agency.http import AuthenticatedHttpRequest
from agency.permissions import EVERYONE, STAFF_AND_MERCHANTS, roles_required
from agency.selectors import jobs_visible_to
from clients.merchants.selectors import shops_visible_to
from clients.statements.selectors import conversion_target_for_shop
from compliance.quality.masking import mask_buyer
from compliance.quality.metrics.selectors import month_period, parse_month, period_for
from compliance.quality.sales import selectors as sel
from compliance.quality.sales.engine.orderfile import COLUMNS, guess_format
from compliance.quality.sales.forms import OrderImportForm
from compliance.quality.sales.services.importing import orders_import_enqueue


@roles_required(EVERYONE)
def sales_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    period = period_for(month=request.GET.get("month"), shops=shops_visible_to(user=request.user))
    context = {"period": period, "overview": sel.sales_overview(user=request.user, period=period),
               "own": sel.is_agent(request.user)}
    return render(request, "quality/sales_overview.html", context)


@roles_required(STAFF_AND_MERCHANTS)
def shop_sales(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    shop = sel.sales_shop_or_404(user=request.user, code=code)
    period = period_for(month=request.GET.get("month"), shops=shops_visible_to(user=request.user).filter(pk=shop.pk))
    data = sel.shop_sales(shop=shop, period=period)
    target = conversion_target_for_shop(shop=shop, on=period.end)
    target_value = sel.conversion_target_value(shop=shop, period=period, target=target)
    chart = charts.chart(
        title=_("每日询单转化率"),
        labels=[f"{d['day']:%m-%d}" for d in data.daily],
        series_list=[charts.series(_("询单转化率"), [d["conversion_rate"] for d in data.daily])],
        axes=[charts.axis(percent=True)],
        target=target_value,
        target_label=_("目标 %(rate)s%%") % {"rate": f"{target_value * 100:.1f}"} if target_value else "",
    )
    silent = data.silent
    sales_chart = charts.chart(
        title=_("销售额构成（元）"),
        labels=[_("客服促成"), _("静默下单")],
        series_list=[charts.series(_("销售额"), [int(silent["brought"]), int(silent["silent"])], kind="bar")],
        axes=[charts.axis(unit=_("元"))],
    )
    context = {"shop": shop, "period": period, "data": data, "chart": chart, "sales_chart": sales_chart,
               "target": target, "target_value": target_value}
    return render(request, "quality/sales_shop.html", context)


@roles_required(EVERYONE)
def order_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    month = parse_month(request.GET.get("month"))
    filters = sel.OrderFilter(shop=request.GET.get("shop", ""), month=month,
                              attributed=request.GET.get("attributed", ""), agent=request.GET.get("agent", ""))
    page = Paginator(sel.order_list(user=request.user, filters=filters), 50).get_page(request.GET.get("page"))
    rows = [(order, mask_buyer(order.buyer)) for order in page.object_list]
    context = {"page": page, "rows": rows, "filters": filters, "period": month_period(month) if month else None,
               "shops": shops_visible_to(user=request.user).order_by("name")}
    return render(request, "quality/order_list.html", context)


@roles_required(EVERYONE)
def order_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    order = sel.order_detail(user=request.user, pk=pk)
    context = {"order": order, "buyer": mask_buyer(order.buyer), "changes": sel.order_changes(order=order)}
    return render(request, "quality/order_detail.html", context)


@roles_required(STAFF_AND_MERCHANTS)
def order_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload an order file; it is imported and attributed as a background Job whose progress this page shows."""
    job = None
    if request.method == "POST":
        form = OrderImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            fmt = form.cleaned_data["format"] or guess_format(upload.name)
            if fmt is None:
                form.add_error("format", _("无法从文件名判断格式，请选择格式。"))
            else:
                shop = get_visible_or_404(shops_visible_to(user=request.user), code=form.cleaned_data["shop"])
                job = orders_import_enqueue(shop=shop, chunks=upload.chunks(), fmt=fmt, filename=upload.name,
                                            by=request.user)
                return redirect(reverse("quality:order-import") + f"?job={job.pk}")
    else:
        form = OrderImportForm(user=request.user)
        job_id = request.GET.get("job")
        if job_id:
            job = get_visible_or_404(jobs_visible_to(user=request.user), pk=job_id)
            if request.htmx:
                return render(request, "quality/_order_import_job.html", {"job": job})
    columns = format_html_join(", ", "<code>{}</code>", ((name,) for name in COLUMNS))  # typed in a file header
    return render(request, "quality/order_import.html", {"form": form, "job": job, "columns": columns})


