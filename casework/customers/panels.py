"""The "Case facts" section of the customer page: debts and overpayments (with corrections), arrangements and their
history, payments (with corrections), care (with corrections), income, role history, registration, DPOs, date of death, representatives and restricted service,
each with its django.forms form (posted to customers:fact_record)."""

from __future__ import annotations

from . import forms, selectors
from .models import IncomeSource


def customer_panel(request, customer, record=None) -> dict | None:
    """``record``: the request's customer record (issue 15): its facts (``selectors.CustomerFacts``, read in full)
    are what this panel lists, read once for every panel of the page."""
    user = request.user
    if not user.has_perm("customers.view_case"):
        return None
    facts = record.facts if record is not None and record.facts.full else selectors.customer_facts(customer=customer)
    cases = list(facts.cases)
    corrected = list(facts.corrected_roles)
    for case in cases:
        # Each case's own forms carry its number and the version the page was read at (issue 13).
        initial = {"case_number": case.case_number, "version": case.version}
        case.roles_form = forms.RoleReversalForm(initial=initial, auto_id=f"id_roles_{case.pk}_%s")
        case.roles_correct_form = forms.RoleCorrectForm(initial=initial, auto_id=f"id_roles_correct_{case.pk}_%s")
        case.has_reversal = len(case.role_history.all()) > 1
        case.corrected_roles = [h for h in corrected if h.case_id == case.pk]
        case.registration_form = forms.RegistrationForm(initial=initial, auto_id=f"id_registration_{case.pk}_%s")
    return {
        "customer": customer,
        "cases": cases,
        "debts": list(facts.debts),
        "payments": list(facts.payments),
        "income_sources": IncomeSource.choices,
        "incomes": list(facts.incomes),
        "dpos": list(facts.dpos),
        "representatives": list(facts.representatives),
        "restrictions": list(facts.restrictions),
        "can_record": user.has_perm("customers.record_collection"),
        "can_propose_restriction": user.has_perm("customers.propose_restriction"),
        "can_change_representative": user.has_perm("customers.change_representative"),
        "can_end_restriction": user.has_perm("customers.restrict_service"),
        "forms": {
            "debt": forms.DebtForm(), "arrangement": forms.ArrangementForm(), "payment": forms.PaymentForm(),
            "care": forms.CareForm(),
            "dpo": forms.DpoForm(), "death": forms.DeathForm(initial={"version": customer.version}),
            "representative": forms.RepresentativeForm(), "restriction": forms.RestrictionForm(),
            "income": forms.IncomeForm(),
        },
    }
