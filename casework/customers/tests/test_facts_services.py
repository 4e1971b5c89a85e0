"""Services for case financial and care facts: sense checks (400 per field), audit events, corrections that
supersede (nothing deleted), arrangement status history (docs/facts.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from casework.core import clock
from casework.core.errors import InvalidInput, NotPermitted, TransitionRefused
from casework.core.models import AuditEvent
from casework.customers import models as cm
from casework.customers import selectors, services
from casework.org.roles import Role
from casework.testing import factories as f

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def events(customer):
    return list(AuditEvent.objects.filter(customer_id=customer.pk).order_by("id").values_list("action", flat=True))


@pytest.fixture
def debt(officer):
    case = f.CaseFactory()
    return services.debt_record(actor=officer.user, case=case, debtor=case.payer, kind="child_support_debt",
                                amount="4860.00", as_at=dt.date(2026, 11, 27), source="Collection ledger")


@pytest.mark.parametrize(
    "instalment, start, field",
    [("99999999", dt.date(2026, 12, 1), "instalment"), ("0.01", dt.date(1999, 1, 1), "start_date")],
    ids=["CMA-2.6-measured-99999999-weekly-vs-4860-debt", "CMA-2.6-measured-1-cent-starting-1999"],
)
def test_measured_arrangements_refused_with_field_messages(officer, debt, instalment, start, field):
    with pytest.raises(InvalidInput) as exc:
        services.payment_arrangement_create(actor=officer.user, debt=debt, instalment=instalment, frequency="weekly",
                                            start_date=start)
    assert field in exc.value.fields and exc.value.fields[field][0]
    assert "CMA-2.6" in exc.value.step_ids
    assert not cm.PaymentArrangement.objects.filter(debt=debt).exists()


def test_arrangement_lifecycle_active_amended_defaulted_ended_with_history(officer, debt):
    a1 = services.payment_arrangement_create(actor=officer.user, debt=debt, instalment="100", frequency="weekly",
                                             start_date=dt.date(2026, 12, 1))
    with pytest.raises(InvalidInput) as exc:  # an amendment is sense-checked too
        services.payment_arrangement_amend(actor=officer.user, arrangement=a1, instalment="99999999", reason="typo")
    assert "instalment" in exc.value.fields
    with pytest.raises(InvalidInput):
        services.payment_arrangement_amend(actor=officer.user, arrangement=a1, instalment="150", reason="")
    a2 = services.payment_arrangement_amend(actor=officer.user, arrangement=a1, instalment="150", reason="Pay rise")
    a1.refresh_from_db()
    assert (a1.status, a2.status, a2.replaces_id) == ("amended", "active", a1.pk)
    with pytest.raises(TransitionRefused):
        services.payment_arrangement_amend(actor=officer.user, arrangement=a1, instalment="120", reason="again")
    services.payment_arrangement_default(actor=officer.user, arrangement=a2, reason="Missed three payments")
    services.payment_arrangement_end(actor=officer.user, arrangement=a2, reason="Referred to enforcement")
    history = list(a2.status_history.values_list("from_status", "to_status"))
    assert history == [("", "active"), ("active", "defaulted"), ("defaulted", "ended")]
    assert list(a1.status_history.values_list("to_status", flat=True)) == ["active", "amended"]
    assert events(debt.debtor) == ["debt.record", "payment_arrangement.create", "payment_arrangement.amend",
                                   "payment_arrangement.default", "payment_arrangement.end"]
    with pytest.raises(TransitionRefused):
        services.payment_arrangement_end(actor=officer.user, arrangement=a2, reason="again")


def test_debt_correction_supersedes_and_keeps_the_old_row(officer, debt):
    a = services.payment_arrangement_create(actor=officer.user, debt=debt, instalment="100", frequency="weekly",
                                            start_date=dt.date(2026, 12, 1))
    with pytest.raises(InvalidInput):
        services.debt_correct(actor=officer.user, debt=debt, amount="4000", reason=" ")
    new = services.debt_correct(actor=officer.user, debt=debt, amount="4000", reason="Payment missed in ledger")
    debt.refresh_from_db()
    a.refresh_from_db()
    assert (debt.is_open, debt.superseded_by_id, debt.correction_reason) == (False, new.pk, "Payment missed in ledger")
    assert (new.amount, new.is_open, a.debt_id) == (Decimal("4000.00"), True, new.pk)
    event = AuditEvent.objects.get(action="debt.correct")
    assert event.before["amount"] == "4860.00" and event.after["amount"] == "4000.00"
    assert event.reason == "Payment missed in ledger"
    with pytest.raises(TransitionRefused):
        services.debt_correct(actor=officer.user, debt=debt, amount="1", reason="again")
    # the corrected figure is the one the summary reads
    summary = selectors.customer_summary(customer=new.debtor)
    assert [d.debt.pk for d in summary.debts] == [new.pk]


@pytest.mark.parametrize(
    "change, field",
    [({"amount": "0"}, "amount"), ({"amount": "-10"}, "amount"), ({"as_at": dt.date(2027, 1, 1)}, "as_at"),
     ({"amount": "99999999999"}, "amount")],
    ids=["CMA-2.3-zero", "CMA-2.3-negative", "CMA-2.3-future", "CMA-2.3-implausible"],
)
def test_debt_sense_checks(officer, change, field):
    case = f.CaseFactory()
    kwargs = dict(actor=officer.user, case=case, debtor=case.payer, kind="child_support_debt", amount="10",
                  as_at=dt.date(2026, 1, 1))
    with pytest.raises(InvalidInput) as exc:
        services.debt_record(**{**kwargs, **change})
    assert field in exc.value.fields


def test_payment_received_within_the_debt_and_corrected(officer, debt):
    with pytest.raises(InvalidInput) as exc:
        services.payment_received_record(actor=officer.user, case=debt.case, payer=debt.debtor, debt=debt,
                                         amount="5000", received_on=dt.date(2026, 11, 28))
    assert "amount" in exc.value.fields
    p = services.payment_received_record(actor=officer.user, case=debt.case, payer=debt.debtor, debt=debt,
                                         amount="860", received_on=dt.date(2026, 11, 28))
    with pytest.raises(InvalidInput):  # only 4000 left
        services.payment_received_record(actor=officer.user, case=debt.case, payer=debt.debtor, debt=debt,
                                         amount="4000.01", received_on=dt.date(2026, 11, 28))
    p2 = services.payment_received_correct(actor=officer.user, payment=p, amount="680", reason="Keying error")
    p.refresh_from_db()
    assert (p.superseded_by_id, p2.amount) == (p2.pk, Decimal("680.00"))
    assert events(debt.debtor)[-2:] == ["payment.record", "payment.correct"]


def test_care_cannot_exceed_100_percent_and_is_corrected_by_superseding(officer):
    case = f.CaseFactory()
    child = cm.Child.objects.create(case=case, given_names="Kim", family_name="K", date_of_birth=dt.date(2018, 1, 1))
    first = services.care_arrangement_record(actor=officer.user, case=case, child=child, carer=case.payee,
                                             care_percentage=65, effective_from=dt.date(2026, 1, 1))
    with pytest.raises(InvalidInput) as exc:
        services.care_arrangement_record(actor=officer.user, case=case, child=child, carer=case.payer,
                                         care_percentage=36, effective_from=dt.date(2026, 1, 1))
    assert "100%" in exc.value.fields["care_percentage"][0] and exc.value.step_ids == ("CMA-2.1",)
    services.care_arrangement_record(actor=officer.user, case=case, child=child, carer=case.payer,
                                     care_percentage=35, effective_from=dt.date(2026, 1, 1))
    with pytest.raises(InvalidInput):
        services.care_arrangement_correct(actor=officer.user, care=first, care_percentage=70, reason="Recount")
    fixed = services.care_arrangement_correct(actor=officer.user, care=first, care_percentage=60, reason="Recount")
    first.refresh_from_db()
    assert first.superseded_by_id == fixed.pk and first.care_percentage == 65
    summary = selectors.customer_summary(customer=case.payee)
    assert sorted(c.care_percentage for c in summary.cases[0].care) == [35, 60]
    with pytest.raises(InvalidInput) as exc:  # before the child's birth
        services.care_arrangement_record(actor=officer.user, case=case, child=child, carer=case.payer,
                                         care_percentage=10, effective_from=dt.date(2017, 1, 1))
    assert "effective_from" in exc.value.fields
    assert events(case.payee) == ["care.record", "care.correct"]


def test_registration_pending_and_dob_sense_check(officer):
    case = f.CaseFactory()
    services.case_registration_set(actor=officer.user, case=case, registration_status="pending", reason="New application")
    case.refresh_from_db()
    assert case.registration_status == "pending"
    with pytest.raises(TransitionRefused):
        services.case_registration_set(actor=officer.user, case=case, registration_status="pending", reason="again")
    with pytest.raises(InvalidInput) as exc:
        services.customer_update(actor=officer.user, customer=case.payer, reason="typo", date_of_birth=dt.date(1899, 1, 1))
    assert "date_of_birth" in exc.value.fields
    services.customer_update(actor=officer.user, customer=case.payer, reason="Death certificate",
                             date_of_death=dt.date(2026, 11, 1))
    case.payer.refresh_from_db()
    assert case.payer.is_deceased


def test_fact_writes_need_a_caseworker(reference):
    auditor = f.OfficerFactory(role=Role.AUDITOR)
    case = f.CaseFactory()
    with pytest.raises(NotPermitted):
        services.debt_record(actor=auditor.user, case=case, debtor=case.payer, kind="child_support_debt",
                             amount="10", as_at=dt.date(2026, 1, 1))


def test_amendment_keeping_the_original_start_is_not_refused_for_it_cma_2_6(officer, debt):
    """The debt's 'as at' balance date moves on (a correction); amending the instalment keeps the old start date."""
    a = services.payment_arrangement_create(actor=officer.user, debt=debt, instalment="100", frequency="weekly",
                                            start_date=dt.date(2026, 11, 28))
    services.debt_correct(actor=officer.user, debt=debt, as_at=dt.date(2026, 11, 29), reason="New balance")
    new = services.payment_arrangement_amend(actor=officer.user, arrangement=a, instalment="120", reason="More income")
    assert new.start_date == dt.date(2026, 11, 28)
    with pytest.raises(InvalidInput) as exc:  # a new start date is still checked
        services.payment_arrangement_amend(actor=officer.user, arrangement=new, start_date=dt.date(2026, 11, 20),
                                           reason="Backdate")
    assert "start_date" in exc.value.fields
