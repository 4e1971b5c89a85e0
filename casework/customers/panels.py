"""The "Case facts" section of the customer page: debts and overpayments (with corrections), arrangements and their
history, payments (with corrections), care (with corrections), income, role history, registration, DPOs, date of death, representatives and restricted service,
each with its django.forms form (posted to customers:fact_record)."""

from __future__ import annotations

from django.db.models import Prefetch

from . import forms, selectors
from .models import CareArrangement, CaseRoleHistory, IncomeSource


def customer_panel(request, customer) -> dict | None:
    user = request.user
    if not user.has_perm("customers.view_case"):
        return None
    # Each related kind in one query, its people joined in (issue 15: no query per level of the prefetch).
    cases = list(selectors.cases_for_customer(user=user, customer=customer).prefetch_related(
        Prefetch("care_arrangements", queryset=CareArrangement.objects.select_related("carer", "child")),
        Prefetch("role_history", queryset=CaseRoleHistory.objects.select_related("payer", "payee"))))
    corrected = list(selectors.corrected_role_periods(cases=cases))
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
        "debts": list(selectors.debts_for_customer(user=user, customer=customer)),
        "payments": list(selectors.payments_for_customer(user=user, customer=customer)),
        "income_sources": IncomeSource.choices,
        "incomes": list(customer.incomes.order_by("-effective_from", "-id")),
        "dpos": list(customer.dpos.select_related("case").order_by("-id")),
        "representatives": list(selectors.representatives_for_customer(user=user, customer=customer)),
        "restrictions": list(selectors.restrictions_for_customer(user=user, customer=customer)),
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
