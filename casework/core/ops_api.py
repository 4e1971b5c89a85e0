"""The operator view of failed job items over HTTP (issue 13): ``GET /api/v1/ops/failures/`` lists the open ones,
``POST /api/v1/ops/failures/<id>/retry/`` brings the next attempt forward to now. Administrators only
(``org.manage_reference``; 403 with the reason for everyone else). Thin: ``core.selectors`` read,
``core.services`` write (audited)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .errors import NotPermitted
from .models import JobItemFailure

OPS_REFUSED = "Only an administrator may view or retry failed job items."


def require_operator(user) -> None:
    if not user.has_perm(services.OPS_PERMISSION):
        raise NotPermitted(OPS_REFUSED)


class JobItemFailureOut(serializers.ModelSerializer):
    item = serializers.SerializerMethodField()

    class Meta:
        model = JobItemFailure
        fields = ["id", "job", "item_type", "item_id", "item", "customer_id", "customer_csid", "error_class",
                  "error_message", "attempts", "first_failed_at", "last_failed_at", "next_attempt_at",
                  "resolved_at", "resolved_how"]

    def get_item(self, obj) -> str:
        return f"{obj.item_type}:{obj.item_id}"


class FailureListView(APIView):
    """Open failed job items, soonest next attempt first."""

    @extend_schema(responses={200: JobItemFailureOut(many=True)})
    def get(self, request):
        require_operator(request.user)
        return Response(JobItemFailureOut(selectors.job_item_failures_open()[:500], many=True).data)


class FailureRetryView(APIView):
    """Retry now: the next run of the job retries the item (audited ``core.job_item_retry_now``)."""

    @extend_schema(request=None, responses={200: JobItemFailureOut})
    def post(self, request, pk: int):
        require_operator(request.user)
        failure = services.job_item_retry_now(actor=request.user, failure_id=pk)
        return Response(JobItemFailureOut(failure).data)
