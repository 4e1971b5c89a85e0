"""Letters API: issue, list per customer, read, download the PDF as issued."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.core.errors import Conflict, InvalidInput
from casework.customers.models import Case
from casework.customers.services import customer_data_read

from casework.core.files import content_disposition

from . import policy, registry, selectors, services
from .models import Letter, LetterStatus


def _customer(user, csid: str):
    from casework.customers.selectors import customer_get

    return customer_get(user=user, csid=csid)


class LetterSerializer(serializers.ModelSerializer):
    csid = serializers.CharField(source="customer.csid")
    case_number = serializers.CharField(source="case.case_number", default=None)
    issued_by = serializers.CharField(source="issued_by.username")
    signed_by = serializers.CharField(source="signed_by.username", default=None)
    status = serializers.ChoiceField(
        choices=LetterStatus.choices, read_only=True,
        help_text="The PDF is rendered after the letter is issued: `preparing` until it exists, then `ready` "
        "(`pdf_url` serves it); `failed` while a render failed and is being retried.",
    )
    sha256 = serializers.SerializerMethodField(help_text="SHA-256 of the PDF (null until it is ready).")
    size = serializers.SerializerMethodField(help_text="Size of the PDF in bytes (null until it is ready).")
    pdf_url = serializers.SerializerMethodField(help_text="Where to download the PDF (null until it is ready).")

    class Meta:
        model = Letter
        fields = [
            "id", "csid", "case_number", "template_code", "title", "source_data", "status", "sha256", "size",
            "issued_at", "issued_by", "signed_by", "step_ids", "pdf_url",
        ]

    def get_sha256(self, obj) -> str | None:
        return obj.document.sha256 if obj.status == LetterStatus.READY else None

    def get_size(self, obj) -> int | None:
        return obj.document.size if obj.status == LetterStatus.READY else None

    def get_pdf_url(self, obj) -> str | None:
        return f"/api/v1/letters/{obj.pk}/pdf/" if obj.status == LetterStatus.READY else None


LIMITS = (
    f"At most {policy.MAX_ITEMS} paragraphs or points per list, {policy.MAX_FIELD_CHARS} characters per paragraph or "
    f"field and {policy.MAX_TOTAL_CHARS} characters in all."
)


class LetterIssueSerializer(serializers.Serializer):
    csid = serializers.CharField(max_length=20)
    template_code = serializers.ChoiceField(choices=[])
    context = serializers.DictField(
        required=False, default=dict,
        help_text="The template's allow-listed fields (anything else is dropped). Free text is checked against "
        "internal-only information and other customers' details (PS-CON-4, CMA-1.6). " + LIMITS,
    )
    heading = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Unique letter: the heading (same as context.heading)."
    )
    paragraphs = serializers.ListField(
        child=serializers.CharField(max_length=policy.MAX_FIELD_CHARS, allow_blank=False),
        required=False, max_length=policy.MAX_ITEMS,
        help_text="Unique letter: the paragraphs (same as context.paragraphs). " + LIMITS,
    )
    case_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=12)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template_code"].choices = [t.code for t in registry.all_templates()]

    def validate(self, attrs):
        context = dict(attrs.get("context") or {})
        for key in ("heading", "paragraphs"):
            if attrs.get(key):
                context[key] = attrs.pop(key)
            attrs.pop(key, None)
        problems = policy.size_check(context)
        if problems:
            raise serializers.ValidationError(problems)
        attrs["context"] = context
        return attrs


class LetterPreviewSerializer(serializers.Serializer):
    template_code = serializers.CharField()
    title = serializers.CharField()
    html = serializers.CharField(help_text="The letter as it would be rendered to PDF (nothing is stored).")
    source_data = serializers.DictField()
    step_ids = serializers.ListField(child=serializers.CharField())


def _issue_args(request) -> dict:
    ser = LetterIssueSerializer(data=request.data)
    ser.is_valid(raise_exception=True)
    data = ser.validated_data
    customer = _customer(request.user, data["csid"])
    case = None
    if data["case_number"]:
        case = Case.objects.filter(case_number=data["case_number"]).first()
        if case is None:
            raise InvalidInput("No such case.", fields={"case_number": ["No case with this number."]})
    return {"actor": request.user, "customer": customer, "template_code": data["template_code"],
            "context": data["context"], "case": case}


class LetterListView(APIView):
    @extend_schema(
        operation_id="letters_list", parameters=[OpenApiParameter("csid", str, required=True)],
        responses=LetterSerializer(many=True),
    )
    def get(self, request):
        customer = _customer(request.user, request.query_params.get("csid", ""))
        letters = selectors.letters_for_customer(user=request.user, customer=customer)
        data = LetterSerializer(letters, many=True).data
        customer_data_read(actor=request.user, customer=customer, what="letters", detail={"count": len(data)})
        return Response(data)

    @extend_schema(request=LetterIssueSerializer, responses={201: LetterSerializer})
    def post(self, request):
        letter = services.letter_issue(**_issue_args(request))
        return Response(LetterSerializer(letter).data, status=status.HTTP_201_CREATED)


class LetterPreviewView(APIView):
    """The letter as it would be issued, with the same checks (disclosure control, size limits); nothing stored."""

    @extend_schema(operation_id="letters_preview", request=LetterIssueSerializer, responses={200: LetterPreviewSerializer})
    def post(self, request):
        args = _issue_args(request)
        composed = services.letter_preview(**args)
        customer_data_read(actor=request.user, customer=args["customer"], what="letter_preview",
                           detail={"template_code": composed.template.code})
        return Response(LetterPreviewSerializer({
            "template_code": composed.template.code, "title": composed.template.title, "html": composed.html,
            "source_data": composed.source, "step_ids": list(composed.step_ids),
        }).data)


class LetterDetailView(APIView):
    @extend_schema(responses=LetterSerializer)
    def get(self, request, pk: int):
        letter = selectors.letter_get(user=request.user, letter_id=pk)
        customer_data_read(actor=request.user, customer=letter.customer_id, what="letter", detail={"letter": letter.pk})
        return Response(LetterSerializer(letter).data)


class LetterPdfView(APIView):
    """The PDF as rendered, streamed from storage (never a public media URL); 409 while it is being prepared."""

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, pk: int):
        letter = selectors.letter_get(user=request.user, letter_id=pk)
        if letter.status != LetterStatus.READY:
            raise Conflict(
                "The letter's PDF is being prepared: try again in a moment." if letter.status == LetterStatus.PREPARING
                else "The letter's PDF could not be prepared yet; it is retried automatically.",
                code=f"pdf_{letter.status}", extra={"status": letter.status},
            )
        customer_data_read(actor=request.user, customer=letter.customer_id, what="letter_pdf",
                           detail={"letter": letter.pk})
        document = letter.document
        response = FileResponse(document.file.open("rb"), content_type="application/pdf")
        response["Content-Length"] = str(document.size)
        response["Content-Disposition"] = content_disposition(f"letter-{letter.pk}-{letter.template_code}.pdf", inline=True)
        response["X-Content-SHA256"] = document.sha256
        return response
