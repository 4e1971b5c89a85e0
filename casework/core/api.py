"""API plumbing shared by every app: error mapping, health, and the DRF helpers views use."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views import defaults
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler as drf_exception_handler, set_rollback

from .context import request_id_var
from .errors import DomainError, InvalidInput

logger = logging.getLogger("casework.api")

# The largest integer either database stores (BIGINT; SQLite INTEGER): every integer a request may send that reaches
# a query is bounded by it, so an out-of-range number is a 400 on its field, never a database overflow (a 500).
DB_INT_MAX = 2**63 - 1

SERVER_ERROR_DETAIL = "Something went wrong on our side. Quote the request id if you report it."


def server_error_body(request=None) -> dict:
    rid = getattr(request, "request_id", "") or request_id_var.get()
    return {"detail": SERVER_ERROR_DETAIL, "code": "server_error", "request_id": rid}


def server_error(request, *args, **kwargs):
    """``handler500``: JSON under ``/api/`` (clients parse it), the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(server_error_body(request), status=500)
    return defaults.server_error(request, *args, **kwargs)


def exception_handler(exc, context):
    """Domain errors become 4xx with the reason and step IDs; model validation errors become 400 per field."""
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            body = {field: list(msgs) for field, msgs in exc.message_dict.items()}
            if "__all__" in body:
                body["non_field_errors"] = body.pop("__all__")
        else:
            body = {"non_field_errors": list(exc.messages)}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is None and not settings.DEBUG:
        # Unhandled: logged with its traceback (got_request_exception is not sent for a handled response), and the
        # client gets JSON naming the request, never a page or a trace. In DEBUG Django shows the traceback.
        set_rollback()
        request = context.get("request")
        logger.error("Unhandled API exception", exc_info=exc, extra={"request_id": request_id_var.get()})
        return Response(server_error_body(request), status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    return response


class HealthView(APIView):
    """200 ``{"status": "ok"}`` only when the database answers; 503 otherwise."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        responses={
            200: inline_serializer("Health", {"status": serializers.CharField()}),
            503: inline_serializer("HealthDown", {"status": serializers.CharField()}),
        },
        auth=[],
    )
    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            return Response({"status": "unavailable"}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response({"status": "ok"})


SERVER_ONLY_FIELDS = ("step_ids",)
CLIENT_STEP_IDS_REFUSED = "Step IDs are decided by the system's rules and cannot be supplied."


class NoClientStepIdsMixin:
    """For every write serializer: step IDs come only from the server's policy, never from a request. A request that
    supplies ``step_ids`` is refused with 400 naming the field (nothing is stored)."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            given = [name for name in SERVER_ONLY_FIELDS if name in data]
            if given:
                raise serializers.ValidationError(
                    {name: [CLIENT_STEP_IDS_REFUSED] for name in given}
                )
        return super().to_internal_value(data)


def reject_client_step_ids(data) -> None:
    """The same refusal for views that read a form or raw mapping: ``step_ids`` in a request is a 400."""
    from .errors import InvalidInput

    if hasattr(data, "keys") and any(name in data for name in SERVER_ONLY_FIELDS):
        raise InvalidInput(
            CLIENT_STEP_IDS_REFUSED,
            fields={name: [CLIENT_STEP_IDS_REFUSED] for name in SERVER_ONLY_FIELDS if name in data},
        )


# --- Optimistic concurrency (issue 13, core/versioning.py, docs/security.md) -------------------------------------

VERSION_MAX = 2**31 - 1
IF_MATCH_PARAM = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='The record\'s version this change was made from, as its ETag ("3"; W/"3" and * are accepted). '
    "Optional, like the body's version: with either, a change made from a stale read is refused with 409.",
)


class ConflictFieldsMixin(serializers.Serializer):
    """What a 409 for a stale write adds to the error body (core/versioning.py)."""

    current_version = serializers.IntegerField(required=False, help_text="A stale write: the record's version now.")
    changed = serializers.ListField(
        child=serializers.DictField(), required=False,
        help_text="A stale write: each change since the version sent (version, action, by, at, reason, fields with "
        "their current values; replaced_by for a correction).",
    )


class VersionConflictSerializer(ConflictFieldsMixin, serializers.Serializer):
    """The 409 body of a stale write."""

    detail = serializers.CharField()
    code = serializers.CharField()
    step_ids = serializers.ListField(child=serializers.CharField())


def version_in(what: str = "record") -> serializers.IntegerField:
    """The write body's ``version`` field: optional (older clients keep working), bounded, documented."""
    return serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=VERSION_MAX,
        help_text=f"The {what}'s version this change was made from (its `version`, or the ETag of its GET). If "
        "someone else changed it since, 409 with what changed, and nothing is written. The If-Match header may "
        "carry it instead.",
    )


def expected_version(request, body_version: int | None, *, what: str = "record") -> int | None:
    """The version a write was made from: the body's ``version`` and/or the ``If-Match`` header (one shared rule
    for every versioned record). A malformed header, or one that disagrees with the body, is a 400."""
    header = (request.headers.get("If-Match") or "").strip()
    header_version = None
    if header and header != "*":
        raw = header[2:] if header.startswith("W/") else header
        raw = raw.strip().strip('"')
        if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= VERSION_MAX:
            raise InvalidInput(
                f"If-Match must be the ETag of the {what} you read.", fields={"If-Match": [f"Not a {what} version."]}
            )
        header_version = int(raw)
    if body_version is not None and header_version is not None and int(body_version) != header_version:
        raise InvalidInput(
            "The version in the body and the If-Match header disagree.",
            fields={"version": ["Does not match the If-Match header."]},
        )
    return body_version if body_version is not None else header_version


def etag(row) -> str:
    """The ETag of a versioned record: its version, quoted."""
    return f'"{row.version}"'


def with_etag(response: Response, row) -> Response:
    response["ETag"] = etag(row)
    return response
