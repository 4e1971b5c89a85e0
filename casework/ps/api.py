"""Personalised Services API (/api/v1/ps/...): parse → service/selector → serialise. Refusals come back as
{"detail", "code", "step_ids", ...fields} with 400/403/404/409."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.approvals.models import ApprovalRequest
from casework.approvals.selectors import approval_get, pending_for_subject
from casework.approvals.services import approval_decide
from casework.core.api import IF_MATCH_PARAM, NoClientStepIdsMixin, DB_INT_MAX, expected_version, version_in
from casework.core.db_router import reporting_reads
from casework.core.errors import InvalidInput, NotFound, NotPermitted, TransitionRefused
from casework.customers.models import ContactRestriction, Note
from casework.customers.services import customer_data_export, customer_data_read
from casework.org.models import Officer, Position
from casework.org.selectors import PickError, pick_resolve

from . import policy, selectors, services
from .models import (
    FinalisationRequest,
    PlanAction,
    PlanIssue,
    PlanOption,
    PsRecord,
    ReallocationRequest,
    Segment3Review,
)


LIST_OF_OBJECTS = {200: {"type": "array", "items": {"type": "object", "additionalProperties": True}}}


def approval_ref(a: ApprovalRequest) -> dict:
    """A request for approval that an act became (issue 11): it takes effect only when the decider approves."""
    return {"approval": a.pk, "kind": a.kind, "status": a.status, "who_decides": a.eligible.label,
            "due_date": a.due_date, "summary": a.summary, "url": f"/api/v1/approvals/{a.pk}/"}


def _customer(user, csid: str):
    from casework.customers.selectors import customer_get

    return customer_get(user=user, csid=csid)


def _officer_ref(value, field: str) -> Officer | None:
    if value in (None, ""):
        return None
    try:  # the one lookup (issue 14): an id or a username
        return pick_resolve(str(value), kinds=("officer",), noun="officer")
    except PickError as exc:
        raise InvalidInput("No such officer.", fields={field: [f"No such officer (id or username). {exc}"]}) from exc


def _position_ref(value, field: str) -> Position | None:
    if value in (None, ""):
        return None
    try:
        return pick_resolve(str(value), kinds=("position",), noun="position")
    except PickError as exc:
        raise InvalidInput("No such position.", fields={field: [f"No such position (id or code). {exc}"]}) from exc


def _get(model, pk, what: str, user):
    if not user.has_perm("ps.view_ps"):
        raise NotPermitted("Your role does not allow you to see Personalised Services records.", step_ids=("PS-REF-3",))
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"No such {what}.")
    return obj


def _record(request, pk) -> PsRecord:
    return selectors.ps_record_get(user=request.user, pk=pk)


# --- serialisers ------------------------------------------------------------------------------------------------


def issue_data(issue: PlanIssue) -> dict:
    return {
        "id": issue.pk, "title": issue.title, "classification": issue.classification,
        "is_mandatory": issue.is_mandatory, "customer_perspective": issue.customer_perspective,
        "is_specialist_process": issue.is_specialist_process, "status": issue.status, "comments": issue.comments,
        "version": issue.version,
        "history": [{"from": e.from_status, "to": e.to_status, "comment": e.comment, "at": e.at.isoformat(),
                     "by": e.actor_id, "step_ids": e.step_ids} for e in issue.events.all()],
    }


def record_data(rec: PsRecord, *, full: bool = True) -> dict:
    data = {
        "id": rec.pk, "csid": rec.customer.csid, "customer": rec.customer.full_name,
        "associated_csid": rec.associated_customer.csid if rec.associated_customer_id else None,
        "status": rec.status, "is_active": rec.is_active,
        "case_manager": rec.case_manager.user.username if rec.case_manager_id else None,
        "referral_type_code": rec.referral_type_code, "referral_intray_id": rec.referral_intray_id,
        "referral_source": rec.referral_source, "main_referral_reason": rec.main_referral_reason,
        "urgent": rec.urgent, "segment": rec.segment, "segment3_review_date": rec.segment3_review_date,
        "referred_at": rec.referred_at, "allocated_at": rec.allocated_at, "finalised_at": rec.finalised_at,
        "customer_told_by_phone": rec.customer_told_by_phone, "version": rec.version,
    }
    if not full:
        return data
    pd = selectors.plan_detail(ps_record=rec)
    plan = pd["plan"]
    data["plan"] = {
        "id": plan.pk, "version": plan.version, "due_on": plan.due_on, "due": pd["due"].as_dict(),
        "stacking_document_created_at": plan.stacking_document_created_at,
        "agreed_contact_times": plan.agreed_contact_times, "special_contact_details": plan.special_contact_details,
        "approved_at": plan.approved_at, "uq140_01_skipped": plan.uq140_01_skipped,
        "uq140_01_tl_discussion": plan.uq140_01_tl_discussion,
        "issues": [issue_data(i) for i in pd["issues"]],
        "options": [{"id": o.pk, "kind": o.kind, "detail": o.detail, "status": o.status,
                     "confirmed_in_writing": o.confirmed_in_writing, "timeframe": o.timeframe} for o in pd["options"]],
        "actions": [{"id": a.pk, "description": a.description, "due_on": a.due_on, "completed_at": a.completed_at}
                    for a in pd["actions"]],
        "segment_history": [{"from": c.from_segment, "to": c.to_segment, "suggested": c.suggested_segment,
                             "indicators": c.indicators, "reason": c.reason, "at": c.at}
                            for c in rec.segment_changes.all()],
    }
    data["stacking_document"] = [{"id": n.pk, "subject": n.subject, "body": n.body, "created_at": n.created_at,
                                  "author": n.author.username} for n in selectors.stacking_notes(ps_record=rec)]
    data["contacts"] = [{"id": c.pk, "kind": c.kind, "occurred_at": c.occurred_at, "summary": c.summary,
                         "acknowledged": c.acknowledged, "follow_up_intray_id": c.follow_up_intray_id}
                        for c in rec.contacts.all()]
    data["finalisations"] = [finalisation_data(f) for f in rec.finalisations.all()]
    from casework.ownership.models import SpecialistConsultation

    data["consultations"] = [
        {"id": c.pk, "specialist": c.specialist.user.username, "summary": c.summary,
         "communication_approach": c.communication_approach, "who_communicates": c.who_communicates,
         "recorded_at": c.recorded_at}
        for c in SpecialistConsultation.objects.filter(customer_id=rec.customer_id, recorded_at__gte=rec.allocated_at)
        .select_related("specialist__user")]
    from casework.customers.models import SensitiveIssueIndicator

    # Shown before any contact (PS-CON-1); INTERNAL: officers only, never in anything a customer sees (PS-CON-4).
    data["restrictions"] = [{"id": r.pk, "conditions": r.conditions, "review_date": r.review_date}
                            for r in ContactRestriction.objects.filter(customer_id=rec.customer_id, is_active=True)]
    data["sensitive_indicators"] = [
        {"id": i.pk, "reason": i.reason, "conditions": i.conditions, "review_date": i.review_date}
        for i in SensitiveIssueIndicator.objects.filter(customer_id=rec.customer_id, is_active=True)]
    data["letters"] = [{"template_code": x.template_code, "letter_id": x.letter_id, "sent_at": x.sent_at}
                       for x in rec.letters.all()]
    return data


def finalisation_data(f: FinalisationRequest) -> dict:
    """A finalisation request; ``approval`` is its ``ps_finalisation`` request for approval (decided on
    /api/v1/approvals/{id}/decide/ by an eligible PS Team Leader, issue 11)."""
    from casework.approvals.selectors import approvals_for_subject

    a = approvals_for_subject(subject=f, kind="ps_finalisation").order_by("-id").first()
    return {"id": f.pk, "ps_record": f.ps_record_id, "status": f.status,
            "team_leader": f.team_leader.user.username if f.team_leader_id else None, "readiness": f.readiness,
            "submitted_at": f.submitted_at, "approval_reason": f.approval_reason, "comments": f.comments,
            "decided_at": f.decided_at, "approval": approval_ref(a) if a is not None else None}


class _Base(APIView):
    """POST views: validate ``serializer``, call ``act``, return ``present(result)`` with 201/200."""

    serializer: type[serializers.Serializer] = serializers.Serializer
    created = False
    # The body's ``version`` may come as If-Match instead (issue 13, core.api.expected_version).
    versioned = False

    def act(self, request, pk, data):  # pragma: no cover - overridden
        raise NotImplementedError

    def present(self, result) -> dict:
        return {"id": result.pk}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "post" not in cls.__dict__:
            def post(self, request, pk=None):
                return _Base.post(self, request, pk)

            cls.post = extend_schema(request=cls.serializer,
                                     parameters=[IF_MATCH_PARAM] if cls.versioned else None,
                                     responses={201 if cls.created else 200: OpenApiTypes.OBJECT},
                                     operation_id=f"ps_{cls.__name__.removesuffix('View').lower()}")(post)

    def post(self, request, pk=None):
        ser = self.serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        if self.versioned:
            data = {**data, "version": expected_version(request, data.get("version"))}
        result = self.act(request, pk, data)
        return Response(self.present(result), status=status.HTTP_201_CREATED if self.created else status.HTTP_200_OK)


class _RequestView(_Base):
    """An act that may be a request for approval (issue 11): 202 with the request; it takes effect only when the
    decider approves it on /api/v1/approvals/{id}/decide/."""

    def _post(self, request, pk=None):
        ser = self.serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        result = self.act(request, pk, ser.validated_data)
        if isinstance(result, ApprovalRequest):
            return Response(approval_ref(result), status=status.HTTP_202_ACCEPTED)
        return Response(self.present(result), status=status.HTTP_201_CREATED if self.created else status.HTTP_200_OK)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)

        def post(self, request, pk=None):
            return _RequestView._post(self, request, pk)

        cls.post = extend_schema(request=cls.serializer,
                                 responses={202: OpenApiTypes.OBJECT,
                                            201 if cls.created else 200: OpenApiTypes.OBJECT},
                                 operation_id=f"ps_{cls.__name__.removesuffix('View').lower()}")(post)


# --- referrals and records -------------------------------------------------------------------------------------


class ReferralIn(serializers.Serializer):
    csid = serializers.CharField()
    type_code = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    urgent = serializers.BooleanField(default=False)
    tl_call_details = serializers.CharField(allow_blank=True, default="")
    to_position = serializers.CharField(allow_blank=True, default="")
    to_officer = serializers.CharField(allow_blank=True, default="")


class ReferralView(_Base):
    serializer = ReferralIn
    created = True

    @extend_schema(request=ReferralIn, responses={201: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT})
    def post(self, request, pk=None):
        """201 with the referral intray; an urgent referral (PS-REF-1, by a Team Leader with their call to the PS
        Team Leader) is 202: a request the PS Team Leader accepts before the intray reaches the PS queue."""
        ser = self.serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        ref = self.act(request, pk, ser.validated_data)
        if getattr(ref, "approval", None) is not None:
            return Response({**approval_ref(ref.approval), "id": ref.pk, "urgent": True, "intray_id": None},
                            status=status.HTTP_202_ACCEPTED)
        return Response(self.present(ref), status=status.HTTP_201_CREATED)

    def act(self, request, pk, d):
        return services.ps_referral_create(
            actor=request.user, customer=_customer(request.user, d["csid"]), type_code=d["type_code"],
            reason=d["reason"], urgent=d["urgent"], tl_call_details=d["tl_call_details"],
            to_position=_position_ref(d["to_position"], "to_position"),
            to_officer=_officer_ref(d["to_officer"], "to_officer"))

    def present(self, ref):
        return {"id": ref.pk, "intray_id": ref.intray_id, "type_code": ref.type_code, "urgent": ref.urgent,
                "due_date": ref.intray.due_date}


class RecordIn(serializers.Serializer):
    csid = serializers.CharField()
    case_manager = serializers.CharField()
    referral_source = serializers.CharField()
    main_referral_reason = serializers.CharField(allow_blank=True)
    referral_intray_id = serializers.IntegerField(max_value=DB_INT_MAX, required=False, allow_null=True, default=None)
    type_code = serializers.CharField(allow_blank=True, default="")
    associated_csid = serializers.CharField(allow_blank=True, default="")
    review = serializers.DictField(required=False, allow_null=True, default=None)


class RecordListView(_Base):
    serializer = RecordIn
    created = True

    @extend_schema(parameters=[OpenApiParameter("csid", str, required=False)], responses=LIST_OF_OBJECTS,
                   operation_id="ps_records_list")
    def get(self, request, pk=None):
        if not request.user.has_perm("ps.view_ps"):
            raise NotPermitted("Your role does not allow you to see Personalised Services records.",
                               step_ids=("PS-REF-3",))
        qs = PsRecord.objects.select_related("customer", "associated_customer", "case_manager__user")
        csid = request.query_params.get("csid", "")
        customer = _customer(request.user, csid) if csid else None
        if customer is not None:
            qs = qs.filter(customer=customer)
        if request.query_params.get("active") in ("1", "true"):
            qs = qs.filter(is_active=True)
        data = [record_data(r, full=False) for r in qs.order_by("-id")[:200]]
        if customer is not None:
            customer_data_read(actor=request.user, customer=customer, what="ps_records", detail={"count": len(data)})
        return Response(data)

    @extend_schema(request=RecordIn, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, pk=None):
        return super().post(request, pk)

    def act(self, request, pk, d):
        intray = None
        if d["referral_intray_id"]:
            from casework.intrays.models import Intray

            intray = Intray.objects.select_related("type").filter(pk=d["referral_intray_id"]).first()
            if intray is None:
                raise InvalidInput("No such intray.", fields={"referral_intray_id": ["No such intray."]})
        assoc = _customer(request.user, d["associated_csid"]) if d["associated_csid"] else None
        cm = _officer_ref(d["case_manager"], "case_manager")
        return services.ps_referral_action(
            actor=request.user, customer=_customer(request.user, d["csid"]), case_manager=cm,
            referral_source=d["referral_source"], main_referral_reason=d["main_referral_reason"],
            referral_intray=intray, type_code=d["type_code"], associated_customer=assoc, review=d["review"])

    def present(self, rec):
        return record_data(selectors.ps_record_get(user=self.request.user, pk=rec.pk))


def _read(request, rec: PsRecord, what: str) -> None:
    """A read of a PS record (with its sensitive indicator, plan and notes) is a read of the customer's data: audited
    once against the customer (issue 13)."""
    customer_data_read(actor=request.user, customer=rec.customer_id, what=what, detail={"ps_record": rec.pk})


class RecordDetailView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        rec = _record(request, pk)
        data = record_data(rec)
        _read(request, rec, "ps_record")
        return Response(data)


class PlanIn(serializers.Serializer):
    version = version_in("plan")
    agreed_contact_times = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)
    special_contact_details = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)


class PlanView(APIView):
    @extend_schema(request=PlanIn, parameters=[IF_MATCH_PARAM], responses=OpenApiTypes.OBJECT)
    def patch(self, request, pk):
        rec = _record(request, pk)
        ser = PlanIn(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        plan = services.plan_update(actor=request.user, plan=rec.plan,
                                    version=expected_version(request, d["version"], what="plan"),
                                    agreed_contact_times=d["agreed_contact_times"],
                                    special_contact_details=d["special_contact_details"])
        return Response({"id": plan.pk, "version": plan.version})


class VersionIn(serializers.Serializer):
    version = version_in("plan")


class PlanApproveView(_Base):
    serializer = VersionIn
    versioned = True

    def act(self, request, pk, d):
        return services.plan_approve(actor=request.user, plan=_record(request, pk).plan, version=d["version"])

    def present(self, plan):
        return {"id": plan.pk, "version": plan.version, "approved_at": plan.approved_at}


class IssueIn(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    classification = serializers.CharField()
    customer_perspective = serializers.CharField(allow_blank=True, default="")
    is_specialist_process = serializers.BooleanField(default=False)
    version = version_in("plan")


class IssueAddView(_Base):
    serializer = IssueIn
    created = True
    versioned = True

    def act(self, request, pk, d):
        return services.plan_issue_add(actor=request.user, plan=_record(request, pk).plan, title=d["title"],
                                       classification=d["classification"],
                                       customer_perspective=d["customer_perspective"],
                                       is_specialist_process=d["is_specialist_process"], version=d["version"])

    def present(self, issue):
        return issue_data(issue)


class IssueStatusIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=[policy.RECORDED, policy.CONFIRMED, policy.RESOLVED])
    comment = serializers.CharField(allow_blank=True, default="")
    version = version_in("issue")


class IssueStatusView(_Base):
    serializer = IssueStatusIn
    versioned = True

    def act(self, request, pk, d):
        issue = _get(PlanIssue, pk, "plan issue", request.user)
        return services.plan_issue_transition(actor=request.user, issue=issue, status=d["status"],
                                              comment=d["comment"], version=d["version"])

    def present(self, issue):
        return issue_data(issue)


class OptionIn(serializers.Serializer):
    kind = serializers.CharField()
    detail = serializers.CharField(allow_blank=True)
    timeframe = serializers.CharField(allow_blank=True, default="")


class OptionAddView(_RequestView):
    """201 with the option; a social worker referral is a request to the PS Team Leader (PS-CON-6): 202."""

    serializer = OptionIn
    created = True

    def act(self, request, pk, d):
        return services.plan_option_add(actor=request.user, plan=_record(request, pk).plan, **d)


class OptionUpdateIn(serializers.Serializer):
    status = serializers.CharField(required=False, default=None, allow_null=True)
    confirmed_in_writing = serializers.BooleanField(required=False, default=None, allow_null=True)
    timeframe = serializers.CharField(required=False, default=None, allow_null=True, allow_blank=True)


class OptionUpdateView(_Base):
    serializer = OptionUpdateIn

    def act(self, request, pk, d):
        return services.plan_option_update(actor=request.user, option=_get(PlanOption, pk, "option", request.user), **d)

    def present(self, o):
        return {"id": o.pk, "status": o.status, "confirmed_in_writing": o.confirmed_in_writing,
                "timeframe": o.timeframe}


class ActionIn(serializers.Serializer):
    description = serializers.CharField(allow_blank=True)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class ActionAddView(_Base):
    serializer = ActionIn
    created = True

    def act(self, request, pk, d):
        return services.plan_action_add(actor=request.user, plan=_record(request, pk).plan, **d)


class ActionCompleteView(_Base):
    def act(self, request, pk, d):
        return services.plan_action_complete(actor=request.user,
                                             action=_get(PlanAction, pk, "plan action", request.user))


class NoteIn(serializers.Serializer):
    subject = serializers.CharField(allow_blank=True)
    body = serializers.CharField(allow_blank=True)
    pointer_note_id = serializers.IntegerField(max_value=DB_INT_MAX, required=False, allow_null=True, default=None)


class NoteAddView(_Base):
    serializer = NoteIn
    created = True

    def act(self, request, pk, d):
        pointer = None
        if d["pointer_note_id"]:
            pointer = Note.objects.filter(pk=d["pointer_note_id"]).first()
            if pointer is None:
                raise InvalidInput("No such notepad.", fields={"pointer_note_id": ["No such notepad."]})
        return services.stacking_note_add(actor=request.user, ps_record=_record(request, pk), subject=d["subject"],
                                          body=d["body"], pointer_to=pointer)

    def present(self, n):
        return {"id": n.pk, "subject": n.subject}


class CaseReviewIn(serializers.Serializer):
    reviewed_items = serializers.ListField(child=serializers.CharField(), allow_empty=True)
    escalations = serializers.CharField(allow_blank=True, default="")
    crg_record = serializers.CharField(allow_blank=True, default="")
    options_identified = serializers.CharField(allow_blank=True, default="")


class CaseReviewView(_Base):
    serializer = CaseReviewIn
    created = True

    def act(self, request, pk, d):
        return services.ps_case_review_record(actor=request.user, ps_record=_record(request, pk), **d)


class ContactIn(serializers.Serializer):
    kind = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    checklist = serializers.DictField(child=serializers.BooleanField(), default=dict)
    mandatory_gathered = serializers.DictField(child=serializers.BooleanField(), default=dict)
    acknowledged = serializers.BooleanField(default=False)
    restrictions_reviewed = serializers.BooleanField(default=False)
    products_services = serializers.CharField(allow_blank=True, default="")
    next_contact_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    follow_up_type = serializers.CharField(allow_blank=True, default="")
    follow_up_subject = serializers.CharField(allow_blank=True, default="")
    close_referral_intray = serializers.BooleanField(default=True)


class ContactView(_Base):
    serializer = ContactIn
    created = True

    def act(self, request, pk, d):
        return services.contact_record(actor=request.user, ps_record=_record(request, pk), **d)

    def present(self, c):
        return {"id": c.pk, "kind": c.kind, "follow_up_intray_id": c.follow_up_intray_id}


class ToldIn(serializers.Serializer):
    summary = serializers.CharField(allow_blank=True, default="")


class CustomerToldView(_Base):
    serializer = ToldIn

    def act(self, request, pk, d):
        return services.customer_told_record(actor=request.user, ps_record=_record(request, pk), **d)


class NoContactIn(serializers.Serializer):
    cro = serializers.CharField()
    confirmation = serializers.CharField(allow_blank=True)


class NoFurtherContactView(_Base):
    serializer = NoContactIn

    def act(self, request, pk, d):
        return services.no_further_contact_record(actor=request.user, ps_record=_record(request, pk),
                                                  cro=_officer_ref(d["cro"], "cro"), confirmation=d["confirmation"])


class SensitiveIn(serializers.Serializer):
    reason = serializers.CharField()
    conditions = serializers.CharField(allow_blank=True)
    review_date = serializers.DateField(required=False, allow_null=True, default=None)


class SensitiveView(_Base):
    serializer = SensitiveIn
    created = True

    def act(self, request, pk, d):
        return services.sensitive_indicator_add(actor=request.user, ps_record=_record(request, pk), **d)


class SegmentSuggestionView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        rec = _record(request, pk)
        data = selectors.segment_suggestion(ps_record=rec).as_dict()
        _read(request, rec, "ps_segment_suggestion")
        return Response(data)


class SegmentIn(serializers.Serializer):
    segment = serializers.IntegerField(max_value=DB_INT_MAX)
    reason = serializers.CharField(allow_blank=True)


class SegmentView(_Base):
    """Segments 1 and 2 are recorded (200). Segment 3 is a request to the PS Team Leader (PS-ORM-1): 202 with the
    request; it applies only when they approve it (/api/v1/approvals/{id}/decide/)."""

    serializer = SegmentIn

    @extend_schema(request=SegmentIn, responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT},
                   operation_id="ps_segment")
    def post(self, request, pk=None):
        ser = SegmentIn(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        result = services.segment_set(actor=request.user, ps_record=_record(request, pk), segment=d["segment"],
                                      reason=d["reason"])
        if isinstance(result, ApprovalRequest):
            return Response(approval_ref(result), status=status.HTTP_202_ACCEPTED)
        return Response({"id": result.pk, "segment": result.to_segment,
                         "suggested_segment": result.suggested_segment, "indicators": result.indicators})


class LetterIn(serializers.Serializer):
    template_code = serializers.CharField()
    context = serializers.DictField(required=False, default=dict)


class LetterView(_Base):
    serializer = LetterIn
    created = True

    def act(self, request, pk, d):
        return services.ps_letter_send(actor=request.user, ps_record=_record(request, pk), **d)

    def present(self, letter):
        # The PDF is rendered after commit (issue 15): ``status`` preparing / ready / failed, as on ``letters/<id>/``;
        # ``pdf_url`` answers 409 until it is ready.
        return {"id": letter.pk, "template_code": letter.template_code, "status": letter.status,
                "pdf_url": f"/api/v1/letters/{letter.pk}/pdf/"}


class SkipIn(serializers.Serializer):
    straightforward = serializers.BooleanField(default=False)
    tl_discussion = serializers.CharField(allow_blank=True, default="")
    team_leader = serializers.CharField(allow_blank=True, default="")


class SkipView(_Base):
    serializer = SkipIn

    def act(self, request, pk, d):
        return services.uq140_01_skip(actor=request.user, ps_record=_record(request, pk),
                                      straightforward=d["straightforward"], tl_discussion=d["tl_discussion"],
                                      team_leader=_officer_ref(d["team_leader"], "team_leader"))


class F2FIn(serializers.Serializer):
    location_type = serializers.CharField(default="service_centre")
    location_detail = serializers.CharField(allow_blank=True)
    attendees = serializers.CharField(allow_blank=True)
    scheduled_for = serializers.DateTimeField()
    reason = serializers.CharField(allow_blank=True, default="", max_length=4000,
                                   help_text="Why a meeting is needed (PS-F2F-1), for the PS Team Leader.")
    via_customer_review = serializers.BooleanField(default=False)
    second_person = serializers.BooleanField(default=False)
    security_risk = serializers.BooleanField(default=False)
    security_notified = serializers.BooleanField(default=False)


class F2FView(_RequestView):
    """Booking a face-to-face meeting is a request to the PS Team Leader (PS-F2F-1/3): 202; the meeting is booked
    when they approve it. There is no typed approver."""

    serializer = F2FIn

    def act(self, request, pk, d):
        return services.f2f_book(actor=request.user, ps_record=_record(request, pk), **d)


class S3ScheduleIn(serializers.Serializer):
    review_date = serializers.DateField()
    conditions = serializers.CharField(allow_blank=True, default="")


class Segment3ScheduleView(_Base):
    serializer = S3ScheduleIn
    created = True

    def act(self, request, pk, d):
        return services.segment3_review_schedule(actor=request.user, ps_record=_record(request, pk), **d)


class S3OutcomeIn(serializers.Serializer):
    outcome = serializers.CharField()
    notes = serializers.CharField(allow_blank=True)
    new_review_date = serializers.DateField(required=False, allow_null=True, default=None)


class Segment3OutcomeView(_RequestView):
    """The segment 3 review outcome is a request to a second PS Team Leader (PS-ORM-2): 202."""

    serializer = S3OutcomeIn

    def act(self, request, pk, d):
        return services.segment3_review_record(actor=request.user,
                                               review=_get(Segment3Review, pk, "review", request.user), **d)


class RestrictedIn(serializers.Serializer):
    restriction_id = serializers.IntegerField(max_value=DB_INT_MAX)
    outcome = serializers.CharField(allow_blank=True)
    next_review_date = serializers.DateField()


class RestrictedReviewView(_RequestView):
    """The restricted-service review outcome is a request only the National Manager Quality and Customer
    Complaints decides (PS-ORM-3): 202. There is no typed approver."""

    serializer = RestrictedIn

    def act(self, request, pk, d):
        restriction = ContactRestriction.objects.filter(pk=d["restriction_id"]).first()
        if restriction is None:
            raise InvalidInput("No such restriction.", fields={"restriction_id": ["No such restriction."]})
        return services.restricted_service_review_record(
            actor=request.user, ps_record=_record(request, pk), restriction=restriction, outcome=d["outcome"],
            next_review_date=d["next_review_date"])


class RestrictionDecisionIn(NoClientStepIdsMixin, serializers.Serializer):
    letter_reference = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                             help_text="The letter sent to the customer (PS-DOC-2); to approve.")
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=DB_INT_MAX)


def _restriction_request(request, restriction_id: int) -> ApprovalRequest:
    restriction = ContactRestriction.objects.filter(pk=restriction_id).first()
    if restriction is None:
        raise NotFound("No such restricted service.")
    pending = pending_for_subject(subject=restriction, kind="restricted_service")
    if pending is None:
        raise TransitionRefused("This restricted service has no request waiting for a decision.",
                                step_ids=services.RESTRICTION_STEPS)
    return approval_get(user=request.user, pk=pending.pk)


class _RestrictionDecisionView(APIView):
    approve = True

    def _post(self, request, restriction_id: int):
        ser = RestrictionDecisionIn(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        row = approval_decide(actor=request.user, approval=_restriction_request(request, restriction_id),
                              approve=self.approve, reason=d["reason"], version=d["version"],
                              data={"letter_reference": d["letter_reference"]} if self.approve else {})
        return Response(approval_ref(row))


class RestrictionApproveView(_RestrictionDecisionView):
    """Same as deciding the restriction's request on /api/v1/approvals/{id}/decide/ (issue 11): only a PS Team
    Leader other than the proposer, with the letter sent (PS-ORM-3, PS-DOC-2)."""

    @extend_schema(operation_id="restrictions_approve", request=RestrictionDecisionIn,
                   responses={200: OpenApiTypes.OBJECT})
    def post(self, request, restriction_id: int):
        return self._post(request, restriction_id)


class RestrictionRejectView(_RestrictionDecisionView):
    """Same as not approving the restriction's request on /api/v1/approvals/{id}/decide/ (issue 11), with a reason."""

    approve = False

    @extend_schema(operation_id="restrictions_reject", request=RestrictionDecisionIn,
                   responses={200: OpenApiTypes.OBJECT})
    def post(self, request, restriction_id: int):
        return self._post(request, restriction_id)


class ReallocIn(serializers.Serializer):
    reason_code = serializers.CharField()
    detail = serializers.CharField(allow_blank=True)


class ReallocationRequestView(_Base):
    serializer = ReallocIn
    created = True

    def act(self, request, pk, d):
        return services.reallocation_request(actor=request.user, ps_record=_record(request, pk), **d)

    def present(self, r):
        """The reallocation request and its ``ps_reallocation`` request for approval (the Team Leader's queue)."""
        return {"id": r.pk, "status": r.status, "approval": approval_ref(r.approval)}


class ForwardIn(serializers.Serializer):
    receiving_position = serializers.CharField()
    comments = serializers.CharField(allow_blank=True, default="")


class ReallocationForwardView(_Base):
    serializer = ForwardIn

    def act(self, request, pk, d):
        return services.reallocation_forward(
            actor=request.user, request=_get(ReallocationRequest, pk, "reallocation request", request.user),
            receiving_position=_position_ref(d["receiving_position"], "receiving_position"), comments=d["comments"])

    def present(self, r):
        return {"id": r.pk, "status": r.status}


class AssignIn(serializers.Serializer):
    case_manager = serializers.CharField()


class ReallocationAssignView(_Base):
    serializer = AssignIn

    def act(self, request, pk, d):
        return services.reallocation_assign(
            actor=request.user, request=_get(ReallocationRequest, pk, "reallocation request", request.user),
            case_manager=_officer_ref(d["case_manager"], "case_manager"))

    def present(self, rec):
        return {"id": rec.pk, "case_manager": rec.case_manager.user.username, "status": rec.status}


def _attestations(src) -> dict:
    def truthy(v):
        return v in (True, "1", "true", "True", "on", "yes")

    return {k: truthy(src.get(k)) for k in services.ATTESTATIONS}


class ReadinessView(APIView):
    @extend_schema(parameters=[OpenApiParameter(k, bool, required=False) for k in services.ATTESTATIONS],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        rec = _record(request, pk)
        data = selectors.readiness_for(ps_record=rec, attestations=_attestations(request.query_params)).as_dict()
        _read(request, rec, "ps_readiness")
        return Response(data)


class FinalisationIn(serializers.Serializer):
    summary = serializers.CharField(allow_blank=True)
    attestations = serializers.DictField(child=serializers.BooleanField(), default=dict)
    team_leader = serializers.CharField(allow_blank=True, default="")


class FinalisationView(_Base):
    serializer = FinalisationIn
    created = True

    def act(self, request, pk, d):
        return services.finalisation_request_submit(
            actor=request.user, ps_record=_record(request, pk), summary=d["summary"], attestations=d["attestations"],
            team_leader=_officer_ref(d["team_leader"], "team_leader"))

    def present(self, f):
        return finalisation_data(f)


class DecisionIn(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True, default="")
    comments = serializers.CharField(allow_blank=True)
    ongoing_ps_will_not_resolve = serializers.BooleanField(default=False)
    no_escalation_history = serializers.BooleanField(default=False)
    needs_ongoing_support = serializers.BooleanField(default=False)


class FinalisationDecisionView(_Base):
    serializer = DecisionIn

    def act(self, request, pk, d):
        return services.finalisation_decide(
            actor=request.user, request=_get(FinalisationRequest, pk, "finalisation request", request.user), **d)

    def present(self, f):
        return finalisation_data(f)


class FinalisationListView(APIView):
    @extend_schema(responses=LIST_OF_OBJECTS)
    def get(self, request):
        data = selectors.dashboard(user=request.user)
        return Response([finalisation_data(f) for f in data["finalisations"]])


class DashboardView(APIView):
    @extend_schema(parameters=[OpenApiParameter("team", bool, required=False)], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        team = request.query_params.get("team") in ("1", "true") and request.user.has_perm("ps.view_team")
        with reporting_reads():  # a report: served by the streaming replica when one is configured
            d = selectors.dashboard(user=request.user, team=team)
        row = lambda r: {**record_data(r["record"], full=False), "plan_due_on": r["plan"].due_on if r["plan"] else None,  # noqa: E731
                         "plan_due": r["due"].as_dict() if r["due"] else None}
        return Response({
            "today": d["today"],
            "records": [row(r) for r in d["rows"]],
            "by_segment": {str(k): v for k, v in d["by_segment"].items()},
            "by_status": d["by_status"],
            "per_officer": d["per_officer"],
            "plans_overdue": [r["record"].pk for r in d["plans_overdue"]],
            "plans_due_soon": [r["record"].pk for r in d["plans_due_soon"]],
            "segment3_reviews_due": [{"id": x.pk, "ps_record": x.ps_record_id, "review_date": x.review_date}
                                     for x in d["segment3_reviews_due"]],
            "restricted_reviews_due": [{"id": x.pk, "csid": x.customer.csid, "review_date": x.review_date}
                                       for x in d["restricted_reviews_due"]],
            "finalisations": [finalisation_data(f) for f in d["finalisations"]],
            "referrals": [{"intray_id": r["intray"].pk, "type_code": r["intray"].type.code,
                           "csid": r["intray"].customer.csid, "due_date": r["intray"].due_date,
                           "overdue": r["overdue"], "sla_working_days": r["sla_days"]} for r in d["referrals"]],
        })


def export_csv_response(user, *, channel: str = "api") -> HttpResponse:
    with reporting_reads():  # a report: served by the streaming replica when one is configured
        rows = list(selectors.export_rows(user=user))
    customer_data_export(actor=user, what="ps_activity_database", rows=max(len(rows) - 1, 0), channel=channel)
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    resp = HttpResponse(buf.getvalue(), content_type="text/csv")
    resp["Content-Disposition"] = 'attachment; filename="ps-activity-database.csv"'
    return resp


class ExportView(APIView):
    @extend_schema(responses={(200, "text/csv"): str})
    def get(self, request):
        return export_csv_response(request.user)


# Component names unique across the whole API schema.
for _name, _obj in list(globals().items()):
    if isinstance(_obj, type) and issubclass(_obj, serializers.Serializer) and _name.endswith("In"):
        globals()[_name] = extend_schema_serializer(component_name=f"Ps{_name}")(_obj)
