"""Officer UI of ownership: the actions posted from the customer page's ownership panel, and the Team Leader
queue of ownership disputes (CMA-1.6). Thin: parse (``ownership/forms.py``), call a service, report the outcome; a
refusal re-renders the customer page with the form as typed (``core.pages``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from casework.core.errors import DomainError
from casework.core.forms import refuse, status_of
from casework.core.pages import customer_page
from casework.customers.selectors import customer_get
from casework.org.models import BusinessArea

from . import forms, selectors, services
from .api import _area_in
from .models import OwnershipTransfer


def _back(csid: str):
    return redirect(reverse("web:customer", args=[csid]) + "#ownership")


def _run(request, csid: str, key: str, form, action, success: str):
    """Parse ``form``; valid: do ``action(customer, cleaned_data)`` and go back to the customer page with ``success``.
    Invalid or refused: the customer page again (400, or the refusal's 403/409) with the form as typed in the
    ownership panel and the reason and step IDs in the summary at the top."""
    try:
        customer = customer_get(user=request.user, csid=csid)
    except DomainError as exc:
        return render(request, "web/error.html", {"error": exc}, status=exc.http_status)
    if form.is_valid():
        try:
            result = action(customer, form.cleaned_data)
        except DomainError as exc:
            refuse(form, exc)
        else:
            messages.success(request, success.format(result=result))
            return _back(csid)
    return customer_page(request, csid, form_key=f"ownership.{key}", form=form, status=status_of(form))


def _specialised_areas():
    return BusinessArea.objects.filter(kind="specialised", is_active=True)


@login_required
@require_POST
def lock(request, csid: str):
    return _run(request, csid, "lock", forms.LockForm(request.POST), lambda c, d: services.customer_lock(
        actor=request.user, customer=c, to_officer=d["to_officer"], reason=d["reason"]),
        "Locked to {result.holder_label}.")


@login_required
@require_POST
def take_over(request, csid: str):
    return _run(request, csid, "take_over", forms.TakeOverForm(request.POST), lambda c, d: services.lock_take_over(
        actor=request.user, customer=c, reason=d["reason"]),
        "Lock taken over; the previous holder has been notified by an intray.")


@login_required
@require_POST
def refer(request, csid: str):
    return _run(request, csid, "refer", forms.ReferForm(request.POST), lambda c, d: services.follow_up_refer(
        actor=request.user, customer=c, subject=d["subject"], details=d["details"]),
        "Follow-up referred: {result.subject}.")


@login_required
@require_POST
def unlock(request, csid: str):
    def act(customer, d):
        new = services.customer_unlock(actor=request.user, customer=customer, reason=d["reason"],
                                       decision_explained=d["decision_explained"],
                                       contact_attempted=d["contact_attempted"])
        return f"now locked to {new.holder_label} (CMA-3.3)" if new is not None else "unlocked"

    return _run(request, csid, "unlock", forms.UnlockForm(request.POST), act, "Customer {result}.")


@login_required
@require_POST
def auto_unlock(request, csid: str):
    return _run(request, csid, "auto_unlock", forms.AutoUnlockForm(request.POST),
                lambda c, d: services.auto_unlock_schedule(
                    actor=request.user, customer=c, letters=d["letters"], reason=d["reason"],
                    contact_attempted=d["contact_attempted"]),
                "Automatic unlock scheduled for {result.due_at:%d/%m/%Y %H:%M} UTC (CMA-3.4).")


@login_required
@require_POST
def transfer(request, csid: str):
    return _run(request, csid, "transfer", forms.TransferForm(request.POST, areas=_specialised_areas()),
                lambda c, d: services.ownership_transfer(
                    actor=request.user, customer=c, to_area=_area_in(d["to_area"], required=True),
                    to_officer=d["to_officer"], expected_contact_volume=d["expected_contact_volume"],
                    time_to_resolve=d["time_to_resolve"], agreed_with=d["agreed_with"], reason=d["reason"]),
                "Transfer sent for approval: {result.eligible.label} accepts it or not from their queue; nothing "
                "moves until then (CMA-1.6). Follow it at /approvals/{result.pk}/.")


@login_required
@require_POST
def dispute(request, csid: str):
    return _run(request, csid, "dispute", forms.DisputeForm(request.POST, areas=_specialised_areas()),
                lambda c, d: services.ownership_dispute_raise(
                    actor=request.user, customer=c, to_area=_area_in(d["to_area"], required=True),
                    expected_contact_volume=d["expected_contact_volume"], time_to_resolve=d["time_to_resolve"],
                    reason=d["reason"]),
                "Ownership dispute sent for a decision: {result.eligible.label} decides it from their queue "
                "(CMA-1.6). Follow it at /approvals/{result.pk}/.")


@login_required
@require_POST
def consult(request, csid: str):
    return _run(request, csid, "consult", forms.ConsultForm(request.POST),
                lambda c, d: services.specialist_consultation_record(
                    actor=request.user, customer=c,
                    ps_case_manager=d["ps_case_manager"], summary=d["summary"],
                    communication_approach=d["communication_approach"], who_communicates=d["who_communicates"],
                    regular_updates=d["regular_updates"], face_to_face=d["face_to_face"]),
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
