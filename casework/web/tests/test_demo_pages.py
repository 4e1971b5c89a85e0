"""Every demo scenario customer's page renders for officers and auditors, with every app's panel (full reference data)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from casework.customers import models as cm
from casework.testing.factories import CaseFactory, CustomerFactory, DebtFactory, IncomeFactory, OfficerFactory
from casework.web import demo


@pytest.fixture
def demo_book(reference):
    demo.seed()


def _client(username):
    client = Client()
    client.login(username=username, password=demo.DEMO_PASSWORD)
    return client


def test_every_scenario_page_renders_for_a_service_officer_and_an_auditor(demo_book):
    so, auditor = _client("so_nsw"), _client("auditor")
    for name, csid in demo.SCENARIOS.items():
        response = so.get(f"/customers/{csid}/")
        assert response.status_code == 200, name
        assert csid in response.content.decode()
        assert auditor.get(f"/customers/{csid}/?tab=audit").status_code == 200, name
    html = so.get(f"/customers/{demo.SCENARIOS['sensitive_indicator']}/").content.decode()
    assert "INTERNAL" in html and "Family violence" in html
    html = so.get(f"/customers/{demo.SCENARIOS['payer_past_role_reversal']}/").content.decode()
    assert "Past role reversal" in html  # CMA-2.4
    html = so.get(f"/customers/{demo.SCENARIOS['dpo_payer']}/").content.decode()
    assert "Defaulted" in html and "Issued" in html


def test_demo_login_searches_by_name(demo_book):
    html = _client("so_wa").get("/customers/search/", {"q": "archer daniel"}, HTTP_HX_REQUEST="true").content
    assert demo.SCENARIOS["payer_debt_no_arrangement"].encode() in html


def _page_queries(client, customer):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/customers/{customer.csid}/").status_code == 200
    return len(ctx.captured_queries)


def test_customer_page_query_count_does_not_grow_with_cases(reference):
    officer = OfficerFactory()
    client = Client()
    client.force_login(officer.user)
    small, big = CustomerFactory(), CustomerFactory()
    for customer, n in ((small, 1), (big, 4)):
        for _ in range(n):
            case = CaseFactory(payer=customer)
            cm.Child.objects.create(case=case, given_names="A", family_name="B", date_of_birth="2015-01-01")
            IncomeFactory(customer=case.payee)
            DebtFactory(case=case, debtor=customer)
            cm.Note.objects.bulk_create([cm.Note(customer=customer, case=case, subject="s", body="b",
                                                 author=officer.user, created_at="2026-11-01T00:00:00Z")])
    _page_queries(client, small)  # warm caches (content types, sessions)
    assert _page_queries(client, big) == _page_queries(client, small)
