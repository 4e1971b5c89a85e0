"""API tests for case financial and care facts, representatives and restricted service (docs/facts.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from casework.core import clock
from casework.core.models import AuditEvent
from casework.customers import models as cm
from casework.org.roles import Role
from casework.testing import factories as f

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def client_for(role=Role.SERVICE_OFFICER):
    officer = f.OfficerFactory(role=role)
    client = APIClient()
    client.force_authenticate(officer.user)
    client.officer = officer
    return client


@pytest.fixture
def case(reference):
    return f.CaseFactory()


@pytest.fixture
def debt_id(officer_client, case):
    r = officer_client.post(f"/api/v1/customers/{case.payer.csid}/debts/", {
        "case_number": case.case_number, "kind": "child_support_debt", "amount": "4860.00", "as_at": "2026-11-27",
        "source": "Collection ledger"}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["creditor_csid"] == case.payee.csid
    return r.json()["id"]


@pytest.mark.parametrize(
    "body, field",
    [({"instalment": "99999999.00", "frequency": "weekly", "start_date": "2026-12-01"}, "instalment"),
     ({"instalment": "0.01", "frequency": "weekly", "start_date": "1999-01-01"}, "start_date")],
    ids=["CMA-2.6-measured-99999999-weekly", "CMA-2.6-measured-1-cent-from-1999"],
)
def test_measured_arrangements_refused_400_per_field(officer_client, debt_id, body, field):
    r = officer_client.post(f"/api/v1/debts/{debt_id}/arrangements/", body, format="json")
    assert r.status_code == 400, r.json()
    assert field in r.json()["fields"] and "CMA-2.6" in r.json()["step_ids"]
    assert not cm.PaymentArrangement.objects.exists()


def test_measured_arrangement_refused_through_the_contact_too_bypass(reference, case, debt_id):
    """The same guard on the other path: the guided contact's arrangement endpoint (CMA-2.6)."""
    so = f.OfficerFactory(role=Role.SERVICE_OFFICER, position__office=f.OfficeFactory(code="sydney", state="NSW"))
    client = APIClient()
    client.force_authenticate(so.user)
    cid = client.post("/api/v1/contacts/", {"csid": case.payer.csid, "channel": "phone"}, format="json").json()["id"]
    assert client.post(f"/api/v1/contacts/{cid}/poi/", {"method": "DOB"}, format="json").status_code == 200
    r = client.post(f"/api/v1/contacts/{cid}/payment-arrangement/", {
        "debt_id": debt_id, "instalment": "99999999.00", "frequency": "weekly", "start_date": "2026-12-01"},
        format="json")
    assert r.status_code == 400 and "instalment" in r.json()["fields"]


def test_arrangement_amend_default_end_and_debt_correction_keep_history(officer_client, debt_id, case):
    a = officer_client.post(f"/api/v1/debts/{debt_id}/arrangements/", {
        "instalment": "100.00", "frequency": "weekly", "start_date": "2026-12-01"}, format="json").json()
    r = officer_client.post(f"/api/v1/arrangements/{a['id']}/amend/", {"instalment": "120.00"}, format="json")
    assert r.status_code == 400 and "reason" in r.json()["fields"]
    b = officer_client.post(f"/api/v1/arrangements/{a['id']}/amend/", {"instalment": "120.00", "reason": "More income"},
                            format="json").json()
    assert b["replaces"] == a["id"] and b["status"] == "active"
    assert officer_client.post(f"/api/v1/arrangements/{b['id']}/default/", {"reason": "Missed"},
                               format="json").json()["status"] == "defaulted"
    r = officer_client.post(f"/api/v1/arrangements/{b['id']}/default/", {"reason": "again"}, format="json")
    assert r.status_code == 409
    new = officer_client.post(f"/api/v1/debts/{debt_id}/correct/", {"amount": "4000.00", "reason": "Ledger fix"},
                              format="json")
    assert new.status_code == 201, new.json()
    debts = officer_client.get(f"/api/v1/customers/{case.payer.csid}/debts/").json()
    old = next(d for d in debts if d["id"] == debt_id)
    assert (old["superseded_by"], old["correction_reason"], old["is_open"]) == (new.json()["id"], "Ledger fix", False)
    moved = next(d for d in debts if d["id"] == new.json()["id"])
    assert [x["to_status"] for x in moved["arrangements"][0]["history"]] == ["active", "defaulted"]


def test_care_over_100_percent_refused_and_corrected(officer_client, case):
    child = cm.Child.objects.create(case=case, given_names="Kim", family_name="K", date_of_birth=dt.date(2018, 1, 1))
    url = f"/api/v1/cases/{case.case_number}/care/"
    first = officer_client.post(url, {"child_id": child.pk, "carer_csid": case.payee.csid, "care_percentage": 65,
                                      "effective_from": "2026-01-01"}, format="json")
    assert first.status_code == 201, first.json()
    r = officer_client.post(url, {"child_id": child.pk, "carer_csid": case.payer.csid, "care_percentage": 40,
                                  "effective_from": "2026-01-01"}, format="json")
    assert r.status_code == 400 and "care_percentage" in r.json()["fields"]
    r = officer_client.post(f"/api/v1/care/{first.json()['id']}/correct/", {"care_percentage": 60, "reason": "Recount"},
                            format="json")
    assert r.status_code == 201
    rows = officer_client.get(url).json()
    assert {(x["care_percentage"], x["superseded_by"] is None) for x in rows} == {(65, False), (60, True)}


def test_payment_more_than_outstanding_refused(officer_client, case, debt_id):
    url = f"/api/v1/cases/{case.case_number}/payments/"
    r = officer_client.post(url, {"payer_csid": case.payer.csid, "amount": "5000.00", "received_on": "2026-11-28",
                                  "debt_id": debt_id}, format="json")
    assert r.status_code == 400 and "amount" in r.json()["fields"]
    r = officer_client.post(url, {"payer_csid": case.payer.csid, "amount": "500.00", "received_on": "2026-11-28",
                                  "debt_id": debt_id}, format="json")
    assert r.status_code == 201


def test_representative_specified_needs_matters_cma_1_1(officer_client, case):
    url = f"/api/v1/customers/{case.payer.csid}/representatives/"
    r = officer_client.post(url, {"name": "Legal Aid", "scope": "specified"}, format="json")
    assert r.status_code == 400 and "matters" in r.json()["fields"]
    r = officer_client.post(url, {"name": "Legal Aid", "scope": "specified", "matters": ["income"]}, format="json")
    assert r.status_code == 201 and r.json()["matters"] == ["income"]
    r = officer_client.post(f"/api/v1/representatives/{r.json()['id']}/end/", {"reason": "Withdrawn"}, format="json")
    assert r.status_code == 200 and r.json()["is_active"] is False


def test_restriction_propose_then_second_ps_team_leader_approves_ps_orm_3(reference, case):
    maker, checker = client_for(Role.PS_TEAM_LEADER), client_for(Role.PS_TEAM_LEADER)
    so = client_for(Role.SERVICE_OFFICER)
    body = {"conditions": "Phone on Tuesdays 9-11 only", "case_review": "14 abusive calls", "recommendation": "Restrict",
            "review_date": "2027-03-30", "channels": ["phone", "post"], "days": [1], "time_from": "09:00",
            "time_to": "11:00"}
    url = f"/api/v1/customers/{case.payer.csid}/restrictions/"
    assert so.post(url, body, format="json").status_code == 403
    r = maker.post(url, {**body, "review_date": "2027-01-01"}, format="json")
    assert r.status_code == 400 and "review_date" in r.json()["fields"]
    row = maker.post(url, body, format="json").json()
    assert (row["status"], row["is_active"]) == ("proposed", False)
    r = maker.post(f"/api/v1/restrictions/{row['id']}/approve/", {"letter_reference": "RS-1"}, format="json")
    assert r.status_code == 403 and "PS-ORM-3" in r.json()["step_ids"]
    # Issue 11: the old approve path decides the restriction's request for approval (the same service as
    # /api/v1/approvals/{id}/decide/).
    r = checker.post(f"/api/v1/restrictions/{row['id']}/approve/", {"letter_reference": "RS-1 sent 30/11"},
                     format="json")
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["kind"] == "restricted_service"
    listed = so.get(url).json()
    assert listed[0]["letter_reference"] == "RS-1 sent 30/11"
    assert (listed[0]["status"], listed[0]["is_active"]) == ("active", True)
    assert list(AuditEvent.objects.filter(action__startswith="contact_restriction.").values_list("action", flat=True)
                .order_by("id")) == ["contact_restriction.propose", "contact_restriction.approve"]


def test_auditor_cannot_record_facts(reference, case):
    auditor = client_for(Role.AUDITOR)
    r = auditor.post(f"/api/v1/customers/{case.payer.csid}/debts/", {
        "case_number": case.case_number, "kind": "child_support_debt", "amount": "10", "as_at": "2026-11-01"},
        format="json")
    assert r.status_code == 403


def test_fact_endpoints_are_in_the_openapi_schema(officer_client):
    paths = officer_client.get("/api/v1/schema/?format=json").json()["paths"]
    for path in ("/api/v1/customers/{csid}/debts/", "/api/v1/debts/{debt_id}/arrangements/",
                 "/api/v1/arrangements/{arrangement_id}/amend/", "/api/v1/cases/{case_number}/care/",
                 "/api/v1/cases/{case_number}/roles/", "/api/v1/customers/{csid}/restrictions/",
                 "/api/v1/restrictions/{restriction_id}/approve/", "/api/v1/customers/{csid}/representatives/",
                 "/api/v1/cases/{case_number}/payments/", "/api/v1/customers/{csid}/dpos/"):
        assert path in paths, path
