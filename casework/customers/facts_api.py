"""Case financial and care facts, representatives and restricted service over HTTP (/api/v1/), see docs/facts.md.

Thin: a DRF serializer parses the input, a service does the write (sense checks, audit, corrections that supersede),
a serializer renders the row. Corrections never delete: the old row stays readable with ``superseded_by`` and the
``correction_reason``.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.core.api import IF_MATCH_PARAM, expected_version, version_in, with_etag
from casework.core.errors import InvalidInput, NotFound, NotPermitted

from . import selectors, services
from .api import ERRORS, CustomersErrorSerializer, _valid
from .models import (
    ArrangementStatusChange,
    AuthorisedRepresentative,
    CareArrangement,
    Case,
    CaseRoleHistory,
    ContactRestriction,
    Customer,
    Debt,
    DebtKind,
    DepartureProhibitionOrder,
    DpoStatus,
    IncomeRecord,
    IncomeSource,
    PaymentArrangement,
    PaymentFrequency,
    PaymentReceived,
    RegistrationStatus,
    RepresentativeMatter,
    RepresentativeScope,
)
from .policy import RESTRICTION_CHANNELS

MAX_ID = 2**31 - 1
WRITE_ERRORS = {**ERRORS, 409: CustomersErrorSerializer}
CSID = OpenApiParameter("csid", OpenApiTypes.STR, OpenApiParameter.PATH, description="The customer's CSID.")
CASE = OpenApiParameter("case_number", OpenApiTypes.STR, OpenApiParameter.PATH)


def _id(name: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH)


# --- read serializers --------------------------------------------------------------------------------------------


class StatusChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.CharField(source="changed_by.username", allow_null=True, read_only=True)

    class Meta:
        model = ArrangementStatusChange
        fields = ["from_status", "to_status", "reason", "changed_at", "changed_by"]
        read_only_fields = fields


class ArrangementSerializer(serializers.ModelSerializer):
    history = StatusChangeSerializer(source="status_history", many=True, read_only=True)

    class Meta:
        model = PaymentArrangement
        fields = ["id", "debt", "status", "instalment", "frequency", "start_date", "replaces", "created_at", "history",
                  "version"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.case_number", read_only=True)
    payer_csid = serializers.CharField(source="payer.csid", read_only=True)

    class Meta:
        model = PaymentReceived
        fields = ["id", "case_number", "payer_csid", "debt", "amount", "received_on", "method", "recorded_at",
                  "superseded_by", "superseded_at", "correction_reason", "version"]
        read_only_fields = fields


class DebtSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.case_number", read_only=True)
    debtor_csid = serializers.CharField(source="debtor.csid", read_only=True)
    creditor_csid = serializers.CharField(source="creditor.csid", read_only=True, help_text="Who is owed.")
    arrangements = ArrangementSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)

    class Meta:
        model = Debt
        fields = ["id", "case_number", "kind", "debtor_csid", "creditor_csid", "amount", "as_at", "source", "is_open",
                  "recorded_at", "superseded_by", "superseded_at", "correction_reason", "arrangements", "payments",
                  "version"]
        read_only_fields = fields


class CareRowSerializer(serializers.ModelSerializer):
    child_name = serializers.CharField(source="child.__str__", read_only=True)
    carer_csid = serializers.CharField(source="carer.csid", read_only=True)

    class Meta:
        model = CareArrangement
        fields = ["id", "child", "child_name", "carer_csid", "care_percentage", "effective_from", "effective_to",
                  "recorded_at", "superseded_by", "superseded_at", "correction_reason", "version"]
        read_only_fields = fields


class RolePeriodSerializer(serializers.ModelSerializer):
    payer_csid = serializers.CharField(source="payer.csid", read_only=True)
    payee_csid = serializers.CharField(source="payee.csid", read_only=True)

    class Meta:
        model = CaseRoleHistory
        fields = ["id", "payer_csid", "payee_csid", "from_date", "to_date", "recorded_at", "superseded_by",
                  "superseded_at", "correction_reason", "version"]
        read_only_fields = fields


class IncomeRowSerializer(serializers.ModelSerializer):
    is_reliable = serializers.BooleanField(read_only=True)

    class Meta:
        model = IncomeRecord
        fields = ["id", "amount", "source", "tax_year", "effective_from", "is_reliable", "recorded_at",
                  "superseded_by", "superseded_at", "correction_reason", "version"]
        read_only_fields = fields


class DpoRowSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.case_number", read_only=True, allow_null=True)

    class Meta:
        model = DepartureProhibitionOrder
        fields = ["id", "case_number", "status", "issued_on", "revoked_on", "reason", "recorded_at", "superseded_by",
                  "superseded_at", "correction_reason", "version"]
        read_only_fields = fields


class RepresentativeRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuthorisedRepresentative
        fields = ["id", "name", "relationship", "organisation", "phone", "scope", "scope_detail", "matters",
                  "valid_from", "valid_to", "is_active", "version"]
        read_only_fields = fields


class RestrictionRowSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.username", allow_null=True, read_only=True)
    approved_by = serializers.CharField(source="approved_by.username", allow_null=True, read_only=True)

    class Meta:
        model = ContactRestriction
        fields = ["id", "status", "is_active", "conditions", "channels", "days", "time_from", "time_to",
                  "imposed_on", "review_date", "case_review", "recommendation", "letter_reference", "requested_by",
                  "approved_by", "approved_at", "decision_reason", "ended_on", "end_requested_by",
                  "end_approved_by", "end_reason", "version"]
        read_only_fields = fields

    end_requested_by = serializers.CharField(source="end_requested_by.username", allow_null=True, read_only=True)
    end_approved_by = serializers.CharField(source="end_approved_by.username", allow_null=True, read_only=True,
                                            help_text="The National Manager QCC who approved the end (PS-ORM-3).")


class RestrictionEndRequestSerializer(serializers.Serializer):
    """The request for approval an end of a restricted service raised (kind ``restricted_service_end``): decided on
    /api/v1/approvals/{id}/decide/ by the National Manager QCC, withdrawn by the requester on .../withdraw/."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    summary = serializers.CharField(read_only=True)
    reason = serializers.CharField(read_only=True)
    requested_at = serializers.DateTimeField(read_only=True)
    due_date = serializers.DateField(read_only=True, allow_null=True)
    version = serializers.IntegerField(read_only=True)


# --- write serializers -------------------------------------------------------------------------------------------


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why (recorded in the audit trail).")


class VersionedReasonSerializer(ReasonSerializer):
    """A change of an existing record: the reason, and the record's version it was made from (issue 13)."""

    version = version_in()


class DebtCreateSerializer(serializers.Serializer):
    case_number = serializers.CharField(max_length=12)
    kind = serializers.ChoiceField(choices=DebtKind.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    as_at = serializers.DateField()
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class DebtCorrectSerializer(VersionedReasonSerializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    as_at = serializers.DateField(required=False)
    source = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ArrangementCreateSerializer(serializers.Serializer):
    instalment = serializers.DecimalField(max_digits=14, decimal_places=2)
    frequency = serializers.ChoiceField(choices=PaymentFrequency.choices)
    start_date = serializers.DateField()


class ArrangementAmendSerializer(VersionedReasonSerializer):
    instalment = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    frequency = serializers.ChoiceField(choices=PaymentFrequency.choices, required=False)
    start_date = serializers.DateField(required=False)


class PaymentCreateSerializer(serializers.Serializer):
    payer_csid = serializers.CharField(max_length=20, help_text="Who paid (payer or payee on the case).")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    received_on = serializers.DateField()
    debt_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    method = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class PaymentCorrectSerializer(VersionedReasonSerializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    received_on = serializers.DateField(required=False)


class CareCreateSerializer(serializers.Serializer):
    child_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    carer_csid = serializers.CharField(max_length=20)
    care_percentage = serializers.IntegerField(min_value=0, max_value=100)
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(required=False, allow_null=True)


class CareCorrectSerializer(VersionedReasonSerializer):
    care_percentage = serializers.IntegerField(min_value=0, max_value=100, required=False)
    effective_from = serializers.DateField(required=False)
    effective_to = serializers.DateField(required=False, allow_null=True)


class IncomeCorrectSerializer(VersionedReasonSerializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    source = serializers.ChoiceField(choices=IncomeSource.choices, required=False)
    tax_year = serializers.IntegerField(min_value=1990, max_value=2100, required=False)
    effective_from = serializers.DateField(required=False)


class RoleReversalSerializer(VersionedReasonSerializer):
    effective_from = serializers.DateField()


class RoleCorrectSerializer(VersionedReasonSerializer):
    """Correct the latest role reversal (CMA-2.4, issue 12): its real date, or ``undo`` when it was keyed in error.
    ``version`` is the case's version."""

    effective_from = serializers.DateField(required=False, allow_null=True, default=None,
                                           help_text="The date the reversal really took effect.")
    undo = serializers.BooleanField(required=False, default=False,
                                    help_text="The reversal was keyed in error: the parties swap back.")


class RegistrationSerializer(VersionedReasonSerializer):
    registration_status = serializers.ChoiceField(choices=RegistrationStatus.choices)


class IncomeCreateSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    source = serializers.ChoiceField(choices=IncomeSource.choices)
    tax_year = serializers.IntegerField(min_value=1990, max_value=2100)
    effective_from = serializers.DateField()
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DpoCreateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DpoStatus.choices)
    case_number = serializers.CharField(max_length=12, required=False, allow_blank=True)
    issued_on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    corrects = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID,
        help_text="The id of this customer's DPO record this one corrects (keyed wrongly): the new record supersedes "
                  "it, the old one stays with the reason (required then). case_number and issued_on not given keep "
                  "their value.",
    )
    version = version_in()


class RepresentativeCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    scope = serializers.ChoiceField(choices=RepresentativeScope.choices)
    matters = serializers.ListField(child=serializers.ChoiceField(choices=RepresentativeMatter.choices),
                                    required=False, default=list,
                                    help_text="Required for 'specified': the matters the authority covers.")
    scope_detail = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    relationship = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    organisation = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_to = serializers.DateField(required=False, allow_null=True)


class RestrictionCreateSerializer(serializers.Serializer):
    conditions = serializers.CharField(max_length=4000)
    case_review = serializers.CharField(max_length=8000, help_text="PS-DOC-2: the case review.")
    recommendation = serializers.CharField(max_length=4000, help_text="PS-DOC-2: the recommendation.")
    review_date = serializers.DateField(help_text="3 to 6 months after it starts (PS-ORM-3).")
    imposed_on = serializers.DateField(required=False, allow_null=True)
    channels = serializers.ListField(child=serializers.ChoiceField(choices=[(c, c) for c in RESTRICTION_CHANNELS]),
                                     required=False, default=list, help_text="Allowed channels; empty = any.")
    days = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6), required=False,
                                 default=list, help_text="Allowed weekdays, 0 = Monday; empty = any.")
    time_from = serializers.TimeField(required=False, allow_null=True)
    time_to = serializers.TimeField(required=False, allow_null=True)


# --- lookups -----------------------------------------------------------------------------------------------------


def _customer(request, csid: str) -> Customer:
    return selectors.customer_get(user=request.user, csid=csid)


def _case(request, case_number: str) -> Case:
    return selectors.case_get(user=request.user, case_number=case_number)


def _party(request, case: Case, csid: str, field: str) -> Customer:
    try:
        person = selectors.customer_get(user=request.user, csid=csid)
    except (InvalidInput, NotFound) as exc:
        raise InvalidInput("Check the highlighted fields.", fields={field: [exc.message]}) from exc
    if person.pk not in (case.payer_id, case.payee_id):
        raise InvalidInput("Check the highlighted fields.", fields={field: ["Not a party to this case."]})
    return person


def _row(request, model, pk: int, label: str):
    if not request.user.has_perm("customers.view_case"):
        raise NotPermitted("Your role does not allow you to view cases.")
    row = model.objects.filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if row is None:
        raise NotFound(f"No such {label}.")
    return row


def _versioned(request, data, what: str) -> dict:
    """The write's data with ``version`` set from the body or the If-Match header (issue 13, core.api)."""
    data = dict(data)
    data["version"] = expected_version(request, data.get("version"), what=what)
    return data


def _debt_out(debt: Debt) -> dict:
    row = (Debt.objects.select_related("case", "case__payer", "case__payee", "debtor")
           .prefetch_related("arrangements__status_history", "payments").get(pk=debt.pk))
    return DebtSerializer(row).data


# --- views -------------------------------------------------------------------------------------------------------


class DebtsView(APIView):
    @extend_schema(operation_id="customers_debts_list", parameters=[CSID], responses={200: DebtSerializer(many=True), **ERRORS},
                   description="Debts and overpayments the customer owes or is owed on their cases, corrected ones "
                               "included (superseded_by), with arrangements, status history and payments (CMA-2.3).")
    def get(self, request, csid: str):
        customer = _customer(request, csid)
        rows = selectors.debts_for_customer(user=request.user, customer=customer)
        services.customer_data_read(actor=request.user, customer=customer, what="debts")
        return Response(DebtSerializer(rows, many=True).data)

    @extend_schema(operation_id="customers_debts_add", parameters=[CSID], request=DebtCreateSerializer,
                   responses={201: DebtSerializer, **WRITE_ERRORS},
                   description="Record a debt owed by this customer: child support arrears (payer, owed to the "
                               "payee) or an overpayment (CMA-2.3). Sense-checked, see docs/facts.md.")
    def post(self, request, csid: str):
        customer = _customer(request, csid)
        data = _valid(DebtCreateSerializer, request.data)
        case = selectors.case_get(user=request.user, case_number=data["case_number"])
        debt = services.debt_record(actor=request.user, case=case, debtor=customer, kind=data["kind"],
                                    amount=data["amount"], as_at=data["as_at"], source=data["source"])
        return Response(_debt_out(debt), status=status.HTTP_201_CREATED)


class DebtCorrectView(APIView):
    @extend_schema(operation_id="debts_correct", parameters=[_id("debt_id"), IF_MATCH_PARAM], request=DebtCorrectSerializer,
                   responses={201: DebtSerializer, **WRITE_ERRORS},
                   description="Correct a debt: a new debt supersedes it; the old one stays with the reason.")
    def post(self, request, debt_id: int):
        debt = _row(request, Debt, debt_id, "debt")
        data = _versioned(request, _valid(DebtCorrectSerializer, request.data), "debt")
        new = services.debt_correct(actor=request.user, debt=debt, **data)
        return Response(_debt_out(new), status=status.HTTP_201_CREATED)


class ArrangementCreateView(APIView):
    @extend_schema(operation_id="debts_arrangement_add", parameters=[_id("debt_id")], request=ArrangementCreateSerializer,
                   responses={201: ArrangementSerializer, **WRITE_ERRORS},
                   description="Negotiate a payment arrangement for the debt (CMA-2.6). Refused per field when the "
                               "instalment exceeds the debt, the term exceeds the maximum, or the start date is "
                               "before the debt or more than a year ahead.")
    def post(self, request, debt_id: int):
        debt = _row(request, Debt, debt_id, "debt")
        data = _valid(ArrangementCreateSerializer, request.data)
        row = services.payment_arrangement_create(actor=request.user, debt=debt, **data)
        return Response(ArrangementSerializer(row).data, status=status.HTTP_201_CREATED)


class ArrangementAmendView(APIView):
    @extend_schema(operation_id="arrangements_amend", parameters=[_id("arrangement_id"), IF_MATCH_PARAM],
                   request=ArrangementAmendSerializer, responses={201: ArrangementSerializer, **WRITE_ERRORS},
                   description="Amend (or correct) an active arrangement: the old one becomes 'amended'.")
    def post(self, request, arrangement_id: int):
        row = _row(request, PaymentArrangement, arrangement_id, "arrangement")
        data = _versioned(request, _valid(ArrangementAmendSerializer, request.data), "payment arrangement")
        new = services.payment_arrangement_amend(actor=request.user, arrangement=row, **data)
        return Response(ArrangementSerializer(new).data, status=status.HTTP_201_CREATED)


class ArrangementTransitionView(APIView):
    transition = ""

    @extend_schema(parameters=[_id("arrangement_id"), IF_MATCH_PARAM], request=VersionedReasonSerializer,
                   responses={200: ArrangementSerializer, **WRITE_ERRORS})
    def post(self, request, arrangement_id: int):
        row = _row(request, PaymentArrangement, arrangement_id, "arrangement")
        data = _versioned(request, _valid(VersionedReasonSerializer, request.data), "payment arrangement")
        service = {"default": services.payment_arrangement_default, "end": services.payment_arrangement_end}
        row = service[self.transition](actor=request.user, arrangement=row, reason=data["reason"],
                                       version=data["version"])
        return Response(ArrangementSerializer(PaymentArrangement.objects.get(pk=row.pk)).data)


class ArrangementDefaultView(ArrangementTransitionView):
    transition = "default"


class ArrangementEndView(ArrangementTransitionView):
    transition = "end"


class PaymentsView(APIView):
    @extend_schema(operation_id="cases_payments_list", parameters=[CASE], responses={200: PaymentSerializer(many=True), **ERRORS})
    def get(self, request, case_number: str):
        case = _case(request, case_number)
        rows = selectors.payments_for_case(user=request.user, case=case)
        services.case_data_read(actor=request.user, case=case, what="payments")
        return Response(PaymentSerializer(rows, many=True).data)

    @extend_schema(operation_id="cases_payments_add", parameters=[CASE], request=PaymentCreateSerializer,
                   responses={201: PaymentSerializer, **WRITE_ERRORS},
                   description="Record a payment received (against a debt: not more than what is outstanding).")
    def post(self, request, case_number: str):
        case = _case(request, case_number)
        data = _valid(PaymentCreateSerializer, request.data)
        payer = _party(request, case, data["payer_csid"], "payer_csid")
        debt = None
        if data.get("debt_id"):
            debt = Debt.objects.filter(pk=data["debt_id"], case=case).first()
            if debt is None:
                raise InvalidInput("Check the highlighted fields.", fields={"debt_id": ["No such debt on this case."]})
        row = services.payment_received_record(actor=request.user, case=case, payer=payer, debt=debt,
                                               amount=data["amount"], received_on=data["received_on"],
                                               method=data["method"])
        return Response(PaymentSerializer(row).data, status=status.HTTP_201_CREATED)


class PaymentCorrectView(APIView):
    @extend_schema(operation_id="payments_correct", parameters=[_id("payment_id"), IF_MATCH_PARAM],
                   request=PaymentCorrectSerializer,
                   responses={201: PaymentSerializer, **WRITE_ERRORS})
    def post(self, request, payment_id: int):
        row = _row(request, PaymentReceived, payment_id, "payment")
        data = _versioned(request, _valid(PaymentCorrectSerializer, request.data), "payment")
        return Response(PaymentSerializer(services.payment_received_correct(actor=request.user, payment=row, **data)).data,
                        status=status.HTTP_201_CREATED)


class CareView(APIView):
    @extend_schema(operation_id="cases_care_list", parameters=[CASE], responses={200: CareRowSerializer(many=True), **ERRORS},
                   description="Care per child, corrected rows included (superseded_by).")
    def get(self, request, case_number: str):
        case = _case(request, case_number)
        rows = selectors.care_for_case(user=request.user, case=case)
        services.case_data_read(actor=request.user, case=case, what="care")
        return Response(CareRowSerializer(rows, many=True).data)

    @extend_schema(operation_id="cases_care_add", parameters=[CASE], request=CareCreateSerializer,
                   responses={201: CareRowSerializer, **WRITE_ERRORS},
                   description="Record a parent's care of a child (CMA-2.1): the parents' care cannot exceed 100%.")
    def post(self, request, case_number: str):
        case = _case(request, case_number)
        data = _valid(CareCreateSerializer, request.data)
        child = case.children.filter(pk=data["child_id"]).first()
        if child is None:
            raise InvalidInput("Check the highlighted fields.", fields={"child_id": ["No such child on this case."]})
        carer = _party(request, case, data["carer_csid"], "carer_csid")
        row = services.care_arrangement_record(actor=request.user, case=case, child=child, carer=carer,
                                               care_percentage=data["care_percentage"],
                                               effective_from=data["effective_from"],
                                               effective_to=data.get("effective_to"))
        return Response(CareRowSerializer(row).data, status=status.HTTP_201_CREATED)


class CareCorrectView(APIView):
    @extend_schema(operation_id="care_correct", parameters=[_id("care_id"), IF_MATCH_PARAM], request=CareCorrectSerializer,
                   responses={201: CareRowSerializer, **WRITE_ERRORS})
    def post(self, request, care_id: int):
        row = _row(request, CareArrangement, care_id, "care record")
        data = _versioned(request, _valid(CareCorrectSerializer, request.data), "care record")
        return Response(CareRowSerializer(services.care_arrangement_correct(actor=request.user, care=row, **data)).data,
                        status=status.HTTP_201_CREATED)


class RoleHistoryView(APIView):
    @extend_schema(operation_id="cases_roles_list", parameters=[CASE], responses={200: RolePeriodSerializer(many=True), **ERRORS},
                   description="Who was payer and payee when (CMA-2.4: past role reversals).")
    def get(self, request, case_number: str):
        case = _case(request, case_number)
        services.case_data_read(actor=request.user, case=case, what="case_roles")
        return Response(RolePeriodSerializer(selectors.role_history_for_case(case=case), many=True).data)

    @extend_schema(operation_id="cases_roles_reverse", parameters=[CASE, IF_MATCH_PARAM], request=RoleReversalSerializer,
                   responses={201: RolePeriodSerializer(many=True), **WRITE_ERRORS},
                   description="Reverse the roles from a date (CMA-2.4); the earlier period is kept.")
    def post(self, request, case_number: str):
        case = _case(request, case_number)
        data = _versioned(request, _valid(RoleReversalSerializer, request.data), "case")
        case = services.case_roles_reverse(actor=request.user, case=case, effective_from=data["effective_from"],
                                           reason=data["reason"], version=data["version"])
        return Response(RolePeriodSerializer(selectors.role_history_for_case(case=case), many=True).data,
                        status=status.HTTP_201_CREATED)


class RoleCorrectView(APIView):
    @extend_schema(operation_id="cases_roles_correct", parameters=[CASE, IF_MATCH_PARAM], request=RoleCorrectSerializer,
                   responses={201: RolePeriodSerializer(many=True), **WRITE_ERRORS},
                   description="Correct the latest role reversal with a reason (CMA-2.4, issue 12): its date, or undo "
                               "it (keyed in error: the parties swap back, the earlier period reopens). The replaced "
                               "periods stay in the list with superseded_by and the correction_reason.")
    def post(self, request, case_number: str):
        case = _case(request, case_number)
        data = _versioned(request, _valid(RoleCorrectSerializer, request.data), "case")
        case = services.case_roles_correct(actor=request.user, case=case, reason=data["reason"],
                                           effective_from=data["effective_from"], undo=data["undo"],
                                           version=data["version"])
        return Response(RolePeriodSerializer(selectors.role_history_for_case(case=case), many=True).data,
                        status=status.HTTP_201_CREATED)


class RegistrationView(APIView):
    @extend_schema(operation_id="cases_registration_set", parameters=[CASE, IF_MATCH_PARAM], request=RegistrationSerializer,
                   responses={200: RegistrationSerializer, **WRITE_ERRORS},
                   description="Registration pending / registered / ended.")
    def post(self, request, case_number: str):
        case = _case(request, case_number)
        data = _versioned(request, _valid(RegistrationSerializer, request.data), "case")
        case = services.case_registration_set(actor=request.user, case=case, **data)
        return with_etag(Response({"registration_status": case.registration_status, "reason": data["reason"],
                                   "version": case.version}), case)


class IncomeView(APIView):
    @extend_schema(operation_id="customers_income_list", parameters=[CSID], responses={200: IncomeRowSerializer(many=True), **ERRORS})
    def get(self, request, csid: str):
        customer = _customer(request, csid)
        services.customer_data_read(actor=request.user, customer=customer, what="income")
        return Response(IncomeRowSerializer(customer.incomes.all(), many=True).data)

    @extend_schema(operation_id="customers_income_add", parameters=[CSID], request=IncomeCreateSerializer,
                   responses={201: IncomeRowSerializer, **WRITE_ERRORS},
                   description="Record income (CMA-2.2: reliable only when ATO-issued). The latest current record "
                               "counts; the list shows corrected (superseded) records too.")
    def post(self, request, csid: str):
        customer = _customer(request, csid)
        data = _valid(IncomeCreateSerializer, request.data)
        row = services.income_record_add(actor=request.user, customer=customer, **data)
        return Response(IncomeRowSerializer(row).data, status=status.HTTP_201_CREATED)


class IncomeCorrectView(APIView):
    @extend_schema(operation_id="income_correct", parameters=[_id("income_id"), IF_MATCH_PARAM],
                   request=IncomeCorrectSerializer, responses={201: IncomeRowSerializer, **WRITE_ERRORS},
                   description="Correct a wrongly keyed income with a reason (issue 12): a new record supersedes it; "
                               "the old one stays listed and no longer counts (CMA-2.2, MCA). Fields not given kept.")
    def post(self, request, income_id: int):
        row = _row(request, IncomeRecord, income_id, "income record")
        data = _versioned(request, _valid(IncomeCorrectSerializer, request.data), "income record")
        return Response(IncomeRowSerializer(services.income_record_correct(actor=request.user, income=row, **data)).data,
                        status=status.HTTP_201_CREATED)


class DposView(APIView):
    @extend_schema(operation_id="customers_dpos_list", parameters=[CSID], responses={200: DpoRowSerializer(many=True), **ERRORS})
    def get(self, request, csid: str):
        customer = _customer(request, csid)
        services.customer_data_read(actor=request.user, customer=customer, what="dpos")
        return Response(DpoRowSerializer(customer.dpos.select_related("case").order_by("-id"), many=True).data)

    @extend_schema(operation_id="customers_dpos_add", parameters=[CSID], request=DpoCreateSerializer,
                   responses={201: DpoRowSerializer, **WRITE_ERRORS},
                   description="Record a DPO decision against the payer, or (``corrects``) correct a record keyed "
                               "wrongly: a new record supersedes it and the old one stays with the reason.")
    def post(self, request, csid: str):
        customer = _customer(request, csid)
        data = _versioned(request, _valid(DpoCreateSerializer, request.data), "DPO record")
        case = _case(request, data["case_number"]) if data.get("case_number") else None
        if data.get("corrects"):
            old = _row(request, DepartureProhibitionOrder, data["corrects"], "DPO")
            if old.customer_id != customer.pk:
                raise InvalidInput("Check the highlighted fields.", fields={"corrects": ["Not this customer's DPO."]})
            row = services.dpo_correct(actor=request.user, dpo=old, reason=data["reason"], status=data["status"],
                                       case=case, issued_on=data.get("issued_on"), version=data["version"])
        else:
            row = services.dpo_record(actor=request.user, customer=customer, status=data["status"], case=case,
                                      issued_on=data.get("issued_on"), reason=data["reason"])
        return Response(DpoRowSerializer(row).data, status=status.HTTP_201_CREATED)


class RepresentativesView(APIView):
    @extend_schema(operation_id="customers_representatives_list", parameters=[CSID],
                   responses={200: RepresentativeRowSerializer(many=True), **ERRORS})
    def get(self, request, csid: str):
        customer = _customer(request, csid)
        rows = selectors.representatives_for_customer(user=request.user, customer=customer)
        services.customer_data_read(actor=request.user, customer=customer, what="representatives")
        return Response(RepresentativeRowSerializer(rows, many=True).data)

    @extend_schema(operation_id="customers_representatives_add", parameters=[CSID],
                   request=RepresentativeCreateSerializer, responses={201: RepresentativeRowSerializer, **WRITE_ERRORS},
                   description="An authorised representative: full, specified matters (which) or enquiry only (CMA-1.1).")
    def post(self, request, csid: str):
        customer = _customer(request, csid)
        data = _valid(RepresentativeCreateSerializer, request.data)
        row = services.representative_add(actor=request.user, customer=customer, **data)
        return Response(RepresentativeRowSerializer(row).data, status=status.HTTP_201_CREATED)


class RepresentativeEndView(APIView):
    @extend_schema(operation_id="representatives_end", parameters=[_id("representative_id"), IF_MATCH_PARAM],
                   request=VersionedReasonSerializer, responses={200: RepresentativeRowSerializer, **WRITE_ERRORS})
    def post(self, request, representative_id: int):
        row = _row(request, AuthorisedRepresentative, representative_id, "representative")
        data = _versioned(request, _valid(VersionedReasonSerializer, request.data), "representative")
        row = services.representative_end(actor=request.user, representative=row, reason=data["reason"],
                                          version=data["version"])
        return Response(RepresentativeRowSerializer(row).data)


class RestrictionsView(APIView):
    @extend_schema(operation_id="customers_restrictions_list", parameters=[CSID],
                   responses={200: RestrictionRowSerializer(many=True), **ERRORS},
                   description="Restricted service: proposed, in force, not approved and ended (PS-ORM-3).")
    def get(self, request, csid: str):
        customer = _customer(request, csid)
        rows = selectors.restrictions_for_customer(user=request.user, customer=customer)
        services.customer_data_read(actor=request.user, customer=customer, what="restrictions")
        return Response(RestrictionRowSerializer(rows, many=True).data)

    @extend_schema(operation_id="customers_restrictions_propose", parameters=[CSID],
                   request=RestrictionCreateSerializer, responses={201: RestrictionRowSerializer, **WRITE_ERRORS},
                   description="Propose a restricted service with the case review and recommendation (PS-DOC-2). "
                               "It stays proposed: a request for approval (kind restricted_service) is raised in the "
                               "same transaction and the restriction is in force only once a PS Team Leader other "
                               "than the proposer approves it on /api/v1/approvals/{id}/decide/ (issue 11).")
    def post(self, request, csid: str):
        customer = _customer(request, csid)
        data = _valid(RestrictionCreateSerializer, request.data)
        row = services.contact_restriction_add(actor=request.user, customer=customer, **data)
        return Response(RestrictionRowSerializer(row).data, status=status.HTTP_201_CREATED)


class RestrictionEndView(APIView):
    @extend_schema(operation_id="restrictions_end", parameters=[_id("restriction_id"), IF_MATCH_PARAM],
                   request=VersionedReasonSerializer,
                   responses={202: RestrictionEndRequestSerializer, **WRITE_ERRORS},
                   description="Ask to end a restricted service in force (PS-ORM-3): a Team Leader or PS Team Leader "
                               "gives the reason; a request for approval (kind restricted_service_end) goes to the "
                               "National Manager Quality and Customer Complaints, and the restriction stays in force "
                               "until they approve it on /api/v1/approvals/{id}/decide/ (issue 12).")
    def post(self, request, restriction_id: int):
        row = _row(request, ContactRestriction, restriction_id, "restricted service")
        data = _versioned(request, _valid(VersionedReasonSerializer, request.data), "restricted service")
        approval = services.contact_restriction_end(actor=request.user, restriction=row, reason=data["reason"],
                                                    version=data["version"])
        return Response(RestrictionEndRequestSerializer(approval).data, status=status.HTTP_202_ACCEPTED)
