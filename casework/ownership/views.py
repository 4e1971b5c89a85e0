"""Officer UI of ownership: the actions posted from the customer page's ownership panel, and the Team Leader
queue of ownership disputes (CMA-1.6). Thin: parse, call a service, report the outcome or the refusal's reason."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from casework.core.errors import DomainError
from casework.customers.selectors import customer_get

from . import selectors, services
from .api import _area_in, _officer_in
from .forms import AutoUnlockForm, UnlockForm, errors_text
from .models import OwnershipTransfer


def _back(csid: str):
    return redirect(reverse("web:customer", args=[csid]) + "#ownership")


def _run(request, csid: str, action, success: str):
    try:
        customer = customer_get(user=request.user, csid=csid)
        result = action(customer)
    except DomainError as exc:
        messages.error(request, str(exc))
        return _back(csid)
    messages.success(request, success.format(result=result))
    return _back(csid)


def _yes(request, name: str) -> bool:
    return request.POST.get(name) in ("on", "true", "1", "yes")


@login_required
@require_POST
def lock(request, csid: str):
    def act(customer):
        return services.customer_lock(
            actor=request.user, customer=customer, to_officer=_officer_in(request.POST.get("to_officer")),
            reason=request.POST.get("reason", ""),
        )

    return _run(request, csid, act, "Locked to {result.holder_label}.")


@login_required
@require_POST
def take_over(request, csid: str):
    return _run(request, csid, lambda c: services.lock_take_over(actor=request.user, customer=c,
                                                                 reason=request.POST.get("reason", "")),
                "Lock taken over; the previous holder has been notified by an intray.")


@login_required
@require_POST
def refer(request, csid: str):
    return _run(request, csid, lambda c: services.follow_up_refer(
        actor=request.user, customer=c, subject=request.POST.get("subject", ""),
        details=request.POST.get("details", "")), "Follow-up referred: {result.subject}.")


@login_required
@require_POST
def unlock(request, csid: str):
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return _back(csid)

    def act(customer):
        new = services.customer_unlock(actor=request.user, customer=customer, reason=form.cleaned_data["reason"],
                                       decision_explained=form.cleaned_data["decision_explained"],
                                       contact_attempted=form.cleaned_data["contact_attempted"])
        return f"now locked to {new.holder_label} (CMA-3.3)" if new is not None else "unlocked"

    return _run(request, csid, act, "Customer {result}.")


@login_required
@require_POST
def auto_unlock(request, csid: str):
    form = AutoUnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return _back(csid)
    return _run(request, csid, lambda c: services.auto_unlock_schedule(
        actor=request.user, customer=c, letters=form.cleaned_data["letters"], reason=form.cleaned_data["reason"],
        contact_attempted=form.cleaned_data["contact_attempted"]),
        "Automatic unlock scheduled for {result.due_at:%d/%m/%Y %H:%M} UTC (CMA-3.4).")


@login_required
@require_POST
def transfer(request, csid: str):
    return _run(request, csid, lambda c: services.ownership_transfer(
        actor=request.user, customer=c, to_area=_area_in(request.POST.get("to_area"), required=True),
        to_officer=_officer_in(request.POST.get("to_officer")),
        expected_contact_volume=request.POST.get("expected_contact_volume", ""),
        time_to_resolve=request.POST.get("time_to_resolve", ""), agreed_with=request.POST.get("agreed_with", ""),
        reason=request.POST.get("reason", "")),
        "Transfer sent for approval: {result.eligible.label} accepts it or not from their queue; nothing moves "
        "until then (CMA-1.6). Follow it at /approvals/{result.pk}/.")


@login_required
@require_POST
def dispute(request, csid: str):
    return _run(request, csid, lambda c: services.ownership_dispute_raise(
        actor=request.user, customer=c, to_area=_area_in(request.POST.get("to_area"), required=True),
        expected_contact_volume=request.POST.get("expected_contact_volume", ""),
        time_to_resolve=request.POST.get("time_to_resolve", ""), reason=request.POST.get("reason", "")),
        "Ownership dispute sent for a decision: {result.eligible.label} decides it from their queue (CMA-1.6). "
        "Follow it at /approvals/{result.pk}/.")


@login_required
@require_POST
def consult(request, csid: str):
    return _run(request, csid, lambda c: services.specialist_consultation_record(
        actor=request.user, customer=c, ps_case_manager=_officer_in(request.POST.get("ps_case_manager"),
                                                                    "ps_case_manager"),
        summary=request.POST.get("summary", ""), communication_approach=request.POST.get("communication_approach", ""),
        who_communicates=request.POST.get("who_communicates", ""),
        regular_updates=request.POST.get("regular_updates", ""), face_to_face=_yes(request, "face_to_face")),
        "Consultation with the PS Case Manager recorded (PS-SPE-1).")


@login_required
def team_queue(request):
    if not request.user.has_perm("ownership.view_team_queue"):
        return render(request, "ownership/team_queue.html",
                      {"refused": "Only a Team Leader sees and decides ownership disputes (CMA-1.6)."}, status=403)
    from casework.org.rules import officer_of

    disputes = selectors.disputes_open(areas=services.team_leader_areas(officer_of(request.user)))
    approvals = selectors.dispute_approvals(disputes)
    for d in disputes:
        d.approval_id = approvals.get(d.pk)
    return render(request, "ownership/team_queue.html", {"disputes": disputes})


@login_required
def dispute_decide(request, pk: int):
    """Issue 11: a dispute is decided on its request for approval (/approvals/<id>/), like every approval; this old
    address only leads there (a POST here decides nothing)."""
    dispute_row = get_object_or_404(OwnershipTransfer, pk=pk)
    approval = selectors.dispute_approvals([dispute_row]).get(dispute_row.pk)
    if approval is None:
        messages.error(request, "This ownership dispute has no decision waiting (CMA-1.6).")
        return redirect("ownership:team_queue")
    return redirect("approvals:detail", pk=approval)
