"""Customers, cases, notes and the audit trail over HTTP (/api/v1/). Thin: parse, call a service/selector, serialise.

Errors: 400 with a message per field (a malformed CSID names ``csid``), 403 for the role, 404 when unknown. Services
run in one transaction, so a refused request writes nothing.
"""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.core.api import IF_MATCH_PARAM, ConflictFieldsMixin, etag, expected_version, version_in
from casework.core.errors import InvalidInput, NotFound
from casework.core.models import AuditEvent

from . import selectors, services
from .models import (
    Case,
    CollectionType,
    ContactPreference,
    Customer,
    IssueStatus,
    Note,
    NoteKind,
    RegistrationStatus,
    Residence,
)

# --- serializers -------------------------------------------------------------------------------------------------


class CustomersErrorSerializer(ConflictFieldsMixin, serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    step_ids = serializers.ListField(child=serializers.CharField())
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


ERRORS = {400: CustomersErrorSerializer, 403: CustomersErrorSerializer, 404: CustomersErrorSerializer}


class PartySerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Customer
        fields = ["csid", "full_name"]


class CustomerSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True, help_text="Email address; empty when not known.")
    is_deceased = serializers.BooleanField(read_only=True)

    class Meta:
        model = Customer
        fields = [
            "csid",
            "given_names",
            "family_name",
            "full_name",
            "date_of_birth",
            "date_of_death",
            "is_deceased",
            "email",
            "phone_mobile",
            "phone_home",
            "postal_address",
            "postal_address_is_silent",
            "residence",
            "country",
            "preferred_contact_times",
            "contact_preference",
            "special_contact_arrangements",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class CustomerWriteSerializer(serializers.Serializer):
    csid = serializers.CharField(max_length=20, help_text="10 digits with a check digit; spaces/hyphens ignored.")
    given_names = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField()
    date_of_death = serializers.DateField(required=False, allow_null=True)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    phone_mobile = serializers.CharField(required=False, allow_blank=True, max_length=20)
    phone_home = serializers.CharField(required=False, allow_blank=True, max_length=20)
    postal_address = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    postal_address_is_silent = serializers.BooleanField(
        required=False, help_text="Silent address: never printed on anything sent to another customer (PS-CON-4)."
    )
    residence = serializers.ChoiceField(choices=Residence.choices)
    country = serializers.CharField(required=False, allow_blank=True, max_length=60)
    preferred_contact_times = serializers.CharField(required=False, allow_blank=True, max_length=200)
    contact_preference = serializers.ChoiceField(choices=ContactPreference.choices, required=False)
    special_contact_arrangements = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CustomerUpdateSerializer(CustomerWriteSerializer):
    csid = None
    given_names = serializers.CharField(max_length=100, required=False)
    family_name = serializers.CharField(max_length=100, required=False)
    date_of_birth = serializers.DateField(required=False)
    residence = serializers.ChoiceField(choices=Residence.choices, required=False)
    reason = serializers.CharField(max_length=1000, help_text="Why the details changed (recorded in the audit trail).")
    version = version_in("customer")


class ChildSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text="Used to record care (cases/<n>/care/).")
    given_names = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField()


class CaseSerializer(serializers.ModelSerializer):
    payer = PartySerializer(read_only=True)
    payee = PartySerializer(read_only=True)
    children = ChildSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "case_number",
            "payer",
            "payee",
            "registration_status",
            "collection_type",
            "annual_liability",
            "children",
            "created_at",
            "version",
        ]
        read_only_fields = fields


class CaseCreateSerializer(serializers.Serializer):
    payer_csid = serializers.CharField(max_length=20)
    payee_csid = serializers.CharField(max_length=20)
    registration_status = serializers.ChoiceField(
        choices=RegistrationStatus.choices, default=RegistrationStatus.REGISTERED
    )
    collection_type = serializers.ChoiceField(choices=CollectionType.choices, default=CollectionType.AGENCY)
    annual_liability = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, default=0
    )
    children = ChildSerializer(many=True, required=False, default=list)
    roles_since = serializers.DateField(
        required=False, allow_null=True,
        help_text="Since when the payer and payee hold these roles (default today); a later reversal starts after it.",
    )


class IncomeSummarySerializer(serializers.Serializer):
    csid = serializers.CharField(source="customer.csid")
    amount = serializers.DecimalField(source="record.amount", max_digits=12, decimal_places=2, allow_null=True)
    source = serializers.CharField(source="record.source", allow_null=True)
    tax_year = serializers.IntegerField(source="record.tax_year", allow_null=True)
    effective_from = serializers.DateField(source="record.effective_from", allow_null=True)
    is_reliable = serializers.BooleanField(help_text="CMA-2.2: reliable means ATO-issued; derived from the source.")

    def to_representation(self, instance):
        if instance.record is None:
            return {
                "csid": instance.customer.csid,
                "amount": None,
                "source": None,
                "tax_year": None,
                "effective_from": None,
                "is_reliable": False,
            }
        return super().to_representation(instance)


class CareSerializer(serializers.Serializer):
    child = serializers.CharField(source="child.__str__")
    carer_csid = serializers.CharField(source="carer.csid")
    care_percentage = serializers.IntegerField()
    effective_from = serializers.DateField()


class CaseSummarySerializer(serializers.Serializer):
    case_number = serializers.CharField(source="case.case_number")
    role = serializers.CharField()
    other_party = PartySerializer()
    registration_status = serializers.CharField(source="case.registration_status")
    collection_type = serializers.CharField(source="case.collection_type")
    annual_liability = serializers.DecimalField(source="case.annual_liability", max_digits=10, decimal_places=2)
    children = ChildSerializer(many=True)
    care = CareSerializer(many=True)
    role_reversal = serializers.BooleanField(help_text="CMA-2.4: the customer held the other role on this case.")
    income_other = IncomeSummarySerializer()


class DebtSummarySerializer(serializers.Serializer):
    case_number = serializers.CharField(source="debt.case.case_number")
    debtor_csid = serializers.CharField(source="debt.debtor.csid")
    kind = serializers.CharField(source="debt.kind")
    amount = serializers.DecimalField(source="debt.amount", max_digits=12, decimal_places=2)
    as_at = serializers.DateField(source="debt.as_at")
    arrangement_status = serializers.CharField(help_text="active, defaulted or none (CMA-2.3).")


class DpoSerializer(serializers.Serializer):
    status = serializers.CharField()
    issued_on = serializers.DateField(allow_null=True)
    revoked_on = serializers.DateField(allow_null=True)


class RestrictionSerializer(serializers.Serializer):
    conditions = serializers.CharField()
    imposed_on = serializers.DateField()
    review_date = serializers.DateField()


class RepresentativeSerializer(serializers.Serializer):
    name = serializers.CharField()
    relationship = serializers.CharField()
    organisation = serializers.CharField()
    scope = serializers.CharField()
    scope_detail = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)


class SensitiveSerializer(serializers.Serializer):
    reason = serializers.CharField()
    conditions = serializers.CharField()
    review_date = serializers.DateField(allow_null=True)


class CustomerDetailSerializer(serializers.Serializer):
    customer = CustomerSerializer()
    cases = CaseSummarySerializer(many=True)
    income = IncomeSummarySerializer()
    debts = DebtSummarySerializer(many=True)
    owed_to_customer = DebtSummarySerializer(many=True)
    dpos = DpoSerializer(many=True)
    restrictions = RestrictionSerializer(many=True)
    representatives = RepresentativeSerializer(many=True)
    sensitive_indicators = SensitiveSerializer(
        many=True, required=False, help_text="INTERNAL ONLY (PS-CON-4): shown to officers, never to customers."
    )
    is_deceased = serializers.BooleanField()
    role_reversal = serializers.BooleanField()


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    case_number = serializers.CharField(source="case.case_number", read_only=True, allow_null=True)
    ref = serializers.SerializerMethodField()

    class Meta:
        model = Note
        fields = ["id", "kind", "subject", "body", "author", "created_at", "case_number", "ref", "step_ids"]
        read_only_fields = fields

    def get_ref(self, obj) -> str | None:
        return f"{obj.ref_type.model}:{obj.ref_id}" if obj.ref_type_id else None


class NoteCreateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000)
    kind = serializers.ChoiceField(choices=NoteKind.choices, default=NoteKind.GENERAL)
    case_number = serializers.CharField(max_length=12, required=False, allow_blank=True)


class IssueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    issue_type = serializers.CharField(source="issue_type.code")
    kind = serializers.CharField(source="issue_type.kind")
    received_area = serializers.CharField(source="received_area.code")
    status = serializers.CharField()
    description = serializers.CharField()
    received_at = serializers.DateTimeField()
    outcome = serializers.CharField()


class IssueCreateSerializer(serializers.Serializer):
    issue_type = serializers.CharField(max_length=40, help_text="Issue type code from the catalogue (CMA-1.2).")
    received_area = serializers.CharField(
        max_length=40, required=False, allow_blank=True,
        help_text="Business area code where it was received; defaults to the signed-in officer's area.",
    )
    case_number = serializers.CharField(max_length=12, required=False, allow_blank=True)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class IssueCloseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(IssueStatus.FINALISED, "Finalised"), (IssueStatus.WITHDRAWN, "Withdrawn"), (IssueStatus.REFERRED, "Referred")]
    )
    outcome = serializers.CharField(max_length=5000)


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "actor",
            "action",
            "target_type",
            "target_id",
            "target_repr",
            "customer_id",
            "before",
            "after",
            "reason",
            "step_ids",
            "request_id",
        ]
        read_only_fields = fields


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=selectors.MAX_SEARCH_RESULTS, default=50)


class AuditParamsSerializer(serializers.Serializer):
    csid = serializers.CharField(required=False, allow_blank=True, max_length=20)
    officer = serializers.CharField(required=False, allow_blank=True, max_length=150)
    action = serializers.CharField(required=False, allow_blank=True, max_length=64)
    date_from = serializers.DateField(required=False, allow_null=True)
    date_to = serializers.DateField(required=False, allow_null=True)


def _page(name: str, item):
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "next": serializers.CharField(allow_null=True),
            "previous": serializers.CharField(allow_null=True),
            "results": item(many=True),
        },
    )


class BoundedPagination(LimitOffsetPagination):
    """limit/offset paging with sane bounds: a silly offset or limit is clamped, never a database error."""

    max_limit = 200
    max_offset = 10**9

    def get_offset(self, request):
        return min(super().get_offset(request), self.max_offset)


# --- helpers -----------------------------------------------------------------------------------------------------


def _valid(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    if not serializer.is_valid():
        fields = {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in serializer.errors.items()}
        raise InvalidInput("Check the highlighted fields.", fields=fields)
    return serializer.validated_data


def _case_for(user, customer: Customer, case_number: str | None) -> Case | None:
    if not case_number:
        return None
    case = Case.objects.filter(case_number=case_number).filter(Q(payer=customer) | Q(payee=customer)).first()
    if case is None:
        raise InvalidInput(
            "This customer is not a party to that case.", fields={"case_number": ["No such case for this customer."]}
        )
    return case


def _detail(request, customer: Customer) -> dict:
    summary = selectors.customer_summary(customer=customer)
    data = CustomerDetailSerializer(summary).data
    if not request.user.has_perm("customers.view_sensitive"):
        data.pop("sensitive_indicators", None)
    return data


# --- views -------------------------------------------------------------------------------------------------------

CSID_PARAM = OpenApiParameter("csid", OpenApiTypes.STR, OpenApiParameter.PATH, description="The customer's CSID.")
_etag = etag


def _expected_version(request, body_version: int | None) -> int | None:
    """The version the change was made from: the body's ``version`` and/or the If-Match header (issue 13)."""
    return expected_version(request, body_version, what="customer")


class CustomerListView(APIView):
    @extend_schema(
        operation_id="customers_search",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="CSID (exact) or name: 'family', 'family given', 'given family'."),
            OpenApiParameter("date_of_birth", OpenApiTypes.DATE),
            OpenApiParameter("limit", OpenApiTypes.INT, description="At most 200."),
        ],
        responses={200: CustomerSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        params = _valid(SearchParamsSerializer, request.query_params)
        found = selectors.customer_search(
            user=request.user, query=params["q"], date_of_birth=params["date_of_birth"], limit=params["limit"]
        )
        data = CustomerSerializer(found, many=True).data
        services.customer_search_record(
            actor=request.user, query=params["q"], date_of_birth=params["date_of_birth"], results=len(data)
        )
        return Response(data)

    @extend_schema(
        operation_id="customers_create",
        request=CustomerWriteSerializer,
        responses={201: CustomerSerializer, **ERRORS, 409: CustomersErrorSerializer},
    )
    def post(self, request):
        data = _valid(CustomerWriteSerializer, request.data)
        customer = services.customer_create(actor=request.user, **data)
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)


class CustomerDetailView(APIView):
    @extend_schema(
        operation_id="customers_get",
        parameters=[CSID_PARAM],
        responses={200: CustomerDetailSerializer, **ERRORS},
        description="The customer with their cases, income, care and collection summary. Audited as a view.",
    )
    def get(self, request, csid: str):
        customer = selectors.customer_get(user=request.user, csid=csid)
        services.customer_record_view(actor=request.user, customer=customer, channel="api")
        response = Response(_detail(request, customer))
        response["ETag"] = _etag(customer)
        return response

    @extend_schema(
        operation_id="customers_update",
        parameters=[CSID_PARAM, IF_MATCH_PARAM],
        request=CustomerUpdateSerializer,
        responses={200: CustomerSerializer, **ERRORS, 409: CustomersErrorSerializer},
        description="Change the customer's details. Send the version you read (body ``version`` or the ``If-Match`` "
        "header with the ETag of GET /customers/<csid>/): a change made from a stale read is refused with 409.",
    )
    def patch(self, request, csid: str):
        customer = selectors.customer_get(user=request.user, csid=csid)
        data = dict(_valid(CustomerUpdateSerializer, request.data, partial=True))
        reason = data.pop("reason", "")
        version = _expected_version(request, data.pop("version", None))
        customer = services.customer_update(
            actor=request.user, customer=customer, reason=reason, version=version, **data
        )
        response = Response(CustomerSerializer(customer).data)
        response["ETag"] = _etag(customer)
        return response


class CustomerCasesView(APIView):
    @extend_schema(operation_id="customers_cases", parameters=[CSID_PARAM], responses={200: CaseSerializer(many=True), **ERRORS})
    def get(self, request, csid: str):
        customer = selectors.customer_get(user=request.user, csid=csid)
        cases = selectors.cases_for_customer(user=request.user, customer=customer)
        services.customer_data_read(actor=request.user, customer=customer, what="cases")
        return Response(CaseSerializer(cases, many=True).data)


class CaseCreateView(APIView):
    @extend_schema(operation_id="cases_create", request=CaseCreateSerializer, responses={201: CaseSerializer, **ERRORS})
    def post(self, request):
        data = _valid(CaseCreateSerializer, request.data)
        parties = {}
        problems = {}
        for role in ("payer", "payee"):
            try:
                parties[role] = selectors.customer_get(user=request.user, csid=data[f"{role}_csid"])
            except InvalidInput as exc:
                problems[f"{role}_csid"] = exc.fields.get("csid", [exc.message])
            except NotFound as exc:
                problems[f"{role}_csid"] = [exc.message]
        if problems:
            raise InvalidInput("Check the highlighted fields.", fields=problems)
        case = services.case_create(
            actor=request.user,
            payer=parties["payer"],
            payee=parties["payee"],
            registration_status=data["registration_status"],
            collection_type=data["collection_type"],
            annual_liability=data["annual_liability"],
            children=[dict(c) for c in data["children"]],
            role_history_from=data.get("roles_since"),
        )
        case = selectors.case_get(user=request.user, case_number=case.case_number)
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)


class CaseDetailView(APIView):
    @extend_schema(
        operation_id="cases_get",
        parameters=[OpenApiParameter("case_number", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={200: CaseSerializer, **ERRORS},
    )
    def get(self, request, case_number: str):
        case = selectors.case_get(user=request.user, case_number=case_number)
        services.case_data_read(actor=request.user, case=case)
        response = Response(CaseSerializer(case).data)
        response["ETag"] = _etag(case)
        return response


class NotesView(APIView):
    @extend_schema(
        operation_id="customers_notes_list",
        parameters=[
            CSID_PARAM,
            OpenApiParameter("limit", OpenApiTypes.INT),
            OpenApiParameter("offset", OpenApiTypes.INT),
        ],
        responses={200: _page("NotePage", NoteSerializer), **ERRORS},
    )
    def get(self, request, csid: str):
        customer = selectors.customer_get(user=request.user, csid=csid)
        notes = selectors.notes_for_customer(user=request.user, customer=customer)
        paginator = BoundedPagination()
        page = paginator.paginate_queryset(notes, request, view=self)
        services.customer_data_read(actor=request.user, customer=customer, what="notes", detail={"count": len(page)})
        return paginator.get_paginated_response(NoteSerializer(page, many=True).data)

    @extend_schema(
        operation_id="customers_notes_add",
        parameters=[CSID_PARAM],
        request=NoteCreateSerializer,
        responses={201: NoteSerializer, **ERRORS},
    )
    def post(self, request, csid: str):
        customer = selectors.customer_get(user=request.user, csid=csid)
        data = _valid(NoteCreateSerializer, request.data)
        note = services.note_add(
            actor=request.user,
            customer=customer,
            subject=data["subject"],
            body=data["body"],
            kind=data["kind"],
            case=_case_for(request.user, customer, data.get("case_number")),
        )
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


class IssuesView(APIView):
    @extend_schema(operation_id="customers_issues_list", parameters=[CSID_PARAM], responses={200: IssueSerializer(many=True), **ERRORS})
    def get(self, request, csid: str):
        customer = selectors.customer_get(user=request.user, csid=csid)
        issues = selectors.presenting_issues_for_customer(customer=customer)
        services.customer_data_read(actor=request.user, customer=customer, what="issues")
        return Response(IssueSerializer(issues, many=True).data)

    @extend_schema(
        operation_id="customers_issues_add",
        parameters=[CSID_PARAM],
        request=IssueCreateSerializer,
        responses={201: IssueSerializer, **ERRORS},
        description="Record a presenting issue (CMA-1.2).",
    )
    def post(self, request, csid: str):
        customer = selectors.customer_get(user=request.user, csid=csid)
        data = _valid(IssueCreateSerializer, request.data)
        issue = services.presenting_issue_add(
            actor=request.user,
            customer=customer,
            issue_type=data["issue_type"],
            received_area=data.get("received_area") or None,
            case=_case_for(request.user, customer, data.get("case_number")),
            description=data.get("description", ""),
        )
        return Response(IssueSerializer(issue).data, status=status.HTTP_201_CREATED)


class IssueCloseView(APIView):
    @extend_schema(
        operation_id="customers_issues_close",
        parameters=[CSID_PARAM, OpenApiParameter("issue_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=IssueCloseSerializer,
        responses={200: IssueSerializer, **ERRORS, 409: CustomersErrorSerializer},
        description="Finalise, withdraw or refer a presenting issue (CMA-3.1).",
    )
    def post(self, request, csid: str, issue_id: int):
        customer = selectors.customer_get(user=request.user, csid=csid)
        issue = selectors.presenting_issues_for_customer(customer=customer).filter(pk=issue_id).first()
        if issue is None:
            raise NotFound("This customer has no such presenting issue.")
        data = _valid(IssueCloseSerializer, request.data)
        issue = services.presenting_issue_close(
            actor=request.user, issue=issue, status=data["status"], outcome=data["outcome"]
        )
        return Response(IssueSerializer(issue).data)


class AuditSearchView(APIView):
    @extend_schema(
        operation_id="audit_search",
        parameters=[
            OpenApiParameter("csid", OpenApiTypes.STR),
            OpenApiParameter("officer", OpenApiTypes.STR, description="Username (or job label) of the actor."),
            OpenApiParameter("action", OpenApiTypes.STR, description="Exact, or a prefix ending in '.' or '*'."),
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
            OpenApiParameter("limit", OpenApiTypes.INT),
            OpenApiParameter("offset", OpenApiTypes.INT),
        ],
        responses={
            200: _page("AuditPage", AuditEventSerializer),
            **ERRORS,
        },
        description="Search the audit trail (auditors and administrators only).",
    )
    def get(self, request):
        params = _valid(AuditParamsSerializer, request.query_params)
        events = selectors.audit_search(
            user=request.user,
            csid=params.get("csid") or None,
            officer=params.get("officer") or None,
            action=params.get("action") or None,
            date_from=params.get("date_from"),
            date_to=params.get("date_to"),
        )
        paginator = BoundedPagination()
        page = paginator.paginate_queryset(events, request, view=self)
        return paginator.get_paginated_response(AuditEventSerializer(page, many=True).data)
