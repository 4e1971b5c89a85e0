"""Guided customer contact over HTTP (/api/v1/contacts/...). Thin: parse, call a service/selector, serialise.

Case details (summary, MCA, finalisation readiness) are only returned once POI is confirmed (CMA-1.1).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.core.api import DB_INT_MAX, expected_version, version_in
from casework.core.errors import InvalidInput, NotFound
from casework.customers.models import AuthorisedRepresentative, Case, Customer, Debt, IssueStatus, PaymentFrequency
from casework.customers.services import customer_data_read
from casework.org.models import BusinessArea

from . import policy, selectors, services
from .models import Channel, Contact, ContactIssue, ExternalReferral, Speaker, TransferKind


# --- output -------------------------------------------------------------------------------------------------------


def _customer_out(c: Customer) -> dict[str, Any]:
    return {"csid": c.csid, "full_name": c.full_name}


def summary_out(summary) -> dict[str, Any] | None:
    """Customer-facing case facts for the contact (no sensitive indicator: it is shown to officers in the UI only)."""
    if summary is None:
        return None
    return {
        "cases": [
            {
                "case_number": cs.case.case_number,
                "role": cs.role,
                "other_party": _customer_out(cs.other_party),
                "children": [f"{ch.given_names} {ch.family_name}" for ch in cs.children],
                "role_reversal": cs.role_reversal,
            }
            for cs in summary.cases
        ],
        "income": {
            "amount": str(summary.income.record.amount) if summary.income.record else None,
            "source": summary.income.record.source if summary.income.record else None,
            "is_reliable": summary.income.is_reliable,
        },
        "debts": [
            {
                "id": d.debt.pk,
                "case_number": d.debt.case.case_number,
                "kind": d.debt.kind,
                "amount": str(d.debt.amount),
                "arrangement_status": d.arrangement_status,
            }
            for d in summary.debts
        ],
        "owed_to_customer": [{"id": d.debt.pk, "amount": str(d.debt.amount)} for d in summary.owed_to_customer],
    }


def contact_out(contact: Contact, *, user) -> dict[str, Any]:
    from casework.ownership.api import ownership_out

    screen = selectors.contact_screen(user=user, contact=contact)
    body: dict[str, Any] = {
        "id": contact.pk,
        "customer": _customer_out(contact.customer),
        "case_number": contact.case.case_number if contact.case_id else None,
        "channel": contact.channel,
        "speaker": contact.speaker,
        "representative": (
            {"id": contact.representative.pk, "name": contact.representative.name, "scope": contact.representative.scope}
            if contact.representative_id else None
        ),
        "access": screen.access.as_dict(),
        "officer": contact.officer.user.username,
        "area": contact.area.code,
        "status": contact.status,
        "started_at": contact.started_at,
        "poi_confirmed": contact.poi_confirmed,
        "poi_confirmed_at": contact.poi_confirmed_at,
        "poi_carried": contact.poi_carried,
        "poi_failed": (
            {"at": contact.poi_failed_at, "checks": contact.poi_failed_checks, "note": contact.poi_failed_note}
            if contact.poi_failed else None
        ),
        "abandoned": (
            {"at": contact.abandoned_at, "reason": contact.abandon_reason, "note": contact.abandon_note}
            if contact.abandoned_at else None
        ),
        "transfer": (
            {
                "kind": contact.transfer_kind, "reasons": contact.transfer_reasons,
                "to_area": contact.transfer_to_area.code if contact.transfer_to_area_id else None,
                "note": contact.transfer_note,
            }
            if contact.transfer_kind else None
        ),
        "ownership": ownership_out(screen.ownership) if screen.ownership is not None else None,
        "issues": [issue_out(ci) for ci in contact.issues.all()],
        "external_referrals": [referral_out(r) for r in contact.external_referrals.all()],
        "impacted": [
            {"csid": i.customer.csid, "full_name": i.customer.full_name, "status": i.status, "letter": i.letter_id}
            for i in contact.impacted.all()
        ],
        "error": (
            {
                "description": contact.error_description, "apology_given": contact.apology_given,
                "complaint_offered": contact.complaint_offered, "complaint_wanted": contact.complaint_wanted,
                "outcome": contact.error_outcome,
            }
            if contact.error_identified else None
        ),
        "customer_disagrees": contact.customer_disagrees,
        "disagreement_options": contact.disagreement_options,
        "mca_ticked": contact.mca_ticked,
        "mca_completed_at": contact.mca_completed_at,
        "arrangement": contact.arrangement_id,
        "collection_outcome": contact.collection_outcome or None,
        "realtime_resolved": contact.realtime_resolved,
        "finalised_at": contact.finalised_at,
        "unlock_outcome": contact.unlock_outcome or None,
        "holistic_advice_at": contact.holistic_advice_at,
        "corrections": [
            {"field": c.field, "old": c.old_value, "new": c.new_value, "reason": c.reason,
             "corrected_at": c.corrected_at, "by": c.corrected_by.username if c.corrected_by_id else None}
            for c in contact.corrections.select_related("corrected_by")
        ],
        "version": contact.version,
    }
    body["restriction"] = restriction_out(screen.restriction)
    if screen.summary is not None:
        body["summary"] = summary_out(screen.summary)
        # CMA-1.1: a specified-matters representative hears only those matters.
        if not screen.may_discuss("income"):
            body["summary"]["income"] = None
        if not screen.may_discuss("collection"):
            body["summary"]["debts"] = None
            body["summary"]["owed_to_customer"] = None
        body["mca"] = screen.mca.as_dict()
        body["mca_status"] = screen.mca_status.as_dict()
        body["finalise"] = screen.finalise.as_dict()
        body["holistic_advice"] = (screen.holistic or selectors.holistic_advice_prompt(contact)).as_dict()  # CMA-1.7
    else:
        body["summary"] = None
        body["mca"] = None
        body["finalise"] = None
        body["case_details_hidden"] = (
            "Confirm proof of identity before case details are shown (CMA-1.1)."
            if not contact.poi_confirmed else screen.access.reason
        )
    return body


def restriction_out(status: dict[str, Any]) -> dict[str, Any]:
    """PS-ORM-3: restricted service in force, shown before identity is confirmed, with this contact's check."""
    return {
        "in_force": bool(status.get("restrictions")),
        "items": [
            {"id": r.pk, "conditions": r.conditions, "channels": r.channels, "days": r.days,
             "time_from": r.time_from, "time_to": r.time_to, "review_date": r.review_date,
             "check": decision.as_dict()}
            for r, decision in status.get("checks", [])
        ],
        "outside": [d.reason for d in status.get("outside", [])],
    }


def issue_out(ci: ContactIssue) -> dict[str, Any]:
    pi = ci.presenting_issue
    return {
        "id": ci.pk,
        "presenting_issue": pi.pk,
        "issue_type": pi.issue_type.code,
        "name": pi.issue_type.name,
        "kind": pi.issue_type.kind,
        "status": pi.status,
        "handling": ci.handling,
        "handling_reason": ci.handling_reason,
        "handled_by": ci.handled_by,
        "step_ids": ci.step_ids,
        # Issue 11: where a specialised issue went when the contact ended (CMA-1.2 / CMA-1.4).
        "referred_to": (
            {"area": ci.referred_area.code, "area_name": ci.referred_area.name, "intray": ci.referred_intray_id,
             "referred_at": ci.referred_at}
            if ci.referred_area_id else None
        ),
    }


def referral_out(r: ExternalReferral) -> dict[str, Any]:
    return {"id": r.pk, "organisation": r.organisation, "reason": r.reason, "given": r.is_given, "given_at": r.given_at}


# --- input helpers -----------------------------------------------------------------------------------------------


def _customer(user, csid: str) -> Customer:
    from casework.customers.selectors import customer_get

    return customer_get(user=user, csid=csid)


def _contact(request, pk: int) -> Contact:
    return selectors.contact_get(user=request.user, contact_id=pk)


def _respond(request, contact: Contact, code: int = status.HTTP_200_OK, **extra) -> Response:
    contact = selectors.contact_get(user=request.user, contact_id=contact.pk)
    return Response({**contact_out(contact, user=request.user), **extra}, status=code)


def _valid(serializer_class, data) -> dict[str, Any]:
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


class ContactStartIn(serializers.Serializer):
    csid = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    speaker = serializers.ChoiceField(choices=Speaker.choices, default=Speaker.CUSTOMER)
    representative_id = serializers.IntegerField(max_value=DB_INT_MAX, required=False, allow_null=True)
    case_number = serializers.CharField(required=False, allow_blank=True, default="")
    case = serializers.CharField(required=False, allow_blank=True, default="", help_text="Alias of case_number.")
    representative = serializers.IntegerField(max_value=DB_INT_MAX, required=False, allow_null=True, help_text="Alias of representative_id.")
    transferred_from = serializers.IntegerField(max_value=DB_INT_MAX, required=False, allow_null=True)


class ContactPoiIn(serializers.Serializer):
    method = serializers.CharField()


class ContactPoiFailedIn(serializers.Serializer):
    checks = serializers.ListField(child=serializers.ChoiceField(choices=list(policy.POI_CHECKS.items())),
                                   required=False, default=list, help_text="The identity checks that failed.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ContactAbandonIn(serializers.Serializer):
    reason = serializers.ChoiceField(choices=list(policy.ABANDON_REASONS.items()))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ContactCorrectIn(serializers.Serializer):
    """Issue 14 (CMA-1.1): what was typed on the contact, corrected with a reason; absent fields are kept. Outcomes
    other rules hang on (MCA documented, finalisation) are not fields here: the service refuses them."""

    reason = serializers.CharField(max_length=4000)
    version = version_in("contact")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    poi_method = serializers.CharField(required=False, max_length=200)
    poi_failed_note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    abandon_note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    transfer_note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    collection_information = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    error_description = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    not_resolved_reason = serializers.CharField(required=False, allow_blank=True, max_length=4000)


def _correct(request, contact: Contact, data: dict[str, Any]) -> None:
    values = {k: v for k, v in data.items() if k not in ("reason", "version")}
    services.contact_correct(actor=request.user, contact=contact, reason=data["reason"],
                             version=expected_version(request, data.get("version"), what="contact"), **values)


class ContactTransferIn(serializers.Serializer):
    to_area = serializers.SlugRelatedField(slug_field="code", queryset=BusinessArea.objects.filter(is_active=True))
    kind = serializers.ChoiceField(choices=TransferKind.choices)
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=list(policy.WARM_TRANSFER_REASONS)), required=False, default=list)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ContactIssueIn(serializers.Serializer):
    issue_type = serializers.CharField()
    description = serializers.CharField(required=False, allow_blank=True, default="")


class ContactIssueCloseIn(serializers.Serializer):
    outcome = serializers.CharField()
    status = serializers.ChoiceField(choices=[IssueStatus.FINALISED, IssueStatus.REFERRED, IssueStatus.WITHDRAWN], default=IssueStatus.FINALISED)


class ContactReferralIn(serializers.Serializer):
    organisation = serializers.CharField()
    reason = serializers.CharField()
    given = serializers.BooleanField(default=True)


class ContactErrorIn(serializers.Serializer):
    description = serializers.CharField()
    apology_given = serializers.BooleanField()
    complaint_offered = serializers.BooleanField()
    complaint_wanted = serializers.BooleanField(default=False)
    resolved_in_real_time = serializers.BooleanField()


class ContactTickIn(serializers.Serializer):
    codes = serializers.ListField(child=serializers.CharField(), allow_empty=True)


class ContactArrangementIn(serializers.Serializer):
    debt_id = serializers.IntegerField(max_value=DB_INT_MAX)
    instalment = serializers.DecimalField(max_digits=10, decimal_places=2)
    frequency = serializers.ChoiceField(choices=PaymentFrequency.choices)
    start_date = serializers.DateField()


class ContactIncomeIn(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    source = serializers.CharField()
    tax_year = serializers.IntegerField(max_value=DB_INT_MAX)
    effective_from = serializers.DateField()


class ContactCollectionIn(serializers.Serializer):
    information = serializers.CharField(allow_blank=True)
    likely_collection_outcome = serializers.BooleanField()
    level1_searches_done = serializers.BooleanField(default=False)


class ContactCsidIn(serializers.Serializer):
    csid = serializers.CharField(required=False, help_text="The impacted customer's CSID.")
    customer = serializers.CharField(required=False, help_text="Alias of csid.")
    explained = serializers.BooleanField(default=True)

    def validate(self, attrs):
        attrs["csid"] = attrs.get("csid") or attrs.get("customer") or ""
        if not attrs["csid"]:
            raise serializers.ValidationError({"csid": ["Give the impacted customer's CSID."]})
        return attrs


class ContactDisagreementIn(serializers.Serializer):
    options = serializers.ListField(child=serializers.ChoiceField(choices=list(policy.DISAGREEMENT_OPTIONS)))


class ContactReasonIn(serializers.Serializer):
    reason = serializers.CharField()


class ContactUnlockIn(serializers.Serializer):
    reason = serializers.CharField()
    decision_explained = serializers.BooleanField(required=False, allow_null=True, default=None)
    decision_summary = serializers.CharField(required=False, allow_blank=True, default="")
    decision_reasons = serializers.CharField(required=False, allow_blank=True, default="")


CONTACT_OUT = OpenApiTypes.OBJECT


# --- views ----------------------------------------------------------------------------------------------------


class ContactListView(APIView):
    @extend_schema(operation_id="contacts_list", parameters=[OpenApiParameter("csid", str, required=True)], responses=CONTACT_OUT)
    def get(self, request):
        customer = _customer(request.user, request.query_params.get("csid", ""))
        rows = selectors.contacts_for_customer(user=request.user, customer=customer)
        data = [
            {"id": c.pk, "status": c.status, "channel": c.channel, "started_at": c.started_at,
             "officer": c.officer.user.username, "area": c.area.code}
            for c in rows
        ]
        customer_data_read(actor=request.user, customer=customer, what="contacts", detail={"count": len(data)})
        return Response(data)

    @extend_schema(
        request=ContactStartIn, responses={201: CONTACT_OUT, 200: CONTACT_OUT},
        description="Start a contact (CMA-1.1): 201 with the new contact. Idempotent (issue 14): when you already "
                    "have a contact in progress with this customer, 200 with that contact (`resumed`: true) and "
                    "nothing is created. `others_in_progress` lists other officers' contacts in progress with the "
                    "customer (separate calls: they do not block).",
    )
    def post(self, request):
        data = _valid(ContactStartIn, request.data)
        data["case_number"] = data.get("case_number") or data.get("case") or ""
        data["representative_id"] = data.get("representative_id") or data.get("representative")
        customer = _customer(request.user, data["csid"])
        representative = None
        if data.get("representative_id"):
            representative = AuthorisedRepresentative.objects.filter(pk=data["representative_id"]).first()
            if representative is None:
                raise InvalidInput("No such representative.", fields={"representative_id": ["Unknown representative."]})
        case = None
        if data.get("case_number"):
            case = Case.objects.filter(case_number=data["case_number"]).first()
            if case is None:
                raise InvalidInput("No such case.", fields={"case_number": ["Unknown case number."]})
        transferred_from = None
        if data.get("transferred_from"):
            transferred_from = Contact.objects.filter(pk=data["transferred_from"]).first()
            if transferred_from is None:
                raise InvalidInput("No such contact.", fields={"transferred_from": ["Unknown contact."]})
        contact = services.contact_start(
            actor=request.user, customer=customer, channel=data["channel"], speaker=data["speaker"],
            representative=representative, case=case, transferred_from=transferred_from,
        )
        others = [{"id": c.pk, "officer": c.officer.user.username, "started_at": c.started_at}
                  for c in selectors.others_in_progress(contact)]
        return _respond(request, contact, status.HTTP_200_OK if contact.resumed else status.HTTP_201_CREATED,
                        resumed=contact.resumed, others_in_progress=others)


class ContactDetailView(APIView):
    @extend_schema(responses=CONTACT_OUT)
    def get(self, request, pk: int):
        contact = _contact(request, pk)
        customer_data_read(actor=request.user, customer=contact.customer_id, what="contact",
                           detail={"contact": contact.pk})
        return _respond(request, contact)


def _action(serializer_class, run):
    """Build a POST view: validate the body, run the service, answer with the contact."""

    class ActionView(APIView):
        @extend_schema(request=serializer_class, responses=CONTACT_OUT)
        def post(self, request, pk: int):
            contact = _contact(request, pk)
            data = _valid(serializer_class, request.data) if serializer_class is not None else {}
            extra = run(request, contact, data) or {}
            return _respond(request, contact, **(extra if isinstance(extra, dict) else {}))

    return ActionView


def _issue_link(contact: Contact, link_id: int) -> ContactIssue:
    link = contact.issues.filter(pk=link_id).select_related("presenting_issue", "contact").first()
    if link is None:
        raise NotFound("No such issue on this contact.")
    return link


def _debt(contact: Contact, debt_id: int) -> Debt:
    debt = Debt.objects.filter(pk=debt_id).first()
    if debt is None:
        raise InvalidInput("No such debt.", fields={"debt_id": ["Unknown debt."]})
    return debt


PoiView = _action(ContactPoiIn, lambda r, c, d: services.contact_poi_confirm(actor=r.user, contact=c, method=d["method"]) and None)
PoiFailedView = _action(
    ContactPoiFailedIn,
    lambda r, c, d: services.contact_poi_fail(actor=r.user, contact=c, checks=d["checks"], note=d["note"]) and None,
)
AbandonView = _action(
    ContactAbandonIn,
    lambda r, c, d: services.contact_abandon(actor=r.user, contact=c, reason=d["reason"], note=d["note"]) and None,
)
CorrectView = _action(ContactCorrectIn, _correct)
TransferView = _action(
    ContactTransferIn,
    lambda r, c, d: services.contact_transfer(
        actor=r.user, contact=c, to_area=d["to_area"], kind=d["kind"], reasons=d["reasons"], note=d["note"]
    ) and None,
)
IssueAddView = _action(
    ContactIssueIn,
    lambda r, c, d: {"issue": issue_out(services.contact_issue_add(actor=r.user, contact=c, issue_type=d["issue_type"], description=d["description"]))},
)
ReferralAddView = _action(
    ContactReferralIn,
    lambda r, c, d: {"referral": referral_out(services.contact_external_referral_add(actor=r.user, contact=c, organisation=d["organisation"], reason=d["reason"], given=d["given"]))},
)
ErrorView = _action(ContactErrorIn, lambda r, c, d: services.contact_error_record(actor=r.user, contact=c, **d) and None)
TickView = _action(ContactTickIn, lambda r, c, d: services.contact_mca_tick(actor=r.user, contact=c, codes=d["codes"]) and None)
McaCompleteView = _action(None, lambda r, c, d: services.contact_mca_complete(actor=r.user, contact=c) and None)
ArrangementView = _action(
    ContactArrangementIn,
    lambda r, c, d: services.contact_payment_arrangement_record(
        actor=r.user, contact=c, debt=_debt(c, d["debt_id"]), instalment=d["instalment"], frequency=d["frequency"],
        start_date=d["start_date"],
    ) and None,
)
IncomeView = _action(ContactIncomeIn, lambda r, c, d: services.contact_income_update(actor=r.user, contact=c, **d) and None)
CollectionView = _action(ContactCollectionIn, lambda r, c, d: services.contact_collection_info_record(actor=r.user, contact=c, **d) and None)
ImpactedView = _action(
    ContactCsidIn, lambda r, c, d: services.contact_impacted_add(actor=r.user, contact=c, customer=_customer(r.user, d["csid"])) and None
)
ExplainedView = _action(
    ContactCsidIn,
    lambda r, c, d: services.contact_decision_explained(
        actor=r.user, contact=c, customer=_customer(r.user, d["csid"]), explained=d["explained"]
    ) and None,
)
DisagreementView = _action(ContactDisagreementIn, lambda r, c, d: services.contact_disagreement_record(actor=r.user, contact=c, options=d["options"]) and None)
FinaliseView = _action(None, lambda r, c, d: services.contact_finalise(actor=r.user, contact=c) and None)
HolisticAdviceView = _action(None, lambda r, c, d: services.contact_holistic_advice_record(actor=r.user, contact=c) and None)
NotResolvedView = _action(ContactReasonIn, lambda r, c, d: services.contact_not_resolved(actor=r.user, contact=c, reason=d["reason"]) and None)
UnlockView = _action(ContactUnlockIn, lambda r, c, d: {"unlock": services.contact_unlock(actor=r.user, contact=c, **d)})


class IssueCloseView(APIView):
    @extend_schema(request=ContactIssueCloseIn, responses=CONTACT_OUT)
    def post(self, request, pk: int, link_id: int):
        contact = _contact(request, pk)
        data = _valid(ContactIssueCloseIn, request.data)
        services.contact_issue_close(actor=request.user, contact_issue=_issue_link(contact, link_id), outcome=data["outcome"], status=data["status"])
        return _respond(request, contact)


class ReferralGiveView(APIView):
    @extend_schema(request=None, responses=CONTACT_OUT)
    def post(self, request, pk: int, referral_id: int):
        contact = _contact(request, pk)
        referral = contact.external_referrals.filter(pk=referral_id).first()
        if referral is None:
            raise NotFound("No such referral on this contact.")
        services.contact_external_referral_give(actor=request.user, referral=referral)
        return _respond(request, contact)


class FinaliseCheckView(APIView):
    @extend_schema(responses=CONTACT_OUT)
    def get(self, request, pk: int):
        contact = _contact(request, pk)
        data = selectors.finalise_check(contact).as_dict()
        customer_data_read(actor=request.user, customer=contact.customer_id, what="contact_finalise_check",
                           detail={"contact": contact.pk})
        return Response(data)


class McaView(APIView):
    @extend_schema(responses=CONTACT_OUT)
    def get(self, request, pk: int):
        contact = _contact(request, pk)
        if not contact.poi_confirmed:
            from casework.core.errors import TransitionRefused

            raise TransitionRefused("Confirm proof of identity before case details are shown.", step_ids=("CMA-1.1",))
        assessment = selectors.mca_assessment(contact)
        customer_data_read(actor=request.user, customer=contact.customer_id, what="mca", detail={"contact": contact.pk})
        return Response({"assessment": assessment.as_dict(), "status": selectors.mca_status(contact, assessment).as_dict(), "ticked": contact.mca_ticked})
