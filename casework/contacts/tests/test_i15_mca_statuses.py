"""Issue 15: the MCA status (CMA-2.1 for the unlock readiness, CMA-3.4) answered for many customers at once
(``customer_mca_statuses``, ``mca_facts_for_customers``) is the one-customer answer (``customer_mca_status``,
``mca_facts_for_customer``) for each of them, on generated records: cases in either role (first case by case
number), registration and liability, current and superseded role history, current and superseded incomes of every
source, open/closed/superseded debts of both kinds owed by either party with arrangements in any status, and contacts
before and after the lock started with or without MCA completed. And it costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.contacts import selectors
from casework.contacts.models import Contact
from casework.customers import models as cm
from casework.org.models import BusinessArea
from casework.testing.factories import CustomerFactory, OfficerFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)
D0 = dt.date(2020, 1, 1)

people = st.integers(min_value=0, max_value=3)  # 0..2: the customers asked about; 3: someone else
case_st = st.fixed_dictionaries({
    "payer": people, "payee": people,
    "status": st.sampled_from([s.value for s in cm.RegistrationStatus]),
    "liability": st.sampled_from([Decimal("0"), Decimal("5200.00")]),
    "history": st.lists(st.tuples(people, people, st.booleans()), max_size=2),  # (payer, payee, superseded)
})
income_st = st.tuples(people, st.sampled_from([s.value for s in cm.IncomeSource]), st.integers(0, 3), st.booleans())
debt_st = st.fixed_dictionaries({
    "case": st.integers(0, 3), "debtor": people,
    "kind": st.sampled_from([k.value for k in cm.DebtKind]),
    "open": st.booleans(), "superseded": st.booleans(),
    "arrangements": st.lists(st.sampled_from([s.value for s in cm.ArrangementStatus]), max_size=2),
})
# (customer, days from T0, MCA completed): narrow ranges, so contacts often start exactly when the lock started
contact_st = st.tuples(people, st.integers(-2, 2), st.booleans())
world_st = st.fixed_dictionaries({
    "cases": st.lists(case_st, max_size=4), "incomes": st.lists(income_st, max_size=5),
    "debts": st.lists(debt_st, max_size=5), "contacts": st.lists(contact_st, max_size=6),
    "since": st.lists(st.integers(-1, 1), min_size=3, max_size=3),
})


def _world(w, officer, area) -> tuple[list[cm.Customer], dict[int, dt.datetime]]:
    """Scenario data, written straight to the tables (not a write path)."""
    who = [CustomerFactory() for _ in range(4)]
    cases = []
    for c in w["cases"]:
        payer, payee = who[c["payer"]], who[c["payee"] if c["payee"] != c["payer"] else (c["payer"] + 1) % 4]
        case = cm.Case.objects.create(case_number=f"H{cm.Case.objects.count():08d}", payer=payer, payee=payee,
                                      registration_status=c["status"], annual_liability=c["liability"])
        cases.append(case)
        for i, (a, b, superseded) in enumerate(c["history"]):
            row = cm.CaseRoleHistory.objects.create(case=case, payer=who[a], payee=who[b],
                                                    from_date=D0 + dt.timedelta(days=365 * i))
            if superseded:
                cm.CaseRoleHistory.all_objects.filter(pk=row.pk).update(superseded_by=row)
    for person, source, years, superseded in w["incomes"]:
        row = cm.IncomeRecord.objects.create(customer=who[person], amount=Decimal("1000"), source=source,
                                             tax_year=2026, effective_from=D0 + dt.timedelta(days=365 * years))
        if superseded:
            cm.IncomeRecord.objects.filter(pk=row.pk).update(superseded_by=row)
    for d in w["debts"]:
        if not cases:
            break
        debt = cm.Debt.objects.create(case=cases[d["case"] % len(cases)], debtor=who[d["debtor"]], kind=d["kind"],
                                      amount=Decimal("100"), as_at=D0, is_open=d["open"])
        if d["superseded"]:
            cm.Debt.objects.filter(pk=debt.pk).update(superseded_by=debt)
        for i, status in enumerate(d["arrangements"]):
            cm.PaymentArrangement.objects.create(debt=debt, instalment=Decimal("10"), frequency="weekly",
                                                 start_date=D0 + dt.timedelta(days=i), status=status)
    for person, days, done in w["contacts"]:
        at = T0 + dt.timedelta(days=days)
        Contact.objects.create(customer=who[person], channel="phone", officer=officer, area=area, started_at=at,
                               mca_completed_at=at if done else None)
    asked = who[:3]
    return asked, {c.pk: T0 + dt.timedelta(days=s) for c, s in zip(asked, w["since"])}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(w=world_st)
def test_the_set_based_mca_status_is_the_per_customer_one(reference, w):
    officer = OfficerFactory()
    asked, since = _world(w, officer, BusinessArea.objects.get(code="SERVICES"))
    many_facts = selectors.mca_facts_for_customers([c.pk for c in asked])
    many = selectors.customer_mca_statuses(since)
    for customer in asked:
        assert many_facts[customer.pk] == selectors.mca_facts_for_customer(customer), customer.pk
        assert many[customer.pk] == selectors.customer_mca_status(customer, since=since[customer.pk]), customer.pk


def _required_customers(n, officer, area):
    """``n`` payers each with a child support debt and no arrangement (MCA required), with a contact each."""
    out = {}
    for _ in range(n):
        payer, payee = CustomerFactory(), CustomerFactory()
        case = cm.Case.objects.create(case_number=f"Q{cm.Case.objects.count():08d}", payer=payer, payee=payee,
                                      annual_liability=Decimal("5200"))
        cm.CaseRoleHistory.objects.create(case=case, payer=payer, payee=payee, from_date=D0)
        cm.IncomeRecord.objects.create(customer=payer, amount=Decimal("1"), source="estimate", tax_year=2026,
                                       effective_from=D0)
        cm.Debt.objects.create(case=case, debtor=payer, kind=cm.DebtKind.CHILD_SUPPORT_DEBT, amount=Decimal("1"),
                               as_at=D0)
        cm.Debt.objects.create(case=case, debtor=payee, kind=cm.DebtKind.OVERPAYMENT, amount=Decimal("1"), as_at=D0)
        Contact.objects.create(customer=payer, channel="phone", officer=officer, area=area, started_at=T0,
                               mca_completed_at=T0)
        out[payer.pk] = T0
    return out


def test_a_fixed_number_of_queries_whatever_the_number_of_customers(reference):
    """Fails on a per-customer read (13 queries per customer through ``customer_summary``)."""
    officer, area = OfficerFactory(), BusinessArea.objects.get(code="SERVICES")
    counts = []
    for n in (2, 6):
        since = _required_customers(n, officer, area)
        with CaptureQueriesContext(connection) as ctx:
            statuses = selectors.customer_mca_statuses(since)
        assert statuses == {c: (True, True) for c in since}
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 7, counts
