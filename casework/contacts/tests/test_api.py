"""Contacts API: every operation, its refusals (status + step IDs), and permissions."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from casework.contacts.models import Contact
from casework.core.models import AuditEvent
from casework.org.roles import Role
from casework.testing.factories import OfficerFactory

BASE = "/api/v1/contacts/"


@pytest.fixture
def client(so):
    c = APIClient()
    c.force_authenticate(so.user)
    return c


def _start(client, customer, case=None, **extra):
    body = {"csid": customer.csid, "channel": "phone", **extra}
    if case is not None:
        body["case_number"] = case.case_number
    r = client.post(BASE, body, format="json")
    assert r.status_code == 201, r.json()
    return r.json()


def test_whole_payer_call_over_the_api(client, so, payer_call):
    payer, debt = payer_call["payer"], payer_call["debt"]
    c = _start(client, payer, payer_call["case"])
    assert c["summary"] is None and "CMA-1.1" in c["case_details_hidden"]  # POI first
    assert c["ownership"]["locked"] is False
    cid = c["id"]
    r = client.post(f"{BASE}{cid}/poi/", {"method": "DOB and address"}, format="json")
    assert r.status_code == 200 and r.json()["summary"]["debts"][0]["arrangement_status"] == "none"
    r = client.post(f"{BASE}{cid}/issues/", {"issue_type": "debt_enquiry"}, format="json")
    assert r.status_code == 200
    issue = r.json()["issue"]
    assert issue["handling"] and "CMA-1.2" in issue["step_ids"]
    mca = client.get(f"{BASE}{cid}/mca/").json()
    assert mca["assessment"]["required"] and mca["assessment"]["payment_path"] == "debt_repayment"
    codes = [i["code"] for i in mca["assessment"]["checklist"]]
    assert all(i["step_id"] in ("CMA-2.2", "CMA-2.6") for i in mca["assessment"]["checklist"])
    # finalise refused with the missing items named
    r = client.post(f"{BASE}{cid}/finalise/", {}, format="json")
    assert r.status_code == 409 and "CMA-3.1" in r.json()["step_ids"] and r.json()["missing"]
    check = client.get(f"{BASE}{cid}/finalise/check/").json()
    assert check["allowed"] is False and check["facts"]["missing"]
    assert client.post(f"{BASE}{cid}/mca/tick/", {"codes": codes}, format="json").status_code == 200
    r = client.post(f"{BASE}{cid}/mca/complete/", {}, format="json")
    assert r.status_code == 409 and "CMA-2.4" in r.json()["step_ids"]
    r = client.post(
        f"{BASE}{cid}/payment-arrangement/",
        {"debt_id": debt.pk, "instalment": "50.00", "frequency": "weekly", "start_date": "2026-12-01"}, format="json",
    )
    assert r.status_code == 200 and r.json()["arrangement"]
    assert client.post(f"{BASE}{cid}/mca/complete/", {}, format="json").status_code == 200
    r = client.post(f"{BASE}{cid}/issues/{issue['id']}/close/", {"outcome": "Arrangement agreed"}, format="json")
    assert r.status_code == 200 and r.json()["issues"][0]["status"] == "finalised"
    assert client.post(f"{BASE}{cid}/explained/", {"csid": payer.csid}, format="json").status_code == 200
    r = client.post(f"{BASE}{cid}/finalise/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "finalised"
    r = client.post(f"{BASE}{cid}/unlock/", {"reason": "Resolved in real time"}, format="json")
    assert r.status_code == 200 and r.json()["unlock"]["outcome"] == "not_locked"
    assert AuditEvent.objects.filter(action="contact.finalise", customer_id=payer.pk).exists()
    listing = client.get(BASE, {"csid": payer.csid})
    assert listing.status_code == 200 and listing.json()[0]["id"] == cid


def test_start_refusals(client, payer_call):
    payer = payer_call["payer"]
    assert client.post(BASE, {"csid": payer.csid, "channel": "pigeon"}, format="json").status_code == 400
    r = client.post(BASE, {"csid": "12", "channel": "phone"}, format="json")
    assert r.status_code == 400 and "csid" in r.json()
    r = client.post(BASE, {"csid": payer.csid, "channel": "phone", "case_number": "NOPE"}, format="json")
    assert r.status_code == 400 and "case_number" in r.json()
    r = client.post(BASE, {"csid": payer.csid, "channel": "phone", "speaker": "representative"}, format="json")
    assert r.status_code == 400 and "CMA-1.1" in r.json()["step_ids"]
    r = client.post(BASE, {"csid": payer.csid, "channel": "phone", "transferred_from": 99999}, format="json")
    assert r.status_code == 400


def test_poi_first_refusals(client, payer_call):
    cid = _start(client, payer_call["payer"])["id"]
    r = client.post(f"{BASE}{cid}/issues/", {"issue_type": "debt_enquiry"}, format="json")
    assert r.status_code == 409 and r.json()["step_ids"] == ["CMA-1.1"]
    assert client.get(f"{BASE}{cid}/mca/").status_code == 409
    assert client.post(f"{BASE}{cid}/mca/tick/", {"codes": []}, format="json").status_code == 409
    assert client.post(f"{BASE}{cid}/poi/", {"method": ""}, format="json").status_code == 400
    assert client.post(f"{BASE}{cid}/poi/", {"method": "DOB"}, format="json").status_code == 200
    assert client.post(f"{BASE}{cid}/poi/", {"method": "DOB"}, format="json").status_code == 409


def test_transfer(client, payer_call):
    cid = _start(client, payer_call["payer"])["id"]
    r = client.post(f"{BASE}{cid}/transfer/", {"to_area": "COLLECTION", "kind": "warm"}, format="json")
    assert r.status_code == 400 and "CMA-1.1" in r.json()["step_ids"]
    r = client.post(f"{BASE}{cid}/transfer/", {"to_area": "NOPE", "kind": "cold"}, format="json")
    assert r.status_code == 400
    r = client.post(f"{BASE}{cid}/transfer/", {"to_area": "COLLECTION", "kind": "warm", "reasons": ["escalated"]}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "transferred" and r.json()["transfer"]["reasons"] == ["escalated"]
    assert client.post(f"{BASE}{cid}/transfer/", {"to_area": "COLLECTION", "kind": "cold"}, format="json").status_code == 409


def test_issue_refusals(client, payer_call):
    cid = _start(client, payer_call["payer"])["id"]
    client.post(f"{BASE}{cid}/poi/", {"method": "DOB"}, format="json")
    assert client.post(f"{BASE}{cid}/issues/", {"issue_type": "nope"}, format="json").status_code == 400
    assert client.post(f"{BASE}{cid}/issues/999/close/", {"outcome": "x"}, format="json").status_code == 404
    link = client.post(f"{BASE}{cid}/issues/", {"issue_type": "general_enquiry"}, format="json").json()["issue"]
    assert client.post(f"{BASE}{cid}/issues/{link['id']}/close/", {"outcome": ""}, format="json").status_code == 400
    assert client.post(f"{BASE}{cid}/issues/{link['id']}/close/", {"outcome": "done"}, format="json").status_code == 200
    assert client.post(f"{BASE}{cid}/issues/{link['id']}/close/", {"outcome": "done"}, format="json").status_code == 409


def test_external_referrals(client, payer_call):
    cid = _start(client, payer_call["payer"])["id"]
    client.post(f"{BASE}{cid}/poi/", {"method": "DOB"}, format="json")
    assert client.post(f"{BASE}{cid}/external-referrals/", {"organisation": "", "reason": "x"}, format="json").status_code == 400
    r = client.post(f"{BASE}{cid}/external-referrals/", {"organisation": "Legal Aid", "reason": "Advice", "given": False}, format="json")
    assert r.status_code == 200
    rid = r.json()["referral"]["id"]
    assert client.post(f"{BASE}{cid}/external-referrals/{rid}/give/", {}, format="json").status_code == 200
    assert client.post(f"{BASE}{cid}/external-referrals/{rid}/give/", {}, format="json").status_code == 409
    assert client.post(f"{BASE}{cid}/external-referrals/999/give/", {}, format="json").status_code == 404


def test_error_identified(client, so, payer_call):
    cid = _start(client, payer_call["payer"])["id"]
    client.post(f"{BASE}{cid}/poi/", {"method": "DOB"}, format="json")
    body = {"description": "Wrong income", "apology_given": False, "complaint_offered": True, "resolved_in_real_time": True}
    r = client.post(f"{BASE}{cid}/error/", body, format="json")
    assert r.status_code == 400 and "CMA-1.3" in r.json()["step_ids"]
    r = client.post(f"{BASE}{cid}/error/", {**body, "apology_given": True}, format="json")
    assert r.status_code == 200 and r.json()["error"]["outcome"] == "resolved"


def test_collection_info_and_payee_path(client, so, payee_call):
    payee = payee_call["payee"]
    cid = _start(client, payee, payee_call["case"])["id"]
    client.post(f"{BASE}{cid}/poi/", {"method": "DOB"}, format="json")
    client.post(f"{BASE}{cid}/issues/", {"issue_type": "collection_enquiry"}, format="json")
    r = client.post(f"{BASE}{cid}/collection-info/", {"information": "New employer", "likely_collection_outcome": True}, format="json")
    assert r.status_code == 200 and r.json()["collection_outcome"] == "lock_payer"
    assert client.post(f"{BASE}{cid}/collection-info/", {"information": "x"}, format="json").status_code == 400


def test_collection_info_refused_for_payer(client, payer_call):
    cid = _start(client, payer_call["payer"], payer_call["case"])["id"]
    client.post(f"{BASE}{cid}/poi/", {"method": "DOB"}, format="json")
    r = client.post(f"{BASE}{cid}/collection-info/", {"information": "x", "likely_collection_outcome": True}, format="json")
    assert r.status_code == 409 and r.json()["step_ids"] == ["CMA-2.5"]


def test_mca_refusals(client, payer_call):
    cid = _start(client, payer_call["payer"], payer_call["case"])["id"]
    client.post(f"{BASE}{cid}/poi/", {"method": "DOB"}, format="json")
    r = client.post(f"{BASE}{cid}/mca/tick/", {"codes": ["payee_commitment_to_collect"]}, format="json")
    assert r.status_code == 400 and "codes" in r.json()
    r = client.post(f"{BASE}{cid}/payment-arrangement/", {"debt_id": 999999, "instalment": "5", "frequency": "weekly", "start_date": "2026-12-01"}, format="json")
    assert r.status_code == 400
    r = client.post(f"{BASE}{cid}/payment-arrangement/", {"debt_id": payer_call["debt"].pk, "instalment": "-5", "frequency": "weekly", "start_date": "2026-12-01"}, format="json")
    assert r.status_code == 400


def test_impacted_explained_disagreement_not_resolved(client, so, payer_call):
    payer, payee = payer_call["payer"], payer_call["payee"]
    cid = _start(client, payer, payer_call["case"])["id"]
    client.post(f"{BASE}{cid}/poi/", {"method": "DOB"}, format="json")
    r = client.post(f"{BASE}{cid}/impacted/", {"csid": payee.csid}, format="json")
    assert r.status_code == 200 and len(r.json()["impacted"]) == 2
    r = client.post(f"{BASE}{cid}/explained/", {"csid": payee.csid, "explained": False}, format="json")
    assert r.json()["impacted"][1]["status"] == "not_contactable"
    assert client.post(f"{BASE}{cid}/disagreement/", {"options": ["shout"]}, format="json").status_code == 400
    r = client.post(f"{BASE}{cid}/disagreement/", {"options": ["objection"]}, format="json")
    assert r.status_code == 200 and r.json()["disagreement_options"] == ["objection"]
    assert client.post(f"{BASE}{cid}/not-resolved/", {"reason": ""}, format="json").status_code == 400
    r = client.post(f"{BASE}{cid}/not-resolved/", {"reason": "Needs payslips"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "follow_up"
    assert client.post(f"{BASE}{cid}/unlock/", {"reason": "x"}, format="json").status_code == 409


def test_unauthenticated_and_permissions(payer_call, so, reference):
    anon = APIClient()
    assert anon.post(BASE, {"csid": payer_call["payer"].csid, "channel": "phone"}, format="json").status_code in (401, 403)
    auditor = OfficerFactory(role=Role.AUDITOR)
    c = APIClient()
    c.force_authenticate(auditor.user)
    r = c.post(BASE, {"csid": payer_call["payer"].csid, "channel": "phone"}, format="json")
    assert r.status_code == 403
    # another officer cannot work this officer's contact
    mine = APIClient()
    mine.force_authenticate(so.user)
    cid = _start(mine, payer_call["payer"])["id"]
    other = OfficerFactory()
    c2 = APIClient()
    c2.force_authenticate(other.user)
    assert c2.post(f"{BASE}{cid}/poi/", {"method": "DOB"}, format="json").status_code == 403
    # the auditor may read it
    assert c.get(f"{BASE}{cid}/").status_code == 200
    assert c.get(f"{BASE}999999/").status_code == 404
    assert Contact.objects.count() == 1


def test_schema_includes_contacts(client):
    r = client.get("/api/v1/schema/")
    assert r.status_code == 200 and b"/api/v1/contacts/{id}/finalise/" in r.content


def test_income_update(client, payee_call):
    cid = _start(client, payee_call["payee"], payee_call["case"])["id"]
    body = {"amount": "70000", "source": "ato_issued", "tax_year": 2026, "effective_from": "2026-07-01"}
    assert client.post(f"{BASE}{cid}/income/", body, format="json").status_code == 409  # CMA-1.1 POI first
    client.post(f"{BASE}{cid}/poi/", {"method": "DOB"}, format="json")
    r = client.post(f"{BASE}{cid}/income/", body, format="json")
    assert r.status_code == 200 and "income_updated_or_call_back" in r.json()["mca_ticked"]
    assert client.post(f"{BASE}{cid}/income/", {**body, "source": "guess"}, format="json").status_code == 400


def test_aliases_case_and_customer(client, payer_call):
    payer, payee = payer_call["payer"], payer_call["payee"]
    r = client.post(BASE, {"csid": payer.csid, "channel": "phone", "case": payer_call["case"].case_number}, format="json")
    assert r.status_code == 201 and r.json()["case_number"] == payer_call["case"].case_number
    cid = r.json()["id"]
    client.post(f"{BASE}{cid}/poi/", {"method": "DOB"}, format="json")
    assert client.post(f"{BASE}{cid}/impacted/", {"customer": payee.csid}, format="json").status_code == 200
    assert client.post(f"{BASE}{cid}/explained/", {}, format="json").status_code == 400
