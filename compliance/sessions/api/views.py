"""Sessions API: list and detail (scoped, masked), and the import of contracts §4."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.access import get_visible_or_404
from agency.http import AuthenticatedRequest
from agency.permissions import IsStaff, IsStaffOrMerchant
from compliance.sessions.api.serializers import (
    ImportErrorSerializer,
    ImportJobSerializer,
    ImportRequestSerializer,
    ImportResultSerializer,
    SessionDetailSerializer,
    SessionSerializer,
)
from compliance.sessions.models import ChatSession
from compliance.sessions.selectors import (
    SessionFilter,
    session_list,
    session_messages,
    sessions_visible_to,
    shops_with_sessions_visible_to,
)
from compliance.sessions.services.importing import (
    SessionImportError,
    sessions_import_enqueue,
    sessions_import_file,
    sessions_upload_check,
)
from compliance.sessions.services.retention import buyer_data_list_audit, buyer_data_view_audit
from compliance.sessions.sessionfile import guess_format

SYNC_MAX_BYTES = getattr(settings, "COMPLIANCE_IMPORT_SYNC_MAX_BYTES", 2 * 1024 * 1024)


@extend_schema(parameters=[OpenApiParameter("shop", str), OpenApiParameter("agent", str)])
class SessionViewSet(viewsets.ReadOnlyModelViewSet):
    """Chat sessions the caller may see; another merchant's session is a 404. Text is masked."""

    serializer_class = SessionSerializer
    permission_classes = [IsStaffOrMerchant]
    request: AuthenticatedRequest

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ChatSession.objects.none()
        if self.action == "retrieve":
            return sessions_visible_to(user=self.request.user)
        params = self.request.query_params
        return session_list(
            user=self.request.user, filters=SessionFilter(shop=params.get("shop", ""), agent=params.get("agent", ""))
        )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        shown = getattr(self.paginator, "page", None)
        if shown is not None:
            buyer_data_list_audit(user=request.user, sessions=shown.object_list, where="api:session-list")
        return response

    @extend_schema(responses=SessionDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        session = get_visible_or_404(self.get_queryset(), pk=kwargs["pk"])
        buyer_data_view_audit(user=request.user, session=session, where="api:session-detail")
        serializer = SessionDetailSerializer(session, context={"messages": session_messages(session=session)})
        return Response(serializer.data)


class SessionImportView(APIView):
    """Import a sessions file (contracts §4) for one shop: all or nothing, every bad row reported.

    The file's size, row count and (XLSX) claimed dimensions are checked first, without parsing (400).
    Small JSON-lines files are imported at once (200 with the counts); CSV and XLSX files, big ones, or
    `background=true`, run as a Job (202 with its id and progress URL): only a worker parses them. New
    messages are then scanned in the background."""

    parser_classes = [MultiPartParser, FormParser]
    # Merchants do not import: an import puts violations on the agency's agents' records.
    permission_classes = [IsStaff]

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={200: ImportResultSerializer, 202: ImportJobSerializer, 400: ImportErrorSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        form = ImportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        fmt = form.validated_data.get("format") or guess_format(upload.name)
        if fmt is None:
            raise ValidationError({"format": [_("无法从文件名判断格式，请指定 jsonl、csv 或 xlsx。")]})
        shop = shops_with_sessions_visible_to(user=request.user).filter(code=form.validated_data["shop"]).first()
        if shop is None:
            raise ValidationError({"shop": [_("没有这个店铺。")]})
        try:
            sessions_upload_check(stream=upload, size=upload.size, fmt=fmt)
        except SessionImportError as exc:
            return _import_errors(exc)
        # CSV and XLSX are parsed only by a worker; small JSON lines are cheap enough to import at once.
        if form.validated_data["background"] or fmt != "jsonl" or upload.size > SYNC_MAX_BYTES:
            job = sessions_import_enqueue(shop=shop, chunks=upload.chunks(), fmt=fmt, filename=upload.name, by=request.user)
            job.refresh_from_db()
            return Response(
                {"job": job.pk, "status": job.status, "url": reverse("job-detail", args=[job.pk])},
                status=status.HTTP_202_ACCEPTED,
            )
        try:
            result = sessions_import_file(shop=shop, data=upload.read(), fmt=fmt, by=request.user)
        except SessionImportError as exc:
            return _import_errors(exc)
        return Response(result.as_dict())


def _import_errors(exc: SessionImportError) -> Response:
    first = exc.errors[0]
    return Response(
        {"detail": _("文件有 %(n)d 处错误，未导入任何数据（第一处：第 %(line)d 行 %(field)s %(message)s）")
         % {"n": len(exc.errors), "line": first.line, "field": first.field, "message": first.message},
         "errors": exc.as_dicts()},
        status=status.HTTP_400_BAD_REQUEST,
    )
