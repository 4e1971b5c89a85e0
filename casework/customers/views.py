"""Recording case financial and care facts from the customer page (officer UI). Thin: a django.forms form parses
the POST, a service (the same one the API calls) checks and writes, and the officer is sent back to the page with
the result or the refusal (reason, step IDs, a message per field)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from casework.core.errors import DomainError, InvalidInput, NotFound

from . import forms, selectors, services
from .models import CareArrangement, Case, Debt, PaymentArrangement, PaymentReceived


def _case(request, customer, number: str) -> Case:
    case = selectors.cases_for_customer(user=request.user, customer=customer).filter(case_number=number).first()
    if case is None:
        raise InvalidInput("Choose one of the customer's cases.", fields={"case_number": ["Not this customer's case."]})
    return case


def _debt(customer, pk) -> Debt:
    debt = Debt.objects.filter(pk=pk, debtor=customer).first()
    if debt is None:
        raise NotFound("This customer owes no such debt.")
    return debt


def _one(rows, pk: int, message: str):
    """The row ``pk`` among ``rows`` (scoped to this customer), or 404 with ``message``."""
    row = rows.filter(pk=pk).first()
    if row is None:
        raise NotFound(message)
    return row


def _record(request, customer, kind: str, data: dict) -> str:
    user = request.user
    if kind == "debt":
        services.debt_record(actor=user, case=_case(request, customer, data["case_number"]), debtor=customer,
                             kind=data["kind"], amount=data["amount"], as_at=data["as_at"], source=data["source"])
        return "Debt recorded."
    if kind == "debt-correct":
        services.debt_correct(actor=user, debt=_debt(customer, data["debt_id"]), amount=data["amount"],
                              as_at=data["as_at"], reason=data["reason"], version=data["version"])
        return "Debt corrected; the earlier figure is kept with your reason."
    if kind == "arrangement":
        services.payment_arrangement_create(actor=user, debt=_debt(customer, data["debt_id"]),
                                            instalment=data["instalment"], frequency=data["frequency"],
                                            start_date=data["start_date"])
        return "Payment arrangement recorded."
    if kind == "arrangement-change":
        row = PaymentArrangement.objects.filter(pk=data["arrangement_id"], debt__debtor=customer).first()
        if row is None:
            raise NotFound("No such arrangement for this customer.")
        if data["change"] == "amend":
            services.payment_arrangement_amend(actor=user, arrangement=row, reason=data["reason"],
                                               instalment=data["instalment"], frequency=data["frequency"] or None,
                                               start_date=data["start_date"], version=data["version"])
        elif data["change"] == "default":
            services.payment_arrangement_default(actor=user, arrangement=row, reason=data["reason"],
                                                 version=data["version"])
        else:
            services.payment_arrangement_end(actor=user, arrangement=row, reason=data["reason"],
                                             version=data["version"])
        return "Arrangement updated."
    if kind == "payment":
        case = _case(request, customer, data["case_number"])
        debt = _debt(customer, data["debt_id"]) if data.get("debt_id") else None
        services.payment_received_record(actor=user, case=case, payer=customer, debt=debt, amount=data["amount"],
                                         received_on=data["received_on"])
        return "Payment recorded."
    if kind == "payment-correct":
        cases = selectors.cases_for_customer(user=user, customer=customer)
        payment = _one(PaymentReceived.objects.filter(case__in=cases), data["payment_id"],
                       "No such payment on this customer's cases.")
        services.payment_received_correct(actor=user, payment=payment, reason=data["reason"], amount=data["amount"],
                                          received_on=data["received_on"], version=data["version"])
        return "Payment corrected; the earlier record is kept with your reason."
    if kind == "care":
        child = None
        for case in selectors.cases_for_customer(user=user, customer=customer):
            child = child or case.children.filter(pk=data["child_id"]).first()
        if child is None:
            raise InvalidInput("Choose a child on one of the customer's cases.", fields={"child_id": ["No such child."]})
        services.care_arrangement_record(actor=user, case=child.case, child=child, carer=customer,
                                         care_percentage=data["care_percentage"], effective_from=data["effective_from"])
        return "Care recorded."
    if kind == "care-correct":
        cases = selectors.cases_for_customer(user=user, customer=customer)
        care = _one(CareArrangement.objects.filter(case__in=cases), data["care_id"],
                    "No such care record on this customer's cases.")
        services.care_arrangement_correct(actor=user, care=care, reason=data["reason"],
                                          care_percentage=data["care_percentage"],
                                          effective_from=data["effective_from"], version=data["version"])
        return "Care corrected; the earlier record is kept with your reason."
    if kind == "income":
        services.income_record_add(actor=user, customer=customer, **data)
        return "Income recorded."
    if kind == "income-correct":
        row = _one(customer.incomes.all(), data["income_id"], "No such income record for this customer.")
        services.income_record_correct(actor=user, income=row, reason=data["reason"], amount=data["amount"],
                                       source=data["source"] or None, tax_year=data["tax_year"],
                                       effective_from=data["effective_from"], version=data["version"])
        return "Income corrected; the earlier record is kept with your reason and no longer counts."
    if kind == "roles":
        services.case_roles_reverse(actor=user, case=_case(request, customer, data["case_number"]),
                                    effective_from=data["effective_from"], reason=data["reason"],
                                    version=data["version"])
        return "Roles reversed; the earlier period is kept."
    if kind == "roles-correct":
        services.case_roles_correct(actor=user, case=_case(request, customer, data["case_number"]),
                                    effective_from=data["effective_from"], undo=data["undo"], reason=data["reason"],
                                    version=data["version"])
        return ("Role reversal undone; the replaced periods are kept with your reason." if data["undo"] else
                "Role reversal date corrected; the replaced periods are kept with your reason.")
    if kind == "registration":
        services.case_registration_set(actor=user, case=_case(request, customer, data["case_number"]),
                                       registration_status=data["registration_status"], reason=data["reason"],
                                       version=data["version"])
        return "Registration status changed."
    if kind == "dpo":
        case = _case(request, customer, data["case_number"]) if data.get("case_number") else None
        services.dpo_record(actor=user, customer=customer, status=data["status"], case=case,
                            issued_on=data["issued_on"], reason=data["reason"])
        return "DPO recorded."
    if kind == "dpo-correct":
        row = _one(customer.dpos.all(), data["dpo_id"], "No such DPO for this customer.")
        services.dpo_correct(actor=user, dpo=row, reason=data["reason"], status=data["status"] or None,
                             issued_on=data["issued_on"], version=data["version"])
        return "DPO corrected; the earlier record is kept with your reason."
    if kind == "death":
        services.customer_update(actor=user, customer=customer, reason=data["reason"],
                                 date_of_death=data["date_of_death"], version=data.get("version"))
        return "Date of death recorded."
    if kind == "representative":
        services.representative_add(actor=user, customer=customer, **data)
        return "Authorised representative recorded."
    if kind == "representative-end":
        rep = _one(customer.representatives.all(), data["row_id"], "No such representative for this customer.")
        services.representative_end(actor=user, representative=rep, reason=data["reason"], version=data["version"])
        return "The representative's authority has ended."
    if kind == "restriction-end":
        row = _one(customer.contact_restrictions.all(), data["row_id"],
                   "No such restricted service for this customer.")
        services.contact_restriction_end(actor=user, restriction=row, reason=data["reason"],
                                         version=data["version"])
        return ("Ending the restricted service was sent to the National Manager for approval: it stays in force "
                "until the National Manager Quality and Customer Complaints approves it (PS-ORM-3).")
    if kind == "restriction":
        services.contact_restriction_add(actor=user, customer=customer, **data)
        return ("Restricted service proposed: it is not in force until a PS Team Leader other than you approves the "
                "request for approval on /approvals/ (PS-ORM-3).")
    raise NotFound("Unknown fact.")


FORMS = {
    "debt": forms.DebtForm, "debt-correct": forms.DebtCorrectForm, "arrangement": forms.ArrangementForm,
    "arrangement-change": forms.ArrangementChangeForm, "payment": forms.PaymentForm, "care": forms.CareForm,
    "roles": forms.RoleReversalForm, "roles-correct": forms.RoleCorrectForm, "registration": forms.RegistrationForm, "dpo": forms.DpoForm,
    "death": forms.DeathForm, "representative": forms.RepresentativeForm, "restriction": forms.RestrictionForm,
    "payment-correct": forms.PaymentCorrectForm, "care-correct": forms.CareCorrectForm, "income": forms.IncomeForm,
    "income-correct": forms.IncomeCorrectForm,
    "dpo-correct": forms.DpoCorrectForm,
    "representative-end": forms.EndForm, "restriction-end": forms.EndForm,
}


@login_required
@require_POST
def fact_record(request, csid: str, kind: str):
    back = reverse("web:customer", kwargs={"csid": csid}) + "#facts"
    if kind == "restriction-decision":
        # Issue 11: a proposed restricted service is decided as a request for approval, from the decider's queue.
        messages.info(request, "Restricted service is decided on the request for approval, from your queue "
                               "(PS-ORM-3).")
        return redirect(reverse("approvals:queue"))
    form_class = FORMS.get(kind)
    try:
        customer = selectors.customer_get(user=request.user, csid=csid)
        if form_class is None:
            raise NotFound("Unknown fact.")
        form = form_class(request.POST)
        if not form.is_valid():
            raise InvalidInput("Check the highlighted fields.", fields={k: list(v) for k, v in form.errors.items()})
        done = _record(request, customer, kind, form.cleaned_data)
    except DomainError as exc:
        steps = f" ({', '.join(exc.step_ids)})" if exc.step_ids else ""
        messages.error(request, f"{exc.message}{steps}")
        for field, problems in exc.fields.items():
            for problem in problems:
                messages.error(request, f"{field.replace('_', ' ').capitalize()}: {problem}")
    else:
        messages.success(request, done)
    return redirect(back)
