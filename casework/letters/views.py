"""Letters web: the PDF link of one letter, asked for again (htmx, every few seconds) while it is being prepared
(issue 15). Thin: the selector checks the permission; the PDF itself is served by the API's authenticated view."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from casework.core.errors import DomainError

from . import selectors
from .forms import PdfLinkForm


@login_required
@require_GET
def pdf_link(request, pk: int):
    try:
        letter = selectors.letter_get(user=request.user, letter_id=pk)
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.http_status, content_type="text/plain")
    return render(request, "letters/_pdf_link.html",
                  {"letter": letter, "link": PdfLinkForm(request.GET).style()})
