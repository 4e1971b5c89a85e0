"""Issue 15: the customer page reads each kind of data once, so its query count does not grow with what the customer
has (cases, children and care, role history, debts and arrangements, payments, notes, intrays, representatives,
restrictions, a lock). The issue's target is 12 queries; where it stands is in ``test_query_budgets.py``."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from casework.customers import models as cm
from casework.customers import services as customer_services
from casework.customers.tests.test_selectors import build_payer
from casework.intrays import services as intray_services
from casework.ownership import services as ownership_services
from casework.testing import factories as f
from casework.web.tests.test_query_budgets import BUDGETS, demo_book  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _more_of_everything(officer, case):
    payer, payee = case.payer, case.payee
    other = f.CaseFactory(payer=payer)
    child = cm.Child.objects.create(case=other, given_names="Kim", family_name="Y", date_of_birth=dt.date(2016, 6, 6))
    cm.CareArrangement.objects.create(case=other, child=child, carer=other.payee, care_percentage=60,
                                      effective_from=dt.date(2025, 1, 1))
    debt = f.DebtFactory(case=other)
    cm.PaymentArrangement.objects.create(debt=debt, instalment=30, frequency="weekly", start_date=dt.date(2026, 2, 1))
    cm.PaymentReceived.objects.create(case=other, payer=payer, debt=debt, amount=40, received_on=dt.date(2026, 3, 1))
    cm.AuthorisedRepresentative.objects.create(customer=payer, name="Rep 2", scope="full", valid_from=dt.date(2026, 1, 1))
    cm.ContactRestriction.objects.create(customer=payer, conditions="Phone only", imposed_on=dt.date(2026, 2, 1),
                                         review_date=dt.date(2026, 6, 1), status="active", is_active=True)
    customer_services.note_add(actor=officer.user, customer=payer, subject="Second", body="b")
    intray_services.intray_create(actor=officer.user, customer=payer, assignee_officer=officer,
                                  type_code="general_follow_up", subject="Second intray")


def _count(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_customer_page_queries_do_not_grow_with_the_customers_data(reference):
    officer = f.OfficerFactory()
    case, debt = build_payer()
    payer = case.payer
    cm.PaymentReceived.objects.create(case=case, payer=payer, debt=debt, amount=25, received_on=dt.date(2026, 2, 1))
    customer_services.note_add(actor=officer.user, customer=payer, subject="First", body="b")
    intray_services.intray_create(actor=officer.user, customer=payer, assignee_officer=officer,
                                  type_code="general_follow_up", subject="First intray")
    ownership_services.customer_lock(actor=officer.user, customer=payer, reason="Working the case")
    client = Client()
    client.force_login(officer.user)
    url = f"/customers/{payer.csid}/"
    before = _count(client, url)
    _more_of_everything(officer, case)
    after = _count(client, url)
    assert after == before, f"{after - before} more queries with a second case, debt, payment, note, intray, ..."
    # This customer is locked by the viewer (the ownership panel offers its actions): a few more than the demo
    # customer of the budget; 50 on PostgreSQL (savepoints of the audited read). The issue's target is 12.
    assert before <= BUDGETS["customer_page"][1] + 4


def _rows_of_the_panels(officer, customer, case, n: int) -> None:
    """``n`` of each row the panels list one per row: contacts (open and finalised, by several officers, some with
    POI confirmed), letters, intrays, notes, presenting issues."""
    from casework.contacts.models import Contact, ContactStatus
    from casework.core import clock
    from casework.letters.models import Letter, LetterDocument

    for i in range(n):
        other = f.OfficerFactory()
        now = clock.now()
        for status, who in ((ContactStatus.OPEN, other), (ContactStatus.FINALISED, officer)):
            Contact.objects.create(customer=customer, case=case, channel="phone", officer=who,
                                   area=who.position.business_area, started_at=now, status=status,
                                   poi_confirmed_at=now, poi_method="Date of birth and address",
                                   finalised_at=now if status == ContactStatus.FINALISED else None)
        letter = Letter.objects.create(customer=customer, case=case, template_code="decision_letter",
                                       title=f"Decision {i}", html="<p>x</p>", issued_at=now, issued_by=officer.user)
        if i % 2:  # half of them rendered (a PDF link), half still "being prepared"
            LetterDocument.objects.create(letter=letter, file=f"letters/test/{letter.pk}.pdf", sha256="0" * 64,
                                          size=4, rendered_at=now)
        intray_services.intray_create(actor=officer.user, customer=customer, assignee_officer=other,
                                      type_code="general_follow_up", subject=f"Intray {i}")
        customer_services.note_add(actor=officer.user, customer=customer, subject=f"Note {i}", body="b")
        f.PresentingIssueFactory(customer=customer, case=case)


@pytest.mark.parametrize("locked", [False, True])
def test_customer_page_queries_are_the_same_for_n_and_3n_rows(reference, locked):
    """Issue 15 (i15-page): no panel reads per row. The same customer with N and then 3N contacts, letters,
    intrays, notes and presenting issues: the page issues the same number of queries."""
    officer = f.OfficerFactory()
    case, _debt = build_payer()
    payer = case.payer
    if locked:
        ownership_services.customer_lock(actor=officer.user, customer=payer, reason="Working the case")
    client = Client()
    client.force_login(officer.user)
    url = f"/customers/{payer.csid}/"
    _rows_of_the_panels(officer, payer, case, 2)
    n = _count(client, url)
    _rows_of_the_panels(officer, payer, case, 4)
    three_n = _count(client, url)
    assert three_n == n, f"{three_n - n} more queries with 3N rows than with N"


def test_customer_page_decides_ownership_once_and_reads_each_kind_once(reference, monkeypatch):
    """Issue 15: the ownership rule is applied once per request (the customer record), and no kind of the customer's
    data (debts, payments, DPOs, restrictions, representatives, presenting issues, locks) is read twice."""
    from casework.ownership import selectors as own_selectors

    officer = f.OfficerFactory()
    case, debt = build_payer()
    payer = case.payer
    cm.PaymentReceived.objects.create(case=case, payer=payer, debt=debt, amount=25, received_on=dt.date(2026, 2, 1))
    ownership_services.customer_lock(actor=officer.user, customer=payer, reason="Working the case")
    client = Client()
    client.force_login(officer.user)
    url = f"/customers/{payer.csid}/"
    client.get(url)
    calls = []
    real = own_selectors.rule_owner
    monkeypatch.setattr(own_selectors, "rule_owner", lambda **kw: calls.append(1) or real(**kw))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert len(calls) == 1
    # Issue 15 (i15-page): every kind is read in the ONE batch statement (core.batch: a CTE per read), none apart.
    batches = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("WITH q0(")]
    assert len(batches) == 1
    for table in ("customers_debt", "customers_paymentreceived", "customers_departureprohibitionorder",
                  "customers_contactrestriction", "customers_authorisedrepresentative", "customers_presentingissue",
                  "ownership_lock", "customers_incomerecord", "contacts_contact", "ownership_autounlock"):
        reads = [q["sql"] for q in ctx.captured_queries
                 if q["sql"].replace("SELECT DISTINCT ", "SELECT ").startswith(f'SELECT "{table}".')]
        assert not reads, f"{table} read apart from the batch {len(reads)} times"
        if table != "ownership_autounlock":  # only inside the lock history's EXISTS
            ctes = [c for c in batches[0].split(" AS (SELECT ")[1:]
                    if c.replace("DISTINCT ", "").startswith(f'"{table}".')]
            assert len(ctes) == 1, f"{table} read {len(ctes)} times in the batch"


def test_contact_page_queries_are_the_same_for_n_and_3n_open_issues(demo_book):
    """Issue 15 (i15-page): the contact page checks whether the officer may finalise each open presenting issue
    (CMA-3.1/3.2) with the facts the checks share read once, so 3N open issues cost what N cost (it read the lock
    and the customer's issues again for every open issue)."""
    from casework.contacts.models import Contact

    contact = Contact.objects.select_related("officer__user", "customer").order_by("pk").first()
    client = Client()
    client.force_login(contact.officer.user)
    url = f"/contacts/{contact.pk}/"
    for _ in range(2):
        f.PresentingIssueFactory(customer=contact.customer)
    n = _count(client, url)
    for _ in range(4):
        f.PresentingIssueFactory(customer=contact.customer)
    three_n = _count(client, url)
    assert three_n == n, f"{three_n - n} more queries with 3N open issues than with N"


ISSUE_15_PAGE_TARGET = 12


def test_every_demo_customer_page_is_within_the_issue_15_target_for_three_roles(demo_book):
    """Issue 15 (i15-page): the customer's record, the panels' reads and the notes are ONE statement (core.batch),
    so every demo customer's page, as a Service Officer, a Team Leader and a PS Case Manager (each sees other
    panels), costs at most 12 queries (8 on the budget's customer); it was 29+ before."""
    from casework.web import demo

    counts = {}
    for username in ("so_nsw", "tl_nsw", "ps_cm"):
        client = Client()
        client.login(username=username, password=demo.DEMO_PASSWORD)
        for name, csid in demo.SCENARIOS.items():
            counts[(username, name)] = _count(client, f"/customers/{csid}/")
    assert len(counts) == 3 * len(demo.SCENARIOS) >= 3 * 16
    over = {key: n for key, n in counts.items() if n > ISSUE_15_PAGE_TARGET}
    assert not over, f"over {ISSUE_15_PAGE_TARGET} queries: {over}"
