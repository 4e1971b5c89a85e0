"""Letters API: issue, list per customer, read, download the PDF as issued."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.core.errors import InvalidInput, NotFound
from casework.customers.models import Case

from . import registry, selectors, services
from .models import Letter


def _customer(user, csid: str):
    from casework.customers.selectors import customer_get

    return customer_get(user=user, csid=csid)


class LetterSerializer(serializers.ModelSerializer):
    csid = serializers.CharField(source="customer.csid")
    case_number = serializers.CharField(source="case.case_number", default=None)
    issued_by = serializers.CharField(source="issued_by.username")
    signed_by = serializers.CharField(source="signed_by.username", default=None)
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Letter
        fields = [
            "id", "csid", "case_number", "template_code", "title", "source_data", "sha256", "issued_at",
            "issued_by", "signed_by", "step_ids", "pdf_url",
        ]

    def get_pdf_url(self, obj) -> str:
        return f"/api/v1/letters/{obj.pk}/pdf/"


class LetterIssueSerializer(serializers.Serializer):
    csid = serializers.CharField()
    template_code = serializers.ChoiceField(choices=[])
    context = serializers.DictField(required=False, default=dict)
    case_number = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template_code"].choices = [t.code for t in registry.all_templates()]


class LetterListView(APIView):
    @extend_schema(
        operation_id="letters_list", parameters=[OpenApiParameter("csid", str, required=True)],
        responses=LetterSerializer(many=True),
    )
    def get(self, request):
        customer = _customer(request.user, request.query_params.get("csid", ""))
        letters = selectors.letters_for_customer(user=request.user, customer=customer)
        return Response(LetterSerializer(letters, many=True).data)

    @extend_schema(request=LetterIssueSerializer, responses={201: LetterSerializer})
    def post(self, request):
        ser = LetterIssueSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        customer = _customer(request.user, data["csid"])
        case = None
        if data["case_number"]:
            case = Case.objects.filter(case_number=data["case_number"]).first()
            if case is None:
                raise InvalidInput("No such case.", fields={"case_number": ["No case with this number."]})
        letter = services.letter_issue(
            actor=request.user,
            customer=customer,
            template_code=data["template_code"],
            context=data["context"],
            case=case,
        )
        return Response(LetterSerializer(letter).data, status=status.HTTP_201_CREATED)


class LetterDetailView(APIView):
    @extend_schema(responses=LetterSerializer)
    def get(self, request, pk: int):
        return Response(LetterSerializer(selectors.letter_get(user=request.user, letter_id=pk)).data)


class LetterPdfView(APIView):
    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, pk: int):
        letter = selectors.letter_get(user=request.user, letter_id=pk)
        if not letter.pdf:
            raise NotFound("This letter has no PDF.")
        response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="letter-{letter.pk}-{letter.template_code}.pdf"'
        return response
