"""Roster pages: list and create, a roster (solve, publish, demand upload), the coverage heatmap and shift
grid per shop, the grid per agent, agents' "my shifts" with swap requests and the swaps colleagues propose to
them, the managers' swap queue, and the shift templates and default rules with their versions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from agency.access import get_visible_or_404, is_staff_viewer, scope_by_merchant
from agency.http import AuthenticatedHttpRequest
from agency.permissions import AGENTS, MANAGERS, STAFF, has_role, roles_required
from clients.models import Shop
from staffing.rosters.forms import RosterForm, RulesForm, ShiftTemplateForm
from staffing.rosters.models import Roster, ShiftAssignment, ShiftTemplate, SwapRequest
from staffing.rosters.problems import roster_problem
from staffing.rosters.selectors import (
    coverage_grid,
    my_shifts,
    roster_grid,
    roster_shops_visible_to,
    rosters_visible_to,
    rules_versions,
    swaps_to_answer,
    swaps_visible_to,
    templates_current,
)
from staffing.rosters.services import (
    roster_create,
    roster_demand_import,
    roster_demand_import_file,
    roster_publish,
    roster_rules_adopt,
    roster_solve_start,
    rules_latest,
    rules_update,
    shift_template_create,
    shift_template_revise,
    swap_options,
    swap_request_answer,
    swap_request_cancel,
    swap_request_create,
    swap_request_decide,
)


@login_required
def roster_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if has_role(request.user, AGENTS):
        return redirect("staffing:my-shifts")
    rosters = rosters_visible_to(user=request.user).prefetch_related(
        Prefetch("shops", queryset=scope_by_merchant(Shop.objects.order_by("code"), user=request.user))
    )
    form = None
    if has_role(request.user, MANAGERS):
        form = RosterForm(request.POST or None, initial={"start_date": timezone.localdate() + timedelta(days=1)},
                          rules=rules_latest())
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            roster = roster_create(
                name=data["name"], start_date=data["start_date"], days=data["days"], shops=list(data["shops"]),
                templates=list(data["templates"]), by=request.user, min_rest_hours=data["min_rest_hours"],
                max_consecutive_days=data["max_consecutive_days"], max_hours_per_week=data["max_hours_per_week"],
                min_coverage=data["min_coverage"],
            )
            messages.success(request, gettext("排班表已创建，可以上传需求并开始求解。"))
            return redirect("staffing:roster-detail", pk=roster.pk)
    return render(request, "staffing/roster_list.html", {"rosters": rosters, "form": form})


def _visible_roster(request: AuthenticatedHttpRequest, pk: int) -> Roster:
    return get_visible_or_404(rosters_visible_to(user=request.user).select_related("job"), pk=pk)


@login_required
def roster_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    roster = _visible_roster(request, pk)
    shops = list(roster_shops_visible_to(user=request.user, roster=roster))
    staff = is_staff_viewer(request.user)
    counts: dict[int, int] = {}
    if staff:
        for shop_id in roster.assignments.values_list("shop_id", flat=True):
            counts[shop_id] = counts.get(shop_id, 0) + 1
    context = {
        "roster": roster,
        "shops": [(shop, counts.get(shop.pk, 0)) for shop in shops],
        "staff": staff,
        "shift_count": sum(counts.values()),
        "templates": roster.templates.all() if staff else [],
        "shortfall_rows": _named_shortfall(roster, shops) if staff else [],
        "demand_count": roster.demand.count() if staff else 0,
        "problem": roster_problem(roster=roster) if staff else None,
        "latest_rules": rules_latest() if staff else None,
        "can_adopt": staff and roster.published_through is None and not roster.assignments.filter(pinned=True).exists(),
    }
    return render(request, "staffing/roster_detail.html", context)


def _named_shortfall(roster, shops) -> list[dict]:
    """The first 50 shortfall rows with the shop's name instead of its code."""
    names = {shop.code: shop.name for shop in shops}
    return [{**row, "shop": names.get(row.get("shop"), row.get("shop"))} for row in (roster.shortfall or [])[:50]]


@require_POST
@roles_required(MANAGERS)
def roster_solve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    roster = _visible_roster(request, pk)
    try:
        time_limit = min(120.0, max(2.0, float(request.POST.get("time_limit", 30))))
    except ValueError:
        time_limit = 30.0
    roster_solve_start(roster=roster, by=request.user, time_limit=time_limit)
    messages.info(request, gettext("已开始求解，进度显示在下方。"))
    return redirect("staffing:roster-detail", pk=roster.pk)


@require_POST
@roles_required(MANAGERS)
def roster_publish_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    roster = _visible_roster(request, pk)
    try:
        through = date.fromisoformat(request.POST.get("through", ""))
        n = roster_publish(roster=roster, through=through, by=request.user)
    except ValueError:
        messages.error(request, gettext("发布日期格式不正确。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, gettext("已发布至 %(day)s，%(n)s 个班次已固定。") % {"day": through, "n": n})
    return redirect("staffing:roster-detail", pk=roster.pk)


@require_POST
@roles_required(MANAGERS)
def roster_demand_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    roster = _visible_roster(request, pk)
    upload = request.FILES.get("file")
    try:
        if upload is not None:
            if upload.size and upload.size > 5 * 1024 * 1024:
                raise ValidationError(gettext("文件太大（超过 5 MB）：需求 CSV 通常只有几百 KB。"))
            n = roster_demand_import_file(roster=roster, data=upload.read(), filename=upload.name or "", by=request.user)
        else:
            n = roster_demand_import(roster=roster, text=request.POST.get("text", ""), by=request.user)
    except ValidationError as exc:
        for message in exc.messages[:20]:
            messages.error(request, message)
    else:
        messages.success(request, gettext("已导入 %(n)s 条需求。") % {"n": n})
    return redirect("staffing:roster-detail", pk=roster.pk)


@login_required
def roster_shop(request: AuthenticatedHttpRequest, pk: int, code: str) -> HttpResponse:
    """Coverage heatmap (half hour × day, required vs scheduled) and the shop's shift grid."""
    roster = _visible_roster(request, pk)
    shop = get_visible_or_404(roster_shops_visible_to(user=request.user, roster=roster), code=code)
    slots, days, grid = coverage_grid(roster=roster, shop=shop)
    rows = [(slot, [grid[slot, day] for day in days]) for slot in slots]
    gaps = sum(1 for cell in grid.values() if cell.gap)
    staff = is_staff_viewer(request.user)
    agents, _days, cells = roster_grid(
        roster=roster, shifts=roster.assignments.filter(shop=shop).select_related("agent", "template")
    )
    agent_rows = [(agent, [cells.get((agent.pk, day)) for day in days]) for agent in agents]
    return render(request, "staffing/roster_shop.html", {
        "roster": roster, "shop": shop, "days": days, "rows": rows, "gaps": gaps,
        "agent_rows": agent_rows, "staff": staff,
    })


@login_required
def roster_agents(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not has_role(request.user, STAFF):
        raise Http404
    roster = _visible_roster(request, pk)
    agents, days, cells = roster_grid(
        roster=roster, shifts=roster.assignments.select_related("agent", "template", "shop")
    )
    rows = []
    for agent in agents:
        shifts = [cells.get((agent.pk, day)) for day in days]
        hours = sum(s.template.minutes for s in shifts if s) / 60
        rows.append((agent, shifts, hours))
    return render(request, "staffing/roster_agents.html", {"roster": roster, "days": days, "rows": rows})


@login_required
def my_shifts_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An agent's own published shifts, four weeks from this Monday, and their swap requests."""
    if not has_role(request.user, AGENTS):
        raise Http404
    today = timezone.localdate()
    try:
        first = date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        first = today
    first -= timedelta(days=first.weekday())
    last = first + timedelta(days=27)
    shifts = list(my_shifts(user=request.user, first=first, last=last))
    by_day: dict[date, list[ShiftAssignment]] = {}
    for shift in shifts:
        by_day.setdefault(shift.date, []).append(shift)
    weeks = [
        [(first + timedelta(days=7 * w + d), by_day.get(first + timedelta(days=7 * w + d), [])) for d in range(7)]
        for w in range(4)
    ]
    swaps = swaps_visible_to(user=request.user)[:30]
    return render(request, "staffing/my_shifts.html", {
        "to_answer": swaps_to_answer(user=request.user), "open_statuses": SwapRequest.OPEN,
        "weeks": weeks, "shifts": [s for s in shifts if s.date >= today], "today": today,
        "prev": first - timedelta(days=28), "next": first + timedelta(days=28), "swaps": swaps,
        "weekday_names": [gettext("周一"), gettext("周二"), gettext("周三"), gettext("周四"), gettext("周五"), gettext("周六"), gettext("周日")],
    })


@login_required
def swap_request_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One of my published coming shifts: the colleagues who may take it and the shifts of theirs I may take
    in exchange (only eligible ones are listed); posting one of them asks a manager."""
    if not has_role(request.user, AGENTS):
        raise Http404
    shift = get_visible_or_404(
        ShiftAssignment.objects.filter(agent=request.user, pinned=True, date__gte=timezone.localdate())
        .select_related("roster", "shop", "template", "agent"), pk=pk,
    )
    options = swap_options(assignment=shift)
    if request.method == "POST":
        choice = request.POST.get("choice", "")
        kind, _sep, ident = choice.partition(":")
        taker, counterpart = None, None
        if kind == "give":
            taker = next((u for u in options.giveaways if str(u.pk) == ident), None)
        elif kind == "trade":
            counterpart = next((t for t in options.trades if str(t.pk) == ident), None)
            taker = counterpart.agent if counterpart else None
        if taker is None:
            messages.error(request, gettext("请选择一个可换的同事或班次。"))
            return redirect("staffing:swap-request", pk=shift.pk)
        try:
            swap_request_create(assignment=shift, requester=request.user, taker=taker, counterpart=counterpart,
                                note=request.POST.get("note", "")[:200])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("staffing:swap-request", pk=shift.pk)
        messages.success(request, gettext("换班申请已发给同事，同事接受后由经理审批。"))
        return redirect("staffing:my-shifts")
    return render(request, "staffing/swap_request.html", {"shift": shift, "options": options})


@roles_required(MANAGERS)
def swap_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    swaps = list(swaps_visible_to(user=request.user)[:100])
    pending = [swap for swap in swaps if swap.status == SwapRequest.Status.PENDING]
    proposed = [swap for swap in swaps if swap.status == SwapRequest.Status.PROPOSED]
    decided = [swap for swap in swaps if swap.status not in SwapRequest.OPEN]
    return render(request, "staffing/swap_list.html", {"pending": pending, "proposed": proposed, "decided": decided})


def _swap_step(request: AuthenticatedHttpRequest, step: Callable[[], object], done: str) -> None:
    """Run one step of a swap's life; its refusal, or `done`, as the page's message."""
    try:
        step()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)


@require_POST
@roles_required(MANAGERS)
def swap_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    swap = get_visible_or_404(swaps_visible_to(user=request.user), pk=pk)
    approve = request.POST.get("decision") == "approve"
    _swap_step(request, lambda: swap_request_decide(swap=swap, by=request.user, approve=approve),
               gettext("已批准换班。") if approve else gettext("已拒绝换班。"))
    return redirect("staffing:swap-list")


@require_POST
@roles_required(AGENTS)
def swap_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The colleague accepts or declines a proposed swap."""
    swap = get_visible_or_404(swaps_visible_to(user=request.user).filter(taker=request.user), pk=pk)
    accept = request.POST.get("answer") == "accept"
    _swap_step(request, lambda: swap_request_answer(swap=swap, by=request.user, accept=accept),
               gettext("已接受，等待经理审批。") if accept else gettext("已拒绝这个换班申请。"))
    return redirect("staffing:my-shifts")


@require_POST
@roles_required(AGENTS)
def swap_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    swap = get_visible_or_404(swaps_visible_to(user=request.user).filter(requester=request.user), pk=pk)
    _swap_step(request, lambda: swap_request_cancel(swap=swap, by=request.user), gettext("已撤回换班申请。"))
    return redirect("staffing:my-shifts")


def _form_errors(form, exc: ValidationError) -> None:
    """A service's refusal shown on the form's own fields (or above the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@roles_required(MANAGERS)
def roster_rules(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The current shift templates and default rules, the form to change the rules, and every version."""
    current = rules_latest()
    form = RulesForm(request.POST or None, initial={
        f: getattr(current, f) for f in ("min_rest_hours", "max_consecutive_days", "max_hours_per_week", "min_coverage")
    })
    if request.method == "POST" and form.is_valid():
        try:
            new = rules_update(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if new.pk == current.pk:
                messages.info(request, gettext("规则没有变化，版本不变。"))
            else:
                messages.success(request, gettext("已保存为规则版本 v%(n)s；之后新建的排班表使用新规则，已有排班表不变。") % {"n": new.number})
            return redirect("staffing:roster-rules")
    return render(request, "staffing/roster_rules.html", {
        "current": current, "form": form, "templates": templates_current(), "versions": rules_versions()[:30],
    })


@roles_required(MANAGERS)
def shift_template_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ShiftTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shift_template_create(by=request.user, code=data["code"], name=data["name"], start=data["start"],
                                  end=data["end"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, gettext("班次模板已添加。"))
            return redirect("staffing:roster-rules")
    return render(request, "staffing/shift_template_form.html", {"form": form, "template_row": None})


@roles_required(MANAGERS)
def shift_template_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(ShiftTemplate, pk=pk, current=True)
    initial = {"code": template.code, "name": template.name, "start": template.start, "end": template.end,
               "active": template.active}
    form = ShiftTemplateForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = shift_template_revise(template=template, by=request.user, name=data["name"], start=data["start"],
                                        end=data["end"], active=data["active"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if new.pk == template.pk:
                messages.info(request, gettext("班次模板没有变化。"))
            else:
                messages.success(request, gettext("班次模板已保存为第 %(n)s 版；已有排班表仍按原来的时间。") % {"n": new.version})
            return redirect("staffing:roster-rules")
    return render(request, "staffing/shift_template_form.html", {"form": form, "template_row": template})


@require_POST
@roles_required(MANAGERS)
def roster_adopt_rules(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    roster = _visible_roster(request, pk)
    try:
        roster = roster_rules_adopt(roster=roster, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, gettext("排班表已改用规则版本 v%(n)s，请重新求解。") % {"n": roster.rules_version.number if roster.rules_version else ""})
    return redirect("staffing:roster-detail", pk=roster.pk)
