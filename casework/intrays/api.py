"""Intrays over HTTP (/api/v1/intrays/...). Thin: parse, call a selector/service, serialise.

``GET /api/v1/intrays/?assigned_to=me&status=open&overdue=true`` (also ``position``, ``team``, ``type``, ``customer``,
``due``) is paginated (limit/offset). Create and every transition are POSTs; refusals are 400/403/404/409 with the
reason and step IDs.
"""

from __future__ import annotations

import base64
import binascii

from django.core.files.storage import default_storage
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.core.api import IF_MATCH_PARAM, ConflictFieldsMixin, NoClientStepIdsMixin, DB_INT_MAX, expected_version, version_in, with_etag
from casework.core.errors import InvalidInput, NotFound, NotPermitted
from casework.core.files import stored_file_response
from casework.customers import selectors as customer_selectors
from casework.customers.models import PresentingIssue
from casework.customers.services import customer_data_read
from casework.org.models import Officer, Position

from . import selectors, services
from .calendar import local_today
from .models import Channel, CorrespondenceCategory, CorrespondenceMatter, Intray
from .policy import bucket


class IntrayErrorSerializer(ConflictFieldsMixin, serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    step_ids = serializers.ListField(child=serializers.CharField())


ERRORS = {400: IntrayErrorSerializer, 403: IntrayErrorSerializer, 404: IntrayErrorSerializer, 409: IntrayErrorSerializer}


class IntraySerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="type.code")
    type_name = serializers.CharField(source="type.name")
    customer = serializers.CharField(source="customer.csid")
    customer_name = serializers.CharField(source="customer.full_name")
    case = serializers.CharField(source="case.case_number", default=None)
    assignee_officer = serializers.IntegerField(source="assignee_officer_id")
    assignee_position = serializers.CharField(source="assignee_position.code", default=None)
    assignee = serializers.CharField(source="assignee_label")
    office_state = serializers.CharField(source="office.state")
    bucket = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Intray
        fields = [
            "id", "type", "type_name", "customer", "customer_name", "case", "subject", "details", "status",
            "assignee_officer", "assignee_position", "assignee", "team", "office_state", "created_at", "received_at",
            "due_date", "bucket", "is_overdue", "started_at", "closed_at", "outcome", "delete_reason", "sla_breached_at",
            "step_ids", "version",
        ]
        read_only_fields = fields

    def _today(self, obj):
        from casework.core import clock

        return local_today(obj.office, clock.now())

    def get_bucket(self, obj) -> str:
        return bucket(obj.due_date, self._today(obj)) if obj.is_open else "closed"

    def get_is_overdue(self, obj) -> bool:
        return obj.is_open and obj.due_date is not None and obj.due_date < self._today(obj)


class CorrespondenceSerializer(serializers.Serializer):
    channel = serializers.CharField()
    received_on = serializers.DateField()
    received_at = serializers.DateTimeField()
    category = serializers.CharField()
    sender = serializers.CharField()
    from_representative = serializers.BooleanField()
    documents = serializers.SerializerMethodField()
    matters = serializers.SerializerMethodField()
    category_history = serializers.SerializerMethodField()

    def get_documents(self, obj) -> list[dict]:
        return [{"id": d.id, "filename": d.filename, "content_type": d.content_type, "size": d.size,
                 "sha256": d.sha256, "uploaded_at": d.uploaded_at} for d in obj.documents.all()]

    def get_matters(self, obj) -> list[dict]:
        return [{"id": m.id, "description": m.description, "status": m.status, "outcome": m.outcome,
                 "addressed_at": m.addressed_at} for m in obj.matters.all()]

    def get_category_history(self, obj) -> list[dict]:
        return [{"from": c.from_category, "to": c.to_category, "reason": c.reason, "changed_at": c.changed_at}
                for c in obj.category_changes.all()]


class IntrayDetailSerializer(IntraySerializer):
    issues = serializers.SerializerMethodField()
    correspondence = serializers.SerializerMethodField()

    class Meta(IntraySerializer.Meta):
        fields = [*IntraySerializer.Meta.fields, "issues", "correspondence", "corrections"]
        read_only_fields = fields

    corrections = serializers.SerializerMethodField()

    def get_corrections(self, obj) -> list[dict]:
        """What was corrected (issue 14): each field's old and new value, why, when."""
        return [{"field": c.field, "old": c.old_value, "new": c.new_value, "reason": c.reason,
                 "corrected_at": c.corrected_at} for c in obj.corrections.all()]

    def get_issues(self, obj) -> list[dict]:
        return [{"id": i.id, "type": i.issue_type.code, "status": i.status}
                for i in obj.issues.select_related("issue_type")]

    def get_correspondence(self, obj) -> dict | None:
        corr = getattr(obj, "correspondence", None) if obj.type.is_correspondence else None
        return CorrespondenceSerializer(corr).data if corr is not None else None


class AssigneeIn(serializers.Serializer):
    assignee_officer = serializers.IntegerField(max_value=DB_INT_MAX, required=False, allow_null=True)
    assignee_position = serializers.CharField(required=False, allow_null=True, allow_blank=True,
                                              help_text="Position id or code.")


class IntrayCreateIn(NoClientStepIdsMixin, AssigneeIn):
    type_code = serializers.CharField()
    customer = serializers.CharField(help_text="CSID")
    subject = serializers.CharField(allow_blank=True)
    case = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="Case number")
    issues = serializers.ListField(child=serializers.IntegerField(max_value=DB_INT_MAX), required=False)
    details = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True)
    received_at = serializers.DateTimeField(
        required=False, allow_null=True,
        help_text="When the item was received (CMA-1.1; default now). The due date counts working days from here.",
    )


class DocumentIn(serializers.Serializer):
    filename = serializers.CharField(
        max_length=255, help_text="Stored sanitised: control characters (CR/LF), quotes and path separators removed."
    )
    content_base64 = serializers.CharField(
        max_length=(services.MAX_DOCUMENT_BYTES * 4) // 3 + 4,
        help_text=f"The file, base64-encoded: at most {services.MAX_DOCUMENT_BYTES // (1024 * 1024)} MB decoded.",
    )
    content_type = serializers.CharField(required=False, default="application/octet-stream", max_length=100)


class CorrespondenceIn(AssigneeIn):
    customer = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    received_at = serializers.DateTimeField(required=False, allow_null=True,
                                            help_text="Date and time received (CMA-1.1). Give this or received_on.")
    received_on = serializers.DateField(required=False, allow_null=True,
                                        help_text="Date received (the start of that day in the receiving office).")
    category = serializers.ChoiceField(choices=CorrespondenceCategory.choices)
    subject = serializers.CharField()
    case = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    matters = serializers.ListField(child=serializers.CharField(), required=False)
    issues = serializers.ListField(child=serializers.IntegerField(max_value=DB_INT_MAX), required=False)
    documents = DocumentIn(many=True, required=False)
    sender = serializers.CharField(required=False, allow_blank=True)
    from_representative = serializers.BooleanField(required=False, default=False)
    details = serializers.CharField(required=False, allow_blank=True)


def _valid(serializer_class, data):
    s = serializer_class(data=data)
    if not s.is_valid():
        raise InvalidInput("Check the highlighted fields.", fields={k: [str(m) for m in v] if isinstance(v, list)
                                                                     else [str(v)] for k, v in s.errors.items()})
    return s.validated_data


def _officer(value, field="assignee_officer"):
    if value in (None, ""):
        return None
    officer = Officer.objects.select_related("user", "position__business_area", "position__office",
                                             "position__team").filter(pk=value).first()
    if officer is None:
        raise InvalidInput("No such officer.", fields={field: ["No such officer."]})
    return officer


def _position(value, field="assignee_position"):
    if value in (None, ""):
        return None
    qs = Position.objects.select_related("business_area", "office", "team")
    position = qs.filter(pk=int(value)).first() if str(value).isdigit() else qs.filter(code=value).first()
    if position is None:
        raise InvalidInput("No such position.", fields={field: ["No such position."]})
    return position


def _case(user, customer, number):
    if not number:
        return None
    return customer_selectors.case_get(user=user, case_number=number)


def _issues(ids):
    ids = list(ids or [])
    found = list(PresentingIssue.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise InvalidInput("A presenting issue does not exist.", fields={"issues": ["Unknown issue id."]})
    return found


def _decode_documents(docs):
    out = []
    for d in docs or []:
        try:
            content = base64.b64decode(d["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("A document is not valid base64.", fields={"documents": ["Not valid base64."]}) from None
        out.append((d["filename"], content, d.get("content_type") or "application/octet-stream"))
    return out


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _int_or_invalid(value, field):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{field} must be a number or 'me'.", fields={field: ["Give an id or 'me'."]}) from None


def filter_from_params(params) -> selectors.WorklistFilter:
    """Query parameters -> WorklistFilter. ``assigned_to=me`` (default), ``position=me|<id>``, ``team=me|<id>``."""
    scope, position_id, team_id = "mine", None, None
    if params.get("team"):
        scope = "team"
        team_id = None if params["team"] == "me" else _int_or_invalid(params["team"], "team")
    elif params.get("position"):
        scope = "position"
        position_id = None if params["position"] == "me" else _int_or_invalid(params["position"], "position")
    elif params.get("assigned_to", "me") != "me":
        raise InvalidInput("assigned_to accepts 'me'.", fields={"assigned_to": ["Use 'me', or position/team."]})
    due = params.get("due", "")
    if _flag(params.get("overdue")):
        due = "overdue"
    return selectors.WorklistFilter(
        scope=scope, status=params.get("status", "open") or "open", type_code=params.get("type", ""),
        csid=params.get("customer", ""), due=due, position_id=position_id, team_id=team_id,
    )


LIST_PARAMS = [
    OpenApiParameter("assigned_to", str, description="'me' (default): intrays assigned to me"),
    OpenApiParameter("position", str, description="'me' or a position id: a position's intrays"),
    OpenApiParameter("team", str, description="'me' or a team id: a team's intrays (Team Leader)"),
    OpenApiParameter("status", str, description="open (default: open + in progress), in_progress, done, deleted, all"),
    OpenApiParameter("overdue", bool, description="true: due before today"),
    OpenApiParameter("due", str, description="overdue | today | week"),
    OpenApiParameter("type", str, description="intray type code"),
    OpenApiParameter("customer", str, description="CSID"),
]


class IntrayListView(APIView):
    pagination_class = LimitOffsetPagination  # so the schema describes the page (count, next, previous, results)

    @extend_schema(parameters=LIST_PARAMS, responses={200: IntraySerializer(many=True), **ERRORS})
    def get(self, request):
        f = filter_from_params(request.query_params)
        qs = selectors.worklist(user=request.user, f=f)
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        data = IntraySerializer(page, many=True).data
        # The worklist itself is not audited; filtered to one customer it is a read of that customer's work.
        customer_id = customer_selectors.customer_id_for_csid(f.csid) if f.csid else None
        if customer_id is not None:
            customer_data_read(actor=request.user, customer=customer_id, what="intrays", detail={"count": len(data)})
        return paginator.get_paginated_response(data)

    @extend_schema(request=IntrayCreateIn, responses={201: IntrayDetailSerializer, **ERRORS})
    def post(self, request):
        data = _valid(IntrayCreateIn, request.data)
        customer = customer_selectors.customer_get(user=request.user, csid=data["customer"])
        intray = services.intray_raise(
            actor=request.user, type_code=data["type_code"], customer=customer, subject=data["subject"],
            case=_case(request.user, customer, data.get("case")),
            assignee_officer=_officer(data.get("assignee_officer")),
            assignee_position=_position(data.get("assignee_position")),
            issues=_issues(data.get("issues")), details=data.get("details", ""), reason=data.get("reason", ""),
            received_at=data.get("received_at"),
        )
        return Response(IntrayDetailSerializer(selectors.intray_get(user=request.user, pk=intray.pk)).data,
                        status=status.HTTP_201_CREATED)


CountsOut = inline_serializer("IntrayCounts", {
    "total": serializers.IntegerField(), "overdue": serializers.IntegerField(),
    "due_today": serializers.IntegerField(), "due_this_week": serializers.IntegerField(),
})


class IntrayCountsView(APIView):
    @extend_schema(parameters=LIST_PARAMS[:3], responses={200: CountsOut, **ERRORS})
    def get(self, request):
        f = filter_from_params(request.query_params)
        return Response(selectors.worklist_counts(user=request.user, scope=f.scope, position_id=f.position_id,
                                                  team_id=f.team_id))


class IntrayDetailView(APIView):
    @extend_schema(responses={200: IntrayDetailSerializer, **ERRORS})
    def get(self, request, pk: int):
        intray = selectors.intray_get(user=request.user, pk=pk)
        if intray.customer_id is not None:
            customer_data_read(actor=request.user, customer=intray.customer_id, what="intray",
                               detail={"intray": intray.pk})
        return with_etag(Response(IntrayDetailSerializer(intray).data), intray)


def _action_response(request, pk):
    intray = selectors.intray_get(user=request.user, pk=pk)
    return with_etag(Response(IntrayDetailSerializer(intray).data), intray)


def _version(request, data=None) -> int | None:
    """The intray version the change was made from: body ``version`` or If-Match (issue 13)."""
    return expected_version(request, (data or {}).get("version"), what="intray")


class IntrayStartView(APIView):
    @extend_schema(request=None, parameters=[IF_MATCH_PARAM], responses={200: IntrayDetailSerializer, **ERRORS})
    def post(self, request, pk: int):
        services.intray_start(actor=request.user, intray=selectors.intray_get(user=request.user, pk=pk),
                              version=_version(request))
        return _action_response(request, pk)


class CompleteIn(NoClientStepIdsMixin, serializers.Serializer):
    """Step IDs come from the intray type and the policy, never from the request."""

    outcome = serializers.CharField(required=False, allow_blank=True, default="")
    version = version_in("intray")


class IntrayCompleteView(APIView):
    @extend_schema(request=CompleteIn, parameters=[IF_MATCH_PARAM], responses={200: IntrayDetailSerializer, **ERRORS})
    def post(self, request, pk: int):
        data = _valid(CompleteIn, request.data)
        intray = selectors.intray_get(user=request.user, pk=pk)
        services.intray_complete(actor=request.user, intray=intray, outcome=data["outcome"],
                                 version=_version(request, data))
        return _action_response(request, pk)


class IntrayReasonIn(NoClientStepIdsMixin, serializers.Serializer):
    """The service refuses a blank reason (with its step IDs); absent means blank."""

    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    version = version_in("intray")


class IntrayDeleteView(APIView):
    @extend_schema(request=IntrayReasonIn, parameters=[IF_MATCH_PARAM], responses={200: IntrayDetailSerializer, **ERRORS})
    def post(self, request, pk: int):
        intray = selectors.intray_get(user=request.user, pk=pk)
        data = _valid(IntrayReasonIn, request.data)
        services.intray_delete(actor=request.user, intray=intray, reason=data["reason"], version=_version(request, data))
        return _action_response(request, pk)


class IntrayReassignIn(IntrayReasonIn):
    to_officer = serializers.IntegerField(max_value=DB_INT_MAX, required=False, allow_null=True, help_text="Officer id")
    to_position = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=40,
                                        help_text="Position id or code")


class IntrayReassignView(APIView):
    @extend_schema(request=IntrayReassignIn, parameters=[IF_MATCH_PARAM], responses={200: IntrayDetailSerializer, **ERRORS})
    def post(self, request, pk: int):
        intray = selectors.intray_get(user=request.user, pk=pk)
        data = _valid(IntrayReassignIn, request.data)
        services.intray_reassign(
            actor=request.user, intray=intray, to_officer=_officer(data.get("to_officer"), "to_officer"),
            to_position=_position(data.get("to_position"), "to_position"), reason=data["reason"],
            version=_version(request, data),
        )
        return _action_response(request, pk)


class CorrespondenceRecategoriseIn(IntrayReasonIn):
    category = serializers.ChoiceField(choices=CorrespondenceCategory.choices)


class RecategoriseView(APIView):
    @extend_schema(request=CorrespondenceRecategoriseIn, parameters=[IF_MATCH_PARAM],
                   responses={200: IntrayDetailSerializer, **ERRORS})
    def post(self, request, pk: int):
        intray = selectors.intray_get(user=request.user, pk=pk)
        data = _valid(CorrespondenceRecategoriseIn, request.data)
        services.correspondence_recategorise(actor=request.user, intray=intray, category=data["category"],
                                             reason=data["reason"], version=_version(request, data))
        return _action_response(request, pk)


class IntrayCorrectIn(IntrayReasonIn):
    """Issue 14 (CMA-1.1): the facts to correct; absent ones are kept. ``case``: a case number of the customer."""

    subject = serializers.CharField(required=False, max_length=200)
    details = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    received_at = serializers.DateTimeField(required=False, help_text="Date and time received, with a time zone.")
    case = serializers.CharField(required=False, max_length=40, help_text="Case number (one of the customer's cases)")


class IntrayCorrectView(APIView):
    @extend_schema(request=IntrayCorrectIn, parameters=[IF_MATCH_PARAM],
                   responses={200: IntrayDetailSerializer, **ERRORS})
    def post(self, request, pk: int):
        intray = selectors.intray_get(user=request.user, pk=pk)
        data = _valid(IntrayCorrectIn, request.data)
        case = None
        if data.get("case"):
            try:
                case = _case(request.user, intray.customer, data["case"])
            except NotFound:
                raise InvalidInput("No case has that number.", fields={"case": ["No case has that number."]}) from None
        services.intray_correct(actor=request.user, intray=intray, reason=data["reason"],
                                version=_version(request, data), subject=data.get("subject"),
                                details=data.get("details"), received_at=data.get("received_at"), case=case)
        return _action_response(request, pk)


class CorrespondenceMatterIn(NoClientStepIdsMixin, serializers.Serializer):
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    issue = serializers.IntegerField(max_value=DB_INT_MAX, required=False, allow_null=True,
                                     help_text="Presenting issue id")
    version = version_in("intray")


class MatterAddView(APIView):
    @extend_schema(request=CorrespondenceMatterIn, parameters=[IF_MATCH_PARAM],
                   responses={201: IntrayDetailSerializer, **ERRORS})
    def post(self, request, pk: int):
        intray = selectors.intray_get(user=request.user, pk=pk)
        data = _valid(CorrespondenceMatterIn, request.data)
        issue = _issues([data["issue"]])[0] if data.get("issue") else None
        services.correspondence_matter_add(actor=request.user, intray=intray, description=data["description"],
                                           issue=issue, version=_version(request, data))
        fresh = selectors.intray_get(user=request.user, pk=pk)
        return with_etag(Response(IntrayDetailSerializer(fresh).data, status=status.HTTP_201_CREATED), fresh)


class CorrespondenceMatterAddressIn(NoClientStepIdsMixin, serializers.Serializer):
    """The service refuses a blank outcome (with its step IDs); absent means blank."""

    outcome = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    communicated = serializers.BooleanField(required=False, default=False,
                                            help_text="The outcome was communicated to the customer.")
    version = version_in("intray")


class MatterAddressView(APIView):
    @extend_schema(request=CorrespondenceMatterAddressIn, parameters=[IF_MATCH_PARAM],
                   responses={200: IntrayDetailSerializer, **ERRORS})
    def post(self, request, pk: int, matter_id: int):
        intray = selectors.intray_get(user=request.user, pk=pk)
        matter = CorrespondenceMatter.objects.filter(pk=matter_id, correspondence__intray=intray).first()
        if matter is None:
            raise NotFound("No such matter on this intray.")
        data = _valid(CorrespondenceMatterAddressIn, request.data)
        services.correspondence_matter_address(actor=request.user, matter=matter, outcome=data["outcome"],
                                               communicated=data["communicated"], version=_version(request, data))
        return _action_response(request, pk)


class CorrespondenceMatterReferIn(IntrayReassignIn):
    """Refer one matter to another team (CMA-3.5, CMA-2.10): an officer id or a position (id or code), a reason."""


class MatterReferView(APIView):
    @extend_schema(request=CorrespondenceMatterReferIn, parameters=[IF_MATCH_PARAM],
                   responses={201: IntrayDetailSerializer, **ERRORS})
    def post(self, request, pk: int, matter_id: int):
        """Returns the new intray of the receiving team (201); the correspondence intray's version moves too."""
        intray = selectors.intray_get(user=request.user, pk=pk)
        matter = CorrespondenceMatter.objects.filter(pk=matter_id, correspondence__intray=intray).first()
        if matter is None:
            raise NotFound("No such matter on this intray.")
        data = _valid(CorrespondenceMatterReferIn, request.data)
        referral = services.correspondence_matter_refer(
            actor=request.user, matter=matter, to_officer=_officer(data.get("to_officer"), "to_officer"),
            to_position=_position(data.get("to_position"), "to_position"), reason=data["reason"],
            version=_version(request, data))
        fresh = selectors.intray_get(user=request.user, pk=referral.pk)
        return Response(IntrayDetailSerializer(fresh).data, status=status.HTTP_201_CREATED)


class DocumentsView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=DocumentIn, responses={201: IntrayDetailSerializer, **ERRORS})
    def post(self, request, pk: int):
        intray = selectors.intray_get(user=request.user, pk=pk)
        upload = request.FILES.get("file")
        if upload is not None:
            name, content, ctype = upload.name, upload.read(), upload.content_type
        else:
            data = _valid(DocumentIn, request.data)
            name, content, ctype = _decode_documents([data])[0]
        services.correspondence_document_add(actor=request.user, intray=intray, filename=name, content=content,
                                             content_type=ctype)
        return Response(IntrayDetailSerializer(selectors.intray_get(user=request.user, pk=pk)).data,
                        status=status.HTTP_201_CREATED)


class DocumentDownloadView(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **ERRORS})
    def get(self, request, pk: int, doc_id: int):
        if not request.user.has_perm("intrays.view_document"):
            raise NotPermitted("Your role does not allow you to open correspondence documents.")
        intray = selectors.intray_get(user=request.user, pk=pk)
        corr = getattr(intray, "correspondence", None) if intray.type.is_correspondence else None
        doc = corr.documents.filter(pk=doc_id).first() if corr is not None else None
        if doc is None:
            raise NotFound("No such document on this intray.")
        # Streamed from storage; its size is checked before the read is audited (docs/intrays.md).
        response = stored_file_response(default_storage, doc.file.name, size=doc.size, sha256=doc.sha256,
                                        content_type=doc.content_type, filename=doc.filename)
        if intray.customer_id is not None:
            customer_data_read(actor=request.user, customer=intray.customer_id, what="intray_document",
                               detail={"intray": intray.pk, "document": doc.pk})
        return response


class CorrespondenceView(APIView):
    @extend_schema(request=CorrespondenceIn, responses={201: IntrayDetailSerializer, **ERRORS})
    def post(self, request):
        data = _valid(CorrespondenceIn, request.data)
        customer = customer_selectors.customer_get(user=request.user, csid=data["customer"])
        intray = services.correspondence_receive(
            actor=request.user, customer=customer, channel=data["channel"], received_on=data.get("received_on"),
            received_at=data.get("received_at"),
            category=data["category"], subject=data["subject"], case=_case(request.user, customer, data.get("case")),
            assignee_officer=_officer(data.get("assignee_officer")),
            assignee_position=_position(data.get("assignee_position")),
            documents=_decode_documents(data.get("documents")), matters=data.get("matters", []),
            issues=_issues(data.get("issues")), sender=data.get("sender", ""),
            from_representative=data.get("from_representative", False), details=data.get("details", ""),
        )
        return Response(IntrayDetailSerializer(selectors.intray_get(user=request.user, pk=intray.pk)).data,
                        status=status.HTTP_201_CREATED)
