"""The customer page's Case facts section: django.forms posts through the same services as the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from casework.core import clock
from casework.customers import models as cm
from casework.org.roles import Role
from casework.testing import factories as f

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.timezone.utc)


def web(role=Role.SERVICE_OFFICER):
    officer = f.OfficerFactory(role=role)
    client = Client()
    client.force_login(officer.user)
    return client


def texts(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_customer_page_records_debt_and_refuses_the_measured_arrangement(reference):
    case = f.CaseFactory()
    client = web()
    csid = case.payer.csid
    with clock.freeze(NOW):
        page = client.get(f"/customers/{csid}/")
        assert b'id="facts"' in page.content
        r = client.post(f"/customers/{csid}/facts/debt/", {"case_number": case.case_number, "kind": "child_support_debt",
                                                          "amount": "4860.00", "as_at": "2026-11-27"}, follow=True)
        assert "Debt recorded." in texts(r)
        debt = cm.Debt.objects.get()
        r = client.post(f"/customers/{csid}/facts/arrangement/", {"debt_id": debt.pk, "instalment": "99999999",
                                                                 "frequency": "weekly", "start_date": "2026-12-01"},
                        follow=True)
        assert any(m.startswith("Instalment: The instalment cannot be more than the debt") for m in texts(r))
        r = client.post(f"/customers/{csid}/facts/arrangement/", {"debt_id": debt.pk, "instalment": "0.01",
                                                                 "frequency": "weekly", "start_date": "1999-01-01"},
                        follow=True)
        assert any(m.startswith("Start date:") for m in texts(r))
        assert not cm.PaymentArrangement.objects.exists()
        r = client.post(f"/customers/{csid}/facts/arrangement/", {"debt_id": debt.pk, "instalment": "100",
                                                                 "frequency": "weekly", "start_date": "2026-12-01"},
                        follow=True)
        assert "Payment arrangement recorded." in texts(r)
        assert b"Active" in client.get(f"/customers/{csid}/").content


def test_customer_page_form_errors_are_field_messages(reference):
    case = f.CaseFactory()
    r = web().post(f"/customers/{case.payer.csid}/facts/debt/", {"case_number": case.case_number, "kind": "x",
                                                                "amount": "abc", "as_at": ""}, follow=True)
    assert any(m.startswith("Amount:") for m in texts(r)) and not cm.Debt.objects.exists()


def test_restriction_proposed_and_approved_from_the_customer_page_ps_orm_3(reference):
    """Issue 11: proposed on the customer page, decided on /approvals/<id>/ by a second PS Team Leader; the old
    decision form is gone and its path sends the officer to their approvals queue."""
    from casework.approvals.models import ApprovalRequest

    customer = f.CustomerFactory()
    maker, checker = web(Role.PS_TEAM_LEADER), web(Role.PS_TEAM_LEADER)
    with clock.freeze(NOW):
        r = maker.post(f"/customers/{customer.csid}/facts/restriction/", {
            "conditions": "Written only", "case_review": "Reviewed", "recommendation": "Restrict",
            "review_date": "2027-03-30", "channels": ["post"]}, follow=True)
        row = cm.ContactRestriction.objects.get()
        assert row.status == "proposed", texts(r)
        page = maker.get(f"/customers/{customer.csid}/").content
        assert b'name="decision"' not in page and b"the request for approval" in page
        r = checker.post(f"/customers/{customer.csid}/facts/restriction-decision/", {
            "restriction_id": row.pk, "decision": "approve", "letter_reference": "RS-1"})
        assert r.status_code == 302 and r["Location"] == "/approvals/"
        row.refresh_from_db()
        assert row.status == "proposed", "the old decision path no longer decides"
        req = ApprovalRequest.objects.get(kind="restricted_service")
        r = maker.post(f"/approvals/{req.pk}/decide/", {"approve": "yes", "letter_reference": "RS-1"}, follow=True)
        row.refresh_from_db()
        assert row.status == "proposed"
        r = checker.post(f"/approvals/{req.pk}/decide/", {"approve": "yes", "letter_reference": "RS-1",
                                                          "version": req.version}, follow=True)
    row.refresh_from_db()
    assert row.status == "active" and row.is_active and row.letter_reference == "RS-1", texts(r)


def test_auditor_cannot_post_facts(reference):
    case = f.CaseFactory()
    r = web(Role.AUDITOR).post(f"/customers/{case.payer.csid}/facts/debt/", {
        "case_number": case.case_number, "kind": "child_support_debt", "amount": "10", "as_at": "2026-11-01"},
        follow=True)
    assert not cm.Debt.objects.exists() and any("role" in m for m in texts(r))
