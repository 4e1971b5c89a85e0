"""Ownership API: thin views — parse, call a service/selector, serialise. Refusals come back as 4xx with the reason
and step IDs (core.api.exception_handler)."""

from __future__ import annotations

from collections.abc import Mapping

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.core.api import NoClientStepIdsMixin, reject_client_step_ids, DB_INT_MAX
from casework.core.errors import InvalidInput, NotFound, NotPermitted
from casework.customers.models import Customer, PresentingIssue
from casework.customers.selectors import customer_get
from casework.customers.services import customer_data_read
from casework.org.models import BusinessArea, Officer, Position
from casework.org.rules import officer_of
from casework.org.selectors import PickError, pick_resolve

from . import policy, selectors, services
from .models import Lock, OwnershipTransfer

# ---------------------------------------------------------------- serialisation


def _officer_out(officer: Officer | None) -> dict | None:
    if officer is None:
        return None
    return {"username": officer.user.username, "name": officer.display_name, "role": officer.role}


def _position_out(position: Position | None) -> dict | None:
    if position is None:
        return None
    return {"code": position.code, "title": position.title}


def _area_out(area: BusinessArea | None) -> dict | None:
    return None if area is None else {"code": area.code, "name": area.name}


def lock_out(lock: Lock | None) -> dict | None:
    if lock is None:
        return None
    return {
        "id": lock.pk,
        "area": _area_out(lock.area),
        "position": _position_out(lock.position),
        "officer": _officer_out(lock.officer),
        "holder": lock.holder_label,
        "kind": lock.kind,
        "reason": lock.reason,
        "step_ids": lock.step_ids,
        "issue": lock.issue_id,
        "is_active": lock.is_active,
        "started_at": lock.started_at,
        "started_by": lock.started_by.username if lock.started_by_id else None,
        "ended_at": lock.ended_at,
        "ended_by": lock.ended_by.username if lock.ended_by_id else (lock.ended_by_label or None),
        "end_kind": lock.end_kind or None,
        "end_reason": lock.end_reason or None,
    }


def ownership_out(view: selectors.OwnershipView, *, history: list[Lock] | None = None) -> dict[str, Any]:
    body = {
        "csid": view.customer.csid,
        "locked": view.is_locked,
        "area": _area_out(view.area),
        "position": _position_out(view.position if view.officer is None else view.officer.position),
        "officer": _officer_out(view.officer),
        "holder": view.holder_label or None,
        "since": view.since,
        "decision": view.decision.as_dict(),
        "rule": view.rule.as_dict(),
        # CMA-1.5 applied to the outstanding issues now (may differ from the lock until someone acts on it).
        "owner_by_rule": view.rule.facts.get("area"),
        "matches_rule": view.rule.facts.get("area") in (None, view.area.code if view.area else None),
        "is_ps": view.is_ps,
        "contact_case_manager_first": view.is_ps,
        "ps_message": (
            "Managed by Personalised Services: contact the PS Case Manager first (PS-SPE-1)." if view.is_ps else None
        ),
        "auto_unlock": (
            {"due_at": view.auto_unlock.due_at, "status": view.auto_unlock.status}
            if view.auto_unlock is not None else None
        ),
    }
    if history is not None:
        body["history"] = [lock_out(lock) for lock in history]
    return body


def transfer_out(t: OwnershipTransfer) -> dict[str, Any]:
    return {
        "id": t.pk,
        "csid": t.customer.csid,
        "status": t.status,
        "from_area": _area_out(t.from_area),
        "to_area": _area_out(t.to_area),
        "expected_contact_volume": t.expected_contact_volume,
        "time_to_resolve": t.time_to_resolve,
        "agreed_with": t.agreed_with,
        "reason": t.reason,
        "raised_at": t.raised_at,
        "raised_by": t.raised_by.username,
        "decision": t.decision or None,
        "decision_reason": t.decision_reason or None,
        "decided_at": t.decided_at,
        "lock": t.to_lock_id,
        "approval": _approval_id(t),
        "step_ids": ["CMA-1.6"],
    }


def _approval_id(t: OwnershipTransfer) -> int | None:
    """The request for approval of this transfer or dispute (issue 11), decided on /approvals/<id>/."""
    from casework.approvals.selectors import approvals_for_subject

    return approvals_for_subject(subject=t).order_by("-id").values_list("pk", flat=True).first()


def approval_ref(a) -> dict[str, Any]:
    """A request for approval that an act became (issue 11): it takes effect only when the decider approves."""
    return {"approval": a.pk, "kind": a.kind, "status": a.status, "who_decides": a.eligible.label,
            "due_date": a.due_date, "summary": a.summary, "url": f"/api/v1/approvals/{a.pk}/",
            "decide_at": f"/approvals/{a.pk}/"}


def _requested(approval) -> Response:
    """202: the act is now a request for approval (its reference) and the CMA-1.6 row waiting on it."""
    row = OwnershipTransfer.objects.select_related("customer", "from_area", "to_area", "raised_by").get(
        pk=int(approval.subject_id))
    body = approval_ref(approval)
    body["id"] = row.pk  # the CMA-1.6 row (dispute or transfer); "approval" is the request
    body["transfer"] = transfer_out(row)
    return Response(body, status=202)


# ---------------------------------------------------------------- parsing


def _officer_in(value: Any, field: str = "to_officer") -> Officer | None:
    if value in (None, ""):
        return None
    try:  # the one lookup (issue 14): a username, or an id
        return pick_resolve(str(value), kinds=("officer",), noun="officer")
    except PickError as exc:
        raise InvalidInput("No such officer.", fields={field: [f"Unknown officer (give a username). {exc}"]}) from exc


def _position_in(value: Any, field: str = "to_position") -> Position | None:
    if value in (None, ""):
        return None
    try:
        return pick_resolve(str(value), kinds=("position",), noun="position")
    except PickError as exc:
        raise InvalidInput("No such position.", fields={field: [f"Unknown position code. {exc}"]}) from exc


def _area_in(value: Any, field: str = "to_area", required: bool = False) -> BusinessArea | None:
    if value in (None, ""):
        if required:
            raise InvalidInput("Name the business area.", fields={field: ["Required."]})
        return None
    area = BusinessArea.objects.filter(code=str(value)).first()
    if area is None:
        raise InvalidInput("No such business area.", fields={field: ["Unknown business area code."]})
    return area


def _customer(request, csid: str) -> Customer:
    return customer_get(user=request.user, csid=csid)


def _require_view(request) -> None:
    if not request.user.has_perm("ownership.view_ownership"):
        raise NotPermitted("Your role does not allow you to see ownership.")


GenericOut = OpenApiResponse(description="Ownership of the customer (see GET)")


# Issue 13: every write reads its body through one of these (typed, bounded; the schema lists every field). A field
# the service checks (a reason, the CMA-1.6 facts) is optional here so the service's refusal, with its step IDs, is
# the one the client gets, exactly as before; a flag the rule says is "never assumed" is required here.
REASON_MAX = 4000
TEXT_MAX = 5000
USERNAME_MAX = 150  # auth User.username
CODE_MAX = 40  # BusinessArea.code, Position.code
CSID_MAX = 20  # a CSID, with spaces/hyphens as typed


def _text(max_length: int = TEXT_MAX, help_text: str = "", **kw) -> serializers.CharField:
    """An optional string; absent means "" (the service decides whether it may be blank)."""
    return serializers.CharField(required=False, allow_blank=True, default="", max_length=max_length,
                                 help_text=help_text or None, **kw)


def _ref(max_length: int, help_text: str) -> serializers.CharField:
    """An optional reference (username, code, CSID); absent, blank or null means none."""
    return serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=max_length,
                                 help_text=help_text)


class ActionSerializer(NoClientStepIdsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX)


class OwnershipReasonIn(NoClientStepIdsMixin, serializers.Serializer):
    """Take over / apply the rules again: the reason (the service refuses one that is blank)."""

    reason = _text(REASON_MAX)


class ReferIn(NoClientStepIdsMixin, serializers.Serializer):
    """CMA-2.10, CMA-1.3: a Client Contact Required intray for the owner (or ``to_area``)."""

    subject = _text(200, "What the follow-up is about.")
    details = _text(TEXT_MAX)
    associated_csid = _ref(CSID_MAX, "The other party's CSID, when the work concerns them too.")
    to_area = _ref(CODE_MAX, "Business area code (default: the owner's area).")


class OwnershipTransferIn(NoClientStepIdsMixin, serializers.Serializer):
    """CMA-1.6: transfer by agreement between specialised areas; becomes a request the other area decides."""

    to_area = _ref(CODE_MAX, "Business area code of the receiving specialised area.")
    to_officer = _ref(USERNAME_MAX, "Username of the receiving officer (optional).")
    to_position = _ref(CODE_MAX, "Code of the receiving position (optional).")
    expected_contact_volume = _text(TEXT_MAX, "CMA-1.6: how much contact each issue will generate.")
    time_to_resolve = _text(TEXT_MAX, "CMA-1.6: how long each issue will take to resolve.")
    agreed_with = _text(200, "Who in the other area agreed.")
    reason = _text(REASON_MAX)


class DisputeRaiseIn(NoClientStepIdsMixin, serializers.Serializer):
    """CMA-1.6: no agreement; a Team Leader of one of the two areas decides."""

    to_area = serializers.CharField(max_length=CODE_MAX, help_text="Business area code of the other area.",
                                    error_messages={"required": "Required.", "blank": "Required.",
                                                    "null": "Required."})
    expected_contact_volume = _text(TEXT_MAX, "CMA-1.6: how much contact each issue will generate.")
    time_to_resolve = _text(TEXT_MAX, "CMA-1.6: how long each issue will take to resolve.")
    reason = _text(REASON_MAX)


class DisputeDecideIn(NoClientStepIdsMixin, serializers.Serializer):
    decision = _text(20, "transfer | keep")
    reason = _text(REASON_MAX)
    to_officer = _ref(USERNAME_MAX, "Username of the officer who takes the lock (transfer).")
    to_position = _ref(CODE_MAX, "Code of the position that takes the lock (transfer).")


class ParentsLockIn(NoClientStepIdsMixin, serializers.Serializer):
    associated_csid = serializers.CharField(max_length=CSID_MAX, help_text="The other parent's CSID.",
                                            error_messages={"required": "Required.", "blank": "Required.",
                                                            "null": "Required."})
    reason = _text(REASON_MAX)


class OwnershipReassignIn(NoClientStepIdsMixin, serializers.Serializer):
    to_officer = serializers.CharField(max_length=USERNAME_MAX, help_text="Username of an officer of the same area.",
                                       error_messages={"required": "Required.", "blank": "Required.",
                                                       "null": "Required."})
    reason = _text(REASON_MAX)


class ErrorIn(NoClientStepIdsMixin, serializers.Serializer):
    """CMA-1.3: whether it can be resolved in real time is stated explicitly; never assumed."""

    description = _text(TEXT_MAX)
    resolvable_in_real_time = serializers.BooleanField(
        required=True, error_messages={"required": "Required (true/false)."},
        help_text="The error can be resolved in real time (required, never assumed).")
    previous_officer = _ref(USERNAME_MAX, "Username of the officer who made the error (referral).")
    feedback = _text(TEXT_MAX)


class ConsultationIn(NoClientStepIdsMixin, serializers.Serializer):
    """PS-SPE-1/2: the consultation with the PS Case Manager."""

    ps_case_manager = _ref(USERNAME_MAX, "Username of the PS Case Manager.")
    summary = _text(TEXT_MAX)
    communication_approach = _text(TEXT_MAX)
    who_communicates = _text(200)
    regular_updates = _text(TEXT_MAX)
    face_to_face = serializers.BooleanField(required=False, default=False)


class LockIn(ActionSerializer):
    to_officer = _ref(USERNAME_MAX, "Username of the officer to lock to (Team Leader).")
    to_position = _ref(CODE_MAX, "Code of the position to lock to.")
    issue = serializers.IntegerField(max_value=DB_INT_MAX, required=False, allow_null=True)


class UnlockIn(ActionSerializer):
    """CMA-3.4: the officer states both explicitly; nothing is assumed."""

    decision_explained = serializers.BooleanField(
        required=True, help_text="The decision was verbally explained to every impacted customer.")
    contact_attempted = serializers.BooleanField(
        required=True, help_text="Appropriate contact attempts were made with every impacted customer.")


class AutoUnlockIn(ActionSerializer):
    letters = serializers.ListField(child=serializers.IntegerField(max_value=DB_INT_MAX), allow_empty=False)
    contact_attempted = serializers.BooleanField(
        required=True, help_text="Appropriate contact attempts were made (CMA-3.4); required, never assumed.")
    impacted_csids = serializers.ListField(child=serializers.CharField(max_length=CSID_MAX), required=False)
    after_hours = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=24 * 366)


def _valid(serializer_class, data) -> dict[str, Any]:
    ser = serializer_class(data=data)
    if not ser.is_valid():
        raise InvalidInput("Check the highlighted fields.",
                           fields={k: [str(m) for m in v] if isinstance(v, list) else [str(v)]
                                   for k, v in ser.errors.items()})
    return ser.validated_data


class WriteView(APIView):
    """Every ownership write endpoint: step IDs come from the server's policy only, never from a request."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            if not isinstance(request.data, Mapping):  # a JSON array, string or number: 400, not a crash (issue 13)
                raise InvalidInput("The request body must be a JSON object of the fields named in the schema.",
                                   fields={"non_field_errors": ["Expected a JSON object."]})
            reject_client_step_ids(request.data)


# ---------------------------------------------------------------- views


class OwnershipView(APIView):
    @extend_schema(summary="Current owner, since when, why (rule, step ID, facts), and the lock history",
                   responses={200: OpenApiResponse(description="Ownership")})
    def get(self, request, csid: str):
        _require_view(request)
        customer = _customer(request, csid)
        view = selectors.ownership_get(customer=customer)
        body = ownership_out(view, history=selectors.lock_history(customer=customer))
        customer_data_read(actor=request.user, customer=customer, what="ownership")
        return Response(body)


def _ownership_response(customer: Customer, status: int = 200, **extra: Any) -> Response:
    body = ownership_out(selectors.ownership_get(customer=customer), history=selectors.lock_history(customer=customer))
    body.update(extra)
    return Response(body, status=status)


class LockView(WriteView):
    @extend_schema(summary="Lock the customer (to yourself, a position, or — Team Leader — another officer)",
                   request=LockIn, responses={201: GenericOut, 409: OpenApiResponse(description="Held")})
    def post(self, request, csid: str):
        customer = _customer(request, csid)
        data = _valid(LockIn, request.data)
        issue = None
        if data.get("issue") is not None:
            issue = PresentingIssue.objects.filter(pk=data["issue"], customer=customer).first()
            if issue is None:
                raise InvalidInput("No such presenting issue on this customer.", fields={"issue": ["Unknown issue."]})
        lock = services.customer_lock(
            actor=request.user,
            customer=customer,
            to_officer=_officer_in(data.get("to_officer")),
            to_position=_position_in(data.get("to_position")),
            reason=data["reason"],
            issue=issue,
        )
        return _ownership_response(customer, 201, lock=lock_out(lock))


class TakeOverView(WriteView):
    @extend_schema(summary="Take over the lock with a reason; the previous holder is notified (CMA-2.10)",
                   request=OwnershipReasonIn, responses={201: GenericOut})
    def post(self, request, csid: str):
        customer = _customer(request, csid)
        data = _valid(OwnershipReasonIn, request.data)
        lock = services.lock_take_over(actor=request.user, customer=customer, reason=data["reason"])
        return _ownership_response(customer, 201, lock=lock_out(lock))


class ApplyRulesView(WriteView):
    @extend_schema(summary="Apply the CMA-1.5 ownership rules again (the lock moves to the owning area)",
                   request=OwnershipReasonIn, responses={200: GenericOut})
    def post(self, request, csid: str):
        customer = _customer(request, csid)
        data = _valid(OwnershipReasonIn, request.data)
        lock = services.customer_lock_apply_rules(actor=request.user, customer=customer, reason=data["reason"])
        return _ownership_response(customer, 200, lock=lock_out(lock))


class ReferView(WriteView):
    @extend_schema(summary="Refer follow-up work by a Client Contact Required intray (CMA-2.10, CMA-1.3)",
                   request=ReferIn, responses={201: GenericOut})
    def post(self, request, csid: str):
        customer = _customer(request, csid)
        data = _valid(ReferIn, request.data)
        associated = None
        if data.get("associated_csid"):
            associated = customer_get(user=request.user, csid=data["associated_csid"])
        intray = services.follow_up_refer(
            actor=request.user,
            customer=customer,
            subject=data["subject"],
            details=data["details"],
            associated_customer=associated,
            to_area=_area_in(data.get("to_area")),
        )
        return _ownership_response(
            customer, 201,
            intray={"id": intray.pk, "type": intray.type.code, "due_date": intray.due_date,
                    "assignee_officer": intray.assignee_officer.user.username if intray.assignee_officer_id else None,
                    "assignee_position": intray.assignee_position.code if intray.assignee_position_id else None},
        )


class UnlockView(WriteView):
    @extend_schema(summary="Unlock (decision explained): the ownership rules apply again (CMA-3.3, CMA-3.4)",
                   request=UnlockIn, responses={200: GenericOut})
    def post(self, request, csid: str):
        customer = _customer(request, csid)
        data = _valid(UnlockIn, request.data)
        lock = services.customer_unlock(
            actor=request.user,
            customer=customer,
            reason=data["reason"],
            decision_explained=data["decision_explained"],
            contact_attempted=data["contact_attempted"],
        )
        return _ownership_response(customer, 200, relocked=lock_out(lock))


class AutoUnlockView(WriteView):
    @extend_schema(summary="Schedule the automatic unlock (decision not explained; letters recorded) (CMA-3.4)",
                   request=AutoUnlockIn, responses={201: GenericOut})
    def post(self, request, csid: str):
        customer = _customer(request, csid)
        data = _valid(AutoUnlockIn, request.data)
        impacted = None
        if data.get("impacted_csids"):
            impacted = [customer_get(user=request.user, csid=c) for c in data["impacted_csids"]]
        auto = services.auto_unlock_schedule(
            actor=request.user,
            customer=customer,
            letters=data["letters"],
            reason=data["reason"],
            impacted_customers=impacted,
            contact_attempted=data["contact_attempted"],
            after_hours=data.get("after_hours"),
        )
        return _ownership_response(customer, 201, scheduled={"id": auto.pk, "due_at": auto.due_at,
                                                              "letters": auto.letter_ids, "step_ids": ["CMA-3.4"]})


class TransferView(WriteView):
    @extend_schema(summary="Ask to transfer ownership between specialised areas by agreement (CMA-1.6): 202, a "
                           "request the other area's Team Leader accepts or not on /approvals/<id>/",
                   request=OwnershipTransferIn, responses={202: GenericOut})
    def post(self, request, csid: str):
        customer = _customer(request, csid)
        data = _valid(OwnershipTransferIn, request.data)
        approval = services.ownership_transfer(
            actor=request.user,
            customer=customer,
            to_officer=_officer_in(data.get("to_officer")),
            to_position=_position_in(data.get("to_position")),
            to_area=_area_in(data.get("to_area")),
            expected_contact_volume=data["expected_contact_volume"],
            time_to_resolve=data["time_to_resolve"],
            agreed_with=data["agreed_with"],
            reason=data["reason"],
        )
        return _requested(approval)


class ParentsLockView(WriteView):
    @extend_schema(summary="Both parents need locking for one issue (CMA-2.10): who manages, and lock accordingly",
                   request=ParentsLockIn,
                   responses={200: OpenApiResponse(description="Decision and both locks")})
    def post(self, request, csid: str):
        customer = _customer(request, csid)
        data = _valid(ParentsLockIn, request.data)
        other = customer_get(user=request.user, csid=data["associated_csid"])
        decision, locks = services.parents_lock(actor=request.user, customer=customer, associated_customer=other,
                                                reason=data["reason"])
        return Response({"decision": decision.as_dict(),
                         "locks": {customer.csid: lock_out(locks[0]), other.csid: lock_out(locks[1])}})


class ReassignView(WriteView):
    @extend_schema(summary="Reallocate the lock to another officer of the same area",
                   request=OwnershipReassignIn, responses={200: GenericOut})
    def post(self, request, csid: str):
        customer = _customer(request, csid)
        data = _valid(OwnershipReassignIn, request.data)
        lock = services.lock_reassign(actor=request.user, customer=customer, to_officer=_officer_in(data["to_officer"]),
                                      reason=data["reason"])
        return _ownership_response(customer, 200, lock=lock_out(lock))


class DisputeRaiseView(WriteView):
    @extend_schema(summary="No agreement: escalate the ownership dispute (CMA-1.6): 202, a request a Team Leader of "
                           "one of the two areas decides on /approvals/<id>/",
                   request=DisputeRaiseIn, responses={202: GenericOut})
    def post(self, request, csid: str):
        customer = _customer(request, csid)
        data = _valid(DisputeRaiseIn, request.data)
        approval = services.ownership_dispute_raise(
            actor=request.user,
            customer=customer,
            to_area=_area_in(data["to_area"], required=True),
            expected_contact_volume=data["expected_contact_volume"],
            time_to_resolve=data["time_to_resolve"],
            reason=data["reason"],
        )
        return _requested(approval)


class DisputeListView(APIView):
    @extend_schema(summary="Team Leader queue: ownership disputes awaiting a decision (CMA-1.6)",
                   responses={200: OpenApiResponse(description="Disputes")})
    def get(self, request):
        if not request.user.has_perm("ownership.view_team_queue"):
            raise NotPermitted("Only a Team Leader sees the ownership dispute queue.", step_ids=("CMA-1.6",))
        areas = services.team_leader_areas(officer_of(request.user))
        return Response({"results": [transfer_out(t) for t in selectors.disputes_open(areas=areas)]})


class DisputeDecideView(WriteView):
    @extend_schema(summary="Team Leader decides an ownership dispute: transfer or keep (CMA-1.6); the same decision "
                           "as POST /api/v1/approvals/<id>/decide/ (the dispute's request)",
                   request=DisputeDecideIn, responses={200: OpenApiResponse(description="Decided dispute")})
    def post(self, request, pk: int):
        dispute = OwnershipTransfer.objects.select_related("customer").filter(pk=pk).first()
        if dispute is None:
            raise NotFound("No such ownership dispute.")
        data = _valid(DisputeDecideIn, request.data)
        dispute = services.ownership_dispute_decide(
            actor=request.user,
            dispute=dispute,
            decision=data["decision"],
            reason=data["reason"],
            to_officer=_officer_in(data.get("to_officer")),
            to_position=_position_in(data.get("to_position")),
        )
        return Response(transfer_out(dispute))


class ErrorView(WriteView):
    @extend_schema(summary="Error identified (CMA-1.3): resolve, refer to the locked officer, or lock and manage",
                   request=ErrorIn, responses={201: GenericOut})
    def post(self, request, csid: str):
        customer = _customer(request, csid)
        data = _valid(ErrorIn, request.data)
        report = services.error_identified(
            actor=request.user,
            customer=customer,
            description=data["description"],
            resolvable_in_real_time=data["resolvable_in_real_time"],
            previous_officer=_officer_in(data.get("previous_officer"), "previous_officer"),
            feedback=data["feedback"],
        )
        return _ownership_response(customer, 201, error={"id": report.pk, "outcome": report.outcome,
                                                         "step_ids": ["CMA-1.3"]})


class ConsultationView(WriteView):
    @extend_schema(summary="Record the consultation with the PS Case Manager (PS-SPE-1/2)",
                   request=ConsultationIn, responses={201: OpenApiResponse(description="Consultation")})
    def post(self, request, csid: str):
        customer = _customer(request, csid)
        data = _valid(ConsultationIn, request.data)
        manager = _officer_in(data.get("ps_case_manager"), "ps_case_manager")
        c = services.specialist_consultation_record(
            actor=request.user,
            customer=customer,
            ps_case_manager=manager,
            summary=data["summary"],
            communication_approach=data["communication_approach"],
            who_communicates=data["who_communicates"],
            regular_updates=data["regular_updates"],
            face_to_face=data["face_to_face"],
        )
        return Response({"id": c.pk, "csid": customer.csid, "ps_case_manager": manager.user.username,
                         "recorded_at": c.recorded_at, "step_ids": ["PS-SPE-1", "PS-SPE-2"]}, status=201)

    @extend_schema(summary="May I take a specialist action on this customer now? (PS-SPE-1)",
                   responses={200: OpenApiResponse(description="Decision")})
    def get(self, request, csid: str):
        _require_view(request)
        customer = _customer(request, csid)
        return Response(services.specialist_action_check(actor=request.user, customer=customer).as_dict())


class IssueHandlingView(APIView):
    @extend_schema(summary="Who handles each outstanding presenting issue (CMA-1.2, CMA-1.4) and the owner (CMA-1.5)",
                   responses={200: OpenApiResponse(description="Per-issue decisions")})
    def get(self, request, csid: str):
        _require_view(request)
        customer = _customer(request, csid)
        officer = officer_of(request.user)
        entry = request.query_params.get("point_of_entry") or (
            officer.business_area.code if officer is not None and officer.business_area else "SERVICES"
        )
        lock = selectors.active_lock(customer=customer)
        decisions = policy.issue_handling(
            issues=selectors.issue_facts(customer=customer),
            point_of_entry=entry,
            locked_area=selectors.area_fact(lock.area) if lock is not None else None,
        )
        customer_data_read(actor=request.user, customer=customer, what="issue_handling")
        return Response({
            "csid": customer.csid,
            "point_of_entry": entry,
            "issues": [d.as_dict() for d in decisions],
            "owner": selectors.rule_owner(customer=customer).as_dict(),
        })


class RoutingView(APIView):
    @extend_schema(summary="Where a call for this CSID goes now (telephony; one indexed query)",
                   responses={200: OpenApiResponse(description="Route")})
    def get(self, request, csid: str):
        _require_view(request)  # issue 13: the route names the customer's owner; only an officer may read it
        route = selectors.route_call(csid=csid)
        if route.customer_id is not None:
            customer_data_read(actor=request.user, customer=route.customer_id, what="routing")
        return Response({
            "csid": route.csid,
            "area": {"code": route.area_code, "name": route.area_name},
            "position": route.position_code,
            "officer": route.officer_username,
            "owned": route.is_owned,
            "reason": route.reason,
            "step_ids": list(route.step_ids),
        })
