"""Issue 10 (scope) in the guided contact: finalising considers every in-scope open issue of the customer
(measured case 3, CMA-3.1/3.2) and MCA reads every case of the customer (measured case 5, CMA-2.1/2.3)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from casework.contacts import policy, selectors, services
from casework.contacts.models import ContactStatus
from casework.core.errors import NotPermitted, TransitionRefused
from casework.core.models import AuditEvent
from casework.customers import services as customer_services
from casework.customers.models import IncomeSource
from casework.testing.factories import CaseFactory, CustomerFactory, DebtFactory, IncomeFactory

pytestmark = pytest.mark.django_db


def start(so, customer, case=None):
    contact = services.contact_start(actor=so.user, customer=customer, channel="phone", case=case)
    return services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB and address")


@pytest.fixture
def reliable_payer(reference):
    case = CaseFactory()
    IncomeFactory(customer=case.payer, source=IncomeSource.ATO_ISSUED)
    return case


def test_CMA_3_1_follow_up_contact_cannot_finalise_while_earlier_issue_open(so, reliable_payer):
    """Measured case 3 (CMA-3.1/3.2): an earlier contact's issue for the same customer is still open, so the
    follow-up contact's finalise is refused naming it (service and API), until it is finalised."""
    case = reliable_payer
    payer = case.payer
    first = start(so, payer, case)
    link = services.contact_issue_add(actor=so.user, contact=first, issue_type="income_update")
    services.contact_not_resolved(actor=so.user, contact=first, reason="Waiting for the tax return")
    follow_up = start(so, payer, case)
    services.contact_decision_explained(actor=so.user, contact=follow_up, customer=payer)
    with pytest.raises(TransitionRefused) as exc:
        services.contact_finalise(actor=so.user, contact=follow_up)
    assert any("Income update" in m for m in exc.value.extra["missing"])
    assert "CMA-3.2" in exc.value.step_ids
    c = APIClient()
    c.force_authenticate(so.user)
    check = c.get(f"/api/v1/contacts/{follow_up.pk}/finalise/check/").json()
    assert check["allowed"] is False and any("Income update" in m for m in check["facts"]["missing"])
    assert c.post(f"/api/v1/contacts/{follow_up.pk}/finalise/", {}, format="json").status_code == 409
    customer_services.presenting_issue_close(actor=so.user, issue=link.presenting_issue, status="finalised",
                                             outcome="Income updated from the tax return")
    assert services.contact_finalise(actor=so.user, contact=follow_up).status == ContactStatus.FINALISED
    assert AuditEvent.objects.filter(action="contact.finalise", customer_id=payer.pk).count() == 1


def test_CMA_3_2_issue_outside_the_officers_scope_does_not_block_finalise(so, reliable_payer):
    """CMA-1.2/3.2: an open Litigation issue (handled by Litigation) is not the Service Officer's to finalise, so it
    does not block the contact -- and the officer cannot close it from the contact either."""
    payer = reliable_payer.payer
    lit_issue = customer_services.presenting_issue_add(actor=so.user, customer=payer, issue_type="litigation")
    contact = start(so, payer, reliable_payer)
    services.contact_decision_explained(actor=so.user, contact=contact, customer=payer)
    assert [i.pk for i in selectors.open_issues_in_scope(contact)] == []
    with pytest.raises(NotPermitted):
        customer_services.presenting_issue_close(actor=so.user, issue=lit_issue, status="finalised", outcome="x")
    assert services.contact_finalise(actor=so.user, contact=contact).status == ContactStatus.FINALISED


def test_CMA_2_1_CMA_2_3_mca_reads_every_case_payee_first(so, reference):
    """Measured case 5 (CMA-2.1/2.3): payee on the first case by number, payer with an unarranged child support debt
    on another -> MCA is required and takes the payer debt path, whichever case is discussed."""
    customer = CustomerFactory()
    IncomeFactory(customer=customer, source=IncomeSource.ATO_ISSUED)
    payee_case = CaseFactory(case_number="A0000001", payee=customer)
    payer_case = CaseFactory(case_number="B0000001", payer=customer)
    DebtFactory(case=payer_case, debtor=customer, amount=Decimal("900.00"))
    contact = start(so, customer)  # no case chosen: the first case by number is the payee one
    assessment = selectors.mca_assessment(contact)
    assert assessment.required, assessment.reason
    assert assessment.payment_path == "debt_repayment" and assessment.expectations == "payer"
    assert "CMA-2.3" in assessment.steps
    # One contact per call (issue 14): the first call ends before the second one, about the payee case, starts.
    services.contact_abandon(actor=so.user, contact=contact, reason="call_dropped")
    discussed = start(so, customer, payee_case)
    assert selectors.mca_assessment(discussed).required
    assert payee_case.pk != payer_case.pk


@pytest.mark.parametrize(
    "facts, required, path",
    [
        pytest.param(policy.McaFacts(role="payee", roles=("payee", "payer"), income_reliable=True,
                                     cs_debt_without_arrangement=True), True, "debt_repayment",
                     id="CMA-2.1-CMA-2.3-payer-debt-on-another-case"),
        pytest.param(policy.McaFacts(role="payee", roles=("payee",), income_reliable=True,
                                     cs_debt_without_arrangement=True), False, "none",
                     id="CMA-2.3-payee-only-no-payer-debt-path"),
        pytest.param(policy.McaFacts(role="payer", roles=("payer", "payee"), income_reliable=True,
                                     owed_child_support=True, collection_enquiry=True), True, "payee_collection",
                     id="CMA-2.5-payee-collection-on-another-case"),
    ],
)
def test_mca_assess_every_case_table(facts, required, path):
    assessment = policy.mca_assess(facts)
    assert assessment.required is required
    assert assessment.payment_path == path
