"""/api/v1/approvals/: the same requests, states and history as the web screens. Deciding and withdrawing go through
``approvals.services``; the kind's own extra decision data is validated by the kind (400 with field messages)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.core.api import DB_INT_MAX, NoClientStepIdsMixin
from casework.customers.services import customer_data_read

from . import kinds, policy, selectors, services
from .models import ApprovalEvent, ApprovalRequest, ApprovalStatus


def _username(user) -> str | None:
    return user.username if user is not None else None


class EventOut(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True, allow_null=True)

    class Meta:
        model = ApprovalEvent
        fields = ["action", "actor", "at", "reason", "data"]


class ApprovalOut(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=list(policy.KINDS.items()))
    status = serializers.ChoiceField(choices=ApprovalStatus.choices)
    csid = serializers.CharField(source="customer.csid", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", default=None, read_only=True, allow_null=True)
    who_decides = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalRequest
        fields = ["id", "kind", "status", "csid", "subject_type", "subject_id", "summary", "payload", "reason",
                  "requested_by", "requested_at", "who_decides", "eligibility", "due_date", "decided_by", "decided_at",
                  "decision_reason", "decision_data", "step_ids", "parent", "version"]

    def get_who_decides(self, obj) -> str:
        return obj.eligible.label


class ApprovalDetailOut(ApprovalOut):
    history = EventOut(source="events", many=True, read_only=True)
    you_may_decide = serializers.SerializerMethodField()
    why_not = serializers.SerializerMethodField()

    class Meta(ApprovalOut.Meta):
        fields = [*ApprovalOut.Meta.fields, "history", "you_may_decide", "why_not"]

    def get_you_may_decide(self, obj) -> bool:
        return selectors.decision_check(user=self.context["request"].user, approval=obj).allowed

    def get_why_not(self, obj) -> str:
        d = selectors.decision_check(user=self.context["request"].user, approval=obj)
        return "" if d.allowed else d.reason


class ListQuery(serializers.Serializer):
    queue = serializers.ChoiceField(choices=[("", "all"), ("to_decide", "to decide"), ("mine", "requested by me")],
                                    required=False, default="")
    kind = serializers.ChoiceField(choices=[("", "any"), *policy.KINDS.items()], required=False, default="")
    status = serializers.ChoiceField(choices=[("", "any"), *ApprovalStatus.choices], required=False, default="")
    csid = serializers.CharField(required=False, default="", allow_blank=True, max_length=20)


class ApprovalListView(APIView):
    @extend_schema(parameters=[ListQuery], responses=ApprovalOut(many=True))
    def get(self, request):
        q = ListQuery(data=request.query_params)
        q.is_valid(raise_exception=True)
        v = q.validated_data
        if v["queue"] == "to_decide":
            rows = selectors.approvals_to_decide(user=request.user)
            rows = [r for r in rows if (not v["kind"] or r.kind == v["kind"])]
        elif v["queue"] == "mine":
            selectors.require_viewer(user=request.user)
            rows = selectors.approvals_requested_by(user=request.user)
        else:
            rows = selectors.approval_list(user=request.user, kind=v["kind"], status=v["status"], csid=v["csid"])
        return Response(ApprovalOut(rows, many=True).data)


class ApprovalDetailView(APIView):
    @extend_schema(responses=ApprovalDetailOut)
    def get(self, request, pk: int):
        row = selectors.approval_get(user=request.user, pk=pk)
        customer_data_read(actor=request.user, customer=row.customer, what="approval_request",
                           detail={"ids": [row.pk]}, channel="api")  # issue 13: every read of customer data
        return Response(ApprovalDetailOut(row, context={"request": request}).data)


class DecideIn(NoClientStepIdsMixin, serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True, required=False, default="", max_length=4000)
    data = serializers.DictField(required=False, default=dict,
                                 help_text="What this kind asks the decider to add (GET /approvals/kinds/).")
    version = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=DB_INT_MAX)


class ApprovalDecideView(APIView):
    @extend_schema(request=DecideIn, responses=ApprovalDetailOut)
    def post(self, request, pk: int):
        row = selectors.approval_get(user=request.user, pk=pk)
        ser = DecideIn(data=request.data)
        ser.is_valid(raise_exception=True)
        v = ser.validated_data
        row = services.approval_decide(actor=request.user, approval=row, approve=v["approve"], reason=v["reason"],
                                       data=v["data"], version=v["version"])
        return Response(ApprovalDetailOut(row, context={"request": request}).data)


class WithdrawIn(NoClientStepIdsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class ApprovalWithdrawView(APIView):
    @extend_schema(request=WithdrawIn, responses=ApprovalDetailOut)
    def post(self, request, pk: int):
        row = selectors.approval_get(user=request.user, pk=pk)
        ser = WithdrawIn(data=request.data)
        ser.is_valid(raise_exception=True)
        row = services.approval_withdraw(actor=request.user, approval=row, reason=ser.validated_data["reason"])
        return Response(ApprovalDetailOut(row, context={"request": request}).data)


class KindsView(APIView):
    @extend_schema(responses=inline_serializer("ApprovalKind", {
        "code": serializers.ChoiceField(choices=list(policy.KINDS.items())), "label": serializers.CharField(),
        "step_ids": serializers.ListField(child=serializers.CharField()), "who_asks": serializers.CharField(),
        "who_decides": serializers.CharField(), "takes_effect": serializers.CharField(),
        "decision_fields": serializers.ListField(child=serializers.DictField())}, many=True))
    def get(self, request):
        selectors.require_viewer(user=request.user)
        out = []
        for code in policy.KINDS:
            k = kinds.REGISTRY.get(code)
            if k is None:
                continue
            out.append({"code": code, "label": k.label, "step_ids": list(k.step_ids), "who_asks": k.who_asks,
                        "who_decides": k.who_decides, "takes_effect": k.takes_effect,
                        "decision_fields": [{"name": f.name, "label": f.label, "kind": f.kind,
                                             "required_on": f.required_on, "choices": [c for c, _ in f.choices]}
                                            for f in k.decision_fields]})
        return Response(out)
