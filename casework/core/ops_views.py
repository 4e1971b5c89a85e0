"""The operator screen at /ops/failures/ (administrators): open failed job items and a "Retry now" button."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services
from .errors import DomainError
from .ops_api import require_operator


def _refused(request, error: DomainError):
    return render(request, "web/error.html", {"error": error}, status=error.http_status)


@login_required
def failures(request):
    try:
        require_operator(request.user)
    except DomainError as exc:
        return _refused(request, exc)
    return render(request, "core/ops_failures.html", {"failures": selectors.job_item_failures_open()[:500]})


@login_required
@require_POST
def failure_retry(request, pk: int):
    try:
        failure = services.job_item_retry_now(actor=request.user, failure_id=pk)
    except DomainError as exc:
        return _refused(request, exc)
    messages.success(request, f"{failure.job} {failure.item_type}:{failure.item_id} will be retried on the next run.")
    return redirect("ops:failures")
