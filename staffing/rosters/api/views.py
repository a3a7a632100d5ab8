"""Rosters, shifts and swaps over the API. Reads go through the pages' selectors (same scopes: staff see every
roster, a merchant user the rosters of their shops and nothing of agents' shifts, an agent their own
published shifts and swaps); writes call the pages' services, so the same rules hold. Another's object is a
404; a refused write is a 400 naming the field, or a 409 when the object's state refuses it."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from agency.access import get_visible_or_404, is_staff_viewer, scope_by_merchant
from agency.api.errors import Conflict, service_refusal
from agency.http import AuthenticatedRequest
from agency.models import Role, User
from agency.permissions import (
    AGENTS,
    IsAgencyMember,
    IsAgent,
    IsManager,
    IsManagerOrAgent,
    IsStaffOrMerchant,
    PermissionsByAction,
    has_role,
)
from clients.merchants.selectors import shops_visible_to
from clients.models import Shop
from staffing.rosters.api.serializers import (
    CoverageQuerySerializer,
    CoverageSerializer,
    JobAcceptedSerializer,
    PublishResultSerializer,
    PublishSerializer,
    RosterCreateSerializer,
    RosterSerializer,
    ShiftQuerySerializer,
    ShiftSerializer,
    SolveSerializer,
    SwapCreateSerializer,
    SwapOptionsSerializer,
    SwapSerializer,
)
from staffing.rosters.models import Roster, ShiftAssignment, ShiftTemplate, SwapRequest
from staffing.rosters.selectors import (
    coverage_grid,
    roster_shops_visible_to,
    rosters_visible_to,
    shifts_visible_to,
    swaps_visible_to,
)
from staffing.rosters.services import (
    roster_create,
    roster_publish,
    roster_solve_start,
    swap_request_answer,
    swap_request_cancel,
    swap_request_create,
    swap_request_decide,
)
from staffing.rosters.services import (
    swap_options as swap_options_for,
)


class RosterViewSet(PermissionsByAction, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rosters: list and detail as the pages show them; managers create a draft, solve it as a background job
    and publish it up to a day."""

    permission_classes = [IsStaffOrMerchant]
    action_permissions = {"create": [IsManager], "solve": [IsManager], "publish": [IsManager]}
    serializer_class = RosterSerializer
    request: AuthenticatedRequest

    def get_queryset(self) -> QuerySet[Roster]:
        user = self.request.user
        shops = scope_by_merchant(Shop.objects.order_by("code"), user=user)
        return (
            rosters_visible_to(user=user)
            .prefetch_related(Prefetch("shops", queryset=shops), "templates")
            .order_by("-start_date", "-id")
        )

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "staff": is_staff_viewer(self.request.user)}

    @extend_schema(request=RosterCreateSerializer, responses={201: RosterSerializer})
    def create(self, request: AuthenticatedRequest) -> Response:
        data = RosterCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        codes = list(dict.fromkeys(values.pop("shops")))
        shops = list(shops_visible_to(user=request.user).filter(code__in=codes))
        missing = sorted(set(codes) - {s.code for s in shops})
        if missing:
            raise ValidationError({"shops": [_("没有这些店铺：%(codes)s") % {"codes": "、".join(missing)}]})
        template_codes = list(dict.fromkeys(values.pop("templates")))
        templates = list(ShiftTemplate.objects.filter(active=True, code__in=template_codes))
        missing = sorted(set(template_codes) - {t.code for t in templates})
        if missing:
            raise ValidationError({"templates": [_("没有这些启用的班次模板：%(codes)s") % {"codes": "、".join(missing)}]})
        try:
            roster = roster_create(shops=shops, templates=templates, by=request.user, **values)
        except DjangoValidationError as exc:
            raise service_refusal(exc) from exc
        roster = self.get_queryset().get(pk=roster.pk)
        return Response(self.get_serializer(roster).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SolveSerializer, responses={202: JobAcceptedSerializer})
    @action(detail=True, methods=["post"])
    def solve(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Queue a solve; the job's page (and `GET /api/rosters/{id}/`) shows how it went."""
        roster = self.get_object()
        data = SolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = roster_solve_start(roster=roster, by=request.user, time_limit=data.validated_data["time_limit"])
        job.refresh_from_db()
        return Response({"job": job.pk, "status": job.status, "url": reverse("job-detail", args=[job.pk])},
                        status=status.HTTP_202_ACCEPTED)

    @extend_schema(parameters=[OpenApiParameter("shop", str, required=True, description="A shop of the roster, by code")],
                   responses={200: CoverageSerializer})
    @action(detail=True, methods=["get"])
    def coverage(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """One shop's coverage, half hour by day: agents required and on shift (the page's heatmap; merchant
        users see it for their own shops, and no agent)."""
        roster = self.get_object()
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        shop = get_visible_or_404(roster_shops_visible_to(user=request.user, roster=roster), code=query.validated_data["shop"])
        slots, days, grid = coverage_grid(roster=roster, shop=shop)
        cells = [
            {"date": day, "slot": slot, "required_agents": grid[slot, day].required,
             "scheduled_agents": grid[slot, day].scheduled, "gap": grid[slot, day].gap}
            for day in days for slot in slots
        ]
        return Response(CoverageSerializer({"shop": shop.code, "cells": cells}).data)

    @extend_schema(request=PublishSerializer, responses={200: PublishResultSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Publish up to a day: those shifts are pinned and agents see them. Refused (409) while the last solve
        did not keep every hard rule, or when there is no shift."""
        roster = self.get_object()
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            pinned = roster_publish(roster=roster, through=data.validated_data["through"], by=request.user)
        except DjangoValidationError as exc:
            raise service_refusal(exc, conflict=True) from exc
        roster.refresh_from_db()
        return Response({"published_through": roster.published_through, "pinned": pinned})


SHIFT_FILTERS = [
    OpenApiParameter("roster", int, description="A roster's id"),
    OpenApiParameter("agent", int, description="An agent's user id"),
    OpenApiParameter("date", str, description="One day, YYYY-MM-DD"),
    OpenApiParameter("date_from", str, description="From this day, YYYY-MM-DD"),
    OpenApiParameter("date_to", str, description="Up to this day, YYYY-MM-DD"),
]


class ShiftViewSet(PermissionsByAction, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Shifts: staff see every shift; an agent only their own published ones; merchant users none (the pages
    show them coverage, not agents' shifts). Filter by roster, agent and date."""

    permission_classes = [IsAgencyMember]
    action_permissions = {"swap_options": [IsAgent]}
    serializer_class = ShiftSerializer
    request: AuthenticatedRequest

    def get_queryset(self) -> QuerySet[ShiftAssignment]:
        user = self.request.user
        qs = shifts_visible_to(user=user).order_by("date", "starts_at", "pk")
        if has_role(user, AGENTS) and not is_staff_viewer(user):
            qs = qs.filter(pinned=True)  # drafts are not theirs to see yet
        return qs

    @extend_schema(parameters=SHIFT_FILTERS)
    def list(self, request, *args, **kwargs) -> Response:
        query = ShiftQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        qs = self.get_queryset()
        if "roster" in filters:
            qs = qs.filter(roster_id=filters["roster"])
        if "agent" in filters:
            qs = qs.filter(agent_id=filters["agent"])
        if "date" in filters:
            qs = qs.filter(date=filters["date"])
        if "date_from" in filters:
            qs = qs.filter(date__gte=filters["date_from"])
        if "date_to" in filters:
            qs = qs.filter(date__lte=filters["date_to"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses={200: SwapOptionsSerializer})
    @action(detail=True, methods=["get"], url_path="swap-options")
    def swap_options(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """For one of my published coming shifts: the colleagues who may take it and their shifts I may take
        in exchange (only those the hard rules allow), as on the swap page."""
        shift = _my_coming_shift(request.user, pk)
        options = swap_options_for(assignment=shift)
        return Response(SwapOptionsSerializer({"giveaways": options.giveaways, "trades": options.trades}).data)


def _my_coming_shift(user: User, pk) -> ShiftAssignment:
    return get_visible_or_404(
        ShiftAssignment.objects.filter(agent=user, pinned=True, date__gte=timezone.localdate())
        .select_related("roster", "shop", "template", "agent"), pk=pk,
    )


class SwapViewSet(PermissionsByAction, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Swaps: an agent proposes one for their own published coming shift (a give-away or a trade, checked by
    the solver's hard rules); the colleague accepts or declines, the requester may withdraw it until a manager
    decides; a manager approves one the colleague accepted (checked again) or rejects it. Agents see the swaps they asked or were asked; managers all."""

    permission_classes = [IsManagerOrAgent]
    action_permissions = {
        "create": [IsAgent], "accept": [IsAgent], "withdraw": [IsAgent], "approve": [IsManager], "reject": [IsManager],
    }
    serializer_class = SwapSerializer
    request: AuthenticatedRequest

    def get_queryset(self) -> QuerySet[SwapRequest]:
        return swaps_visible_to(user=self.request.user).select_related(
            "assignment__agent", "assignment__roster", "counterpart__agent", "decided_by",
        ).order_by("-created_at", "-pk")

    def _answer(self, swap: SwapRequest, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=swap.pk)).data, status=code)

    @extend_schema(request=SwapCreateSerializer, responses={201: SwapSerializer})
    def create(self, request: AuthenticatedRequest) -> Response:
        data = SwapCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        shift = ShiftAssignment.objects.filter(
            agent=request.user, pinned=True, date__gte=timezone.localdate(), pk=values["shift"]
        ).select_related("roster", "shop", "template", "agent").first()
        if shift is None:
            raise ValidationError({"shift": [_("没有这个可换的班次：只能换自己已发布、尚未开始的班次。")]})
        counterpart = None
        if values.get("counterpart"):
            counterpart = ShiftAssignment.objects.filter(
                pk=values["counterpart"], roster=shift.roster, pinned=True
            ).select_related("agent", "template", "shop", "roster").first()
            if counterpart is None:
                raise ValidationError({"counterpart": [_("没有这个可换回的班次：只能换同一张排班表里已发布的班次。")]})
        taker = counterpart.agent if counterpart is not None else User.objects.filter(
            pk=values.get("taker"), role=Role.AGENT, is_active=True
        ).first()
        if taker is None or (values.get("taker") and taker.pk != values["taker"]):
            raise ValidationError({"taker": [_("没有这位可以接班的同事。")]})
        if shift.swap_requests.filter(status__in=SwapRequest.OPEN).exists():
            raise Conflict(_("这个班次已有待处理的换班申请。"))
        try:
            swap = swap_request_create(assignment=shift, requester=request.user, taker=taker,
                                       counterpart=counterpart, note=values["note"])
        except DjangoValidationError as exc:
            raise service_refusal(exc, field="taker") from exc
        return self._answer(swap, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: SwapSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """The colleague asked accepts (checked again now): the swap then waits for a manager."""
        swap = self.get_object()
        if swap.taker_id != request.user.pk:
            raise PermissionDenied(_("只有被邀请的同事可以答复这个换班申请。"))
        try:
            swap = swap_request_answer(swap=swap, by=request.user, accept=True)
        except DjangoValidationError as exc:
            raise service_refusal(exc, conflict=True) from exc
        return self._answer(swap)

    @extend_schema(request=None, responses={200: SwapSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """The colleague declines (declined) or the requester withdraws (cancelled) a swap no manager has decided."""
        swap = self.get_object()
        try:
            if swap.taker_id == request.user.pk:
                swap = swap_request_answer(swap=swap, by=request.user, accept=False)
            elif swap.requester_id == request.user.pk:
                swap = swap_request_cancel(swap=swap, by=request.user)
            else:
                raise PermissionDenied
        except DjangoValidationError as exc:
            raise service_refusal(exc, conflict=True) from exc
        return self._answer(swap)

    def _decide(self, request: AuthenticatedRequest, approve: bool) -> Response:
        swap = self.get_object()
        try:
            swap = swap_request_decide(swap=swap, by=request.user, approve=approve)
        except DjangoValidationError as exc:
            raise service_refusal(exc, conflict=True) from exc
        return self._answer(swap)

    @extend_schema(request=None, responses={200: SwapSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Approve: the hard rules are checked again now (409 when they no longer hold)."""
        return self._decide(request, approve=True)

    @extend_schema(request=None, responses={200: SwapSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._decide(request, approve=False)
