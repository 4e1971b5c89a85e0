"""/approvals/: the officer's decisions to make and their own requests; /approvals/<id>/: one request with its
history, the decision form (built from the kind's decision fields, django.forms) and, for the requester, withdraw."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casework.core.errors import DomainError, InvalidInput
from casework.customers.services import customer_data_read
from casework.org.pickers import OfficerField, PositionField

from . import policy, presentation, selectors, services
from .models import ApprovalStatus


def _error(request, error: DomainError):
    return render(request, "approvals/error.html", {"error": error}, status=error.http_status)


@login_required
def queue(request):
    try:
        selectors.require_viewer(user=request.user)
    except DomainError as exc:
        return _error(request, exc)
    return render(request, "approvals/queue.html", {
        "to_decide": selectors.approvals_to_decide(user=request.user),
        "mine": selectors.approvals_requested_by(user=request.user, limit=50),
    })


def decision_form_class(kind, payload=None) -> type[forms.Form]:
    payload = payload or {}
    reason_help = ("Required." if kind is not None and kind.reason_required_to_approve
                   else "Required when you do not approve.")
    fields: dict[str, forms.Field] = {
        "approve": forms.TypedChoiceField(choices=[("yes", "Approve"), ("no", "Do not approve")],
                                          coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                          label="Your decision",
                                          error_messages={"required": "Choose Approve or Do not approve."}),
        "reason": forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Reason",
                                  help_text=reason_help, max_length=4000),
        "version": forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1),
    }
    for f in (kind.decision_fields if kind else ()):
        if f.kind == "choice":
            fields[f.name] = forms.ChoiceField(choices=[("", "—"), *f.choices], required=False, label=f.label,
                                               help_text=f.help)
        elif f.kind == "bool":
            fields[f.name] = forms.BooleanField(required=False, label=f.label, help_text=f.help)
        elif f.kind == "officer":  # issue 14: the picker, limited to the officers who can take this
            fields[f.name] = OfficerField(scope=dict(f.option_filter(payload)), label=f.label, help_text=f.help)
        elif f.kind == "position":
            fields[f.name] = PositionField(scope=dict(f.option_filter(payload)), label=f.label, help_text=f.help)
        else:
            fields[f.name] = forms.CharField(required=False, label=f.label, help_text=f.help, max_length=4000,
                                             widget=forms.Textarea(attrs={"rows": 2}))
    fields["clean"] = _clean_decision
    return type("DecisionForm", (forms.Form,), fields)


REASON_NEEDED = "Give a reason for not approving: the requester reads it."


def _clean_decision(self):
    """A refusal needs a reason (said on the reason field, the rest of what was typed kept)."""
    data = forms.Form.clean(self)
    if data.get("approve") is False and not (data.get("reason") or "").strip():
        self.add_error("reason", REASON_NEEDED)
    return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, label="Why withdraw it")


def _page(request, row, form=None, withdraw_form=None, status=200):
    kind = selectors.kind_of(row)
    check = selectors.decision_check(user=request.user, approval=row)
    return render(request, "approvals/detail.html", {
        "row": row, "kind": kind, "history": selectors.history(approval=row), "check": check,
        "shown": presentation.present(row),
        "form": form or decision_form_class(kind, row.payload)(initial={"version": row.version}),
        "withdraw_form": withdraw_form or WithdrawForm(),
        "may_withdraw": row.status == ApprovalStatus.PENDING and row.requested_by_id == request.user.pk,
        "statuses": ApprovalStatus, "kinds": policy.KINDS,
    }, status=status)


@login_required
def detail(request, pk: int):
    try:
        row = selectors.approval_get(user=request.user, pk=pk)
    except DomainError as exc:
        return _error(request, exc)
    customer_data_read(actor=request.user, customer=row.customer, what="approval_request", detail={"ids": [row.pk]},
                       channel="ui")  # issue 13: every read of customer data
    return _page(request, row)


@login_required
@require_POST
def decide(request, pk: int):
    try:
        row = selectors.approval_get(user=request.user, pk=pk)
    except DomainError as exc:
        return _error(request, exc)
    form = decision_form_class(selectors.kind_of(row), row.payload)(request.POST)
    if not form.is_valid():
        return _page(request, row, form=form, status=400)
    data = dict(form.cleaned_data)
    approve, reason, version = data.pop("approve"), data.pop("reason"), data.pop("version")
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
    try:
        row = services.approval_decide(actor=request.user, approval=row, approve=approve, reason=reason, data=data,
                                       version=version)
    except InvalidInput as exc:
        for field, errors in exc.fields.items():
            form.add_error(field if field in form.fields else None, errors)
        if not exc.fields:
            form.add_error(None, exc.message)
        return _page(request, row, form=form, status=400)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("approvals:detail", pk=row.pk)
    messages.success(request, f"{'Approved' if row.status == ApprovalStatus.APPROVED else 'Not approved'}: "
                              f"{row.summary}")
    return redirect("approvals:detail", pk=row.pk)


@login_required
@require_POST
def withdraw(request, pk: int):
    try:
        row = selectors.approval_get(user=request.user, pk=pk)
    except DomainError as exc:
        return _error(request, exc)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _page(request, row, withdraw_form=form, status=400)
    try:
        services.approval_withdraw(actor=request.user, approval=row, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Request withdrawn.")
    return redirect("approvals:detail", pk=row.pk)
