import base64
import datetime as dt

import pytest
from rest_framework.test import APIClient

from casework.core import clock
from casework.intrays import services
from casework.intrays.models import Intray
from casework.testing.factories import CaseFactory, PresentingIssueFactory

pytestmark = pytest.mark.django_db


def client_for(officer):
    c = APIClient()
    c.force_authenticate(officer.user)
    return c


def make(org, **kw):
    kw.setdefault("assignee_officer", org.so)
    kw.setdefault("type_code", "client_contact_required")
    kw.setdefault("subject", "Work")
    return services.intray_create(actor=org.tl.user, customer=org.customer, **kw)


def test_CMA_2_10_create_via_api(org, frozen):
    issue = PresentingIssueFactory(customer=org.customer)
    case = CaseFactory(payer=org.customer)
    r = client_for(org.so).post("/api/v1/intrays/", {
        "type_code": "client_contact_required", "customer": org.customer.csid, "subject": "Call back",
        "assignee_officer": org.so2.pk, "issues": [issue.pk], "case": case.case_number, "details": "notepad",
    }, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["due_date"] == "2026-11-25" and body["bucket"] == "due_this_week"
    assert body["issues"][0]["id"] == issue.pk and body["case"] == case.case_number
    assert "CMA-2.10" in body["step_ids"]


def test_create_to_position_by_code(org, frozen):
    # A PS referral comes only from the PS referral (issue 11, PS-REF-1); an ordinary type goes to a position by code.
    r = client_for(org.so).post("/api/v1/intrays/", {
        "type_code": "general_follow_up", "customer": org.customer.csid, "subject": "Follow up",
        "assignee_position": org.ps_pos.code}, format="json")
    assert r.status_code == 201 and r.json()["assignee_position"] == org.ps_pos.code
    r = client_for(org.so).post("/api/v1/intrays/", {
        "type_code": "crg_referral_to_ps", "customer": org.customer.csid, "subject": "CRG",
        "assignee_position": org.ps_pos.code}, format="json")
    assert r.status_code == 403 and "PS-REF-1" in r.json()["step_ids"]


@pytest.mark.parametrize(
    "payload,status,field",
    [
        ({"type_code": "client_contact_required", "subject": "x"}, 400, "CMA-2.10"),
        ({"type_code": "nope", "subject": "x", "assignee_officer": "so"}, 400, "type_code"),
        ({"type_code": "ps_referral_tl_only", "subject": "x", "assignee_position": "ps"}, 403, "PS-REF-1"),
        ({"type_code": "general_follow_up", "subject": "x", "assignee_officer": 999999}, 400, "assignee_officer"),
        ({"type_code": "general_follow_up", "subject": "x", "assignee_position": "no-such"}, 400, "assignee_position"),
    ],
    ids=["CMA-2.10-no-assignee", "unknown-type", "PS-REF-1-tl-only", "unknown-officer", "unknown-position"],
)
def test_create_refusals(org, frozen, payload, status, field):
    payload = dict(payload, customer=org.customer.csid)
    if payload.get("assignee_officer") == "so":
        payload["assignee_officer"] = org.so.pk
    if payload.get("assignee_position") == "ps":
        payload["assignee_position"] = org.ps_pos.pk
    r = client_for(org.so).post("/api/v1/intrays/", payload, format="json")
    assert r.status_code == status, r.json()
    body = r.json()
    assert field in body.get("step_ids", []) or field in body
    assert not Intray.objects.exists()


def test_create_unknown_customer_404_and_bad_csid_400(org, frozen):
    c = client_for(org.so)
    base = {"type_code": "general_follow_up", "subject": "x", "assignee_officer": org.so.pk}
    assert c.post("/api/v1/intrays/", {**base, "customer": "bad"}, format="json").status_code == 400


def test_list_mine_open_overdue_paginated(org, frozen):
    late = make(org)
    make(org, type_code="general_follow_up")
    make(org, assignee_officer=org.so2)
    c = client_for(org.so)
    r = c.get("/api/v1/intrays/?assigned_to=me&status=open")
    assert r.status_code == 200 and r.json()["count"] == 2
    assert [i["id"] for i in r.json()["results"]][0] == late.pk  # due dates first, none last
    with clock.freeze(dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)):
        r = c.get("/api/v1/intrays/?assigned_to=me&status=open&overdue=true")
        assert [i["id"] for i in r.json()["results"]] == [late.pk]
        assert r.json()["results"][0]["is_overdue"] is True
        counts = c.get("/api/v1/intrays/counts/").json()
        assert counts == {"total": 2, "overdue": 1, "due_today": 0, "due_this_week": 0}
    r = c.get("/api/v1/intrays/?limit=1")
    assert r.json()["count"] == 2 and len(r.json()["results"]) == 1 and r.json()["next"]


def test_list_filters_type_customer_position_team(org, frozen):
    make(org)
    make(org, type_code="general_follow_up", assignee_officer=org.so2)
    pos = make(org, type_code="crg_referral_to_ps", assignee_officer=None, assignee_position=org.ps_pos)
    c = client_for(org.so)
    assert c.get("/api/v1/intrays/?type=general_follow_up").json()["count"] == 0
    assert c.get("/api/v1/intrays/?type=client_contact_required").json()["count"] == 1
    assert c.get(f"/api/v1/intrays/?customer={org.customer.csid}").json()["count"] == 1
    tl = client_for(org.tl)
    assert tl.get("/api/v1/intrays/?team=me").json()["count"] == 2
    assert tl.get(f"/api/v1/intrays/?team={org.team.pk}").json()["count"] == 2
    assert c.get("/api/v1/intrays/?team=me").status_code == 403
    assert c.get(f"/api/v1/intrays/?position={org.ps_pos.pk}").status_code == 403
    org.ps_cm.position = org.ps_pos
    org.ps_cm.save()
    r = client_for(org.ps_cm).get("/api/v1/intrays/?position=me")
    assert [i["id"] for i in r.json()["results"]] == [pos.pk]
    assert c.get("/api/v1/intrays/?status=bogus").status_code == 400
    assert c.get("/api/v1/intrays/?due=bogus").status_code == 400
    assert c.get("/api/v1/intrays/?team=abc").status_code == 400
    assert c.get("/api/v1/intrays/?assigned_to=someone").status_code == 400


def test_transitions_via_api(org, frozen):
    intray = make(org)
    c = client_for(org.so)
    assert c.post(f"/api/v1/intrays/{intray.pk}/start/").json()["status"] == "in_progress"
    r = c.post(f"/api/v1/intrays/{intray.pk}/start/")
    assert r.status_code == 409 and r.json()["code"] == "refused"
    r = c.post(f"/api/v1/intrays/{intray.pk}/complete/", {"outcome": "Called"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert c.get("/api/v1/intrays/?status=done").json()["count"] == 1


def test_other_officer_gets_403_and_unknown_404(org, frozen):
    intray = make(org)
    r = client_for(org.other).post(f"/api/v1/intrays/{intray.pk}/complete/", {}, format="json")
    assert r.status_code == 403 and "another officer" in r.json()["detail"]
    assert client_for(org.so).get("/api/v1/intrays/999999/").status_code == 404


def test_reassign_and_delete_via_api(org, frozen):
    intray = make(org)
    c = client_for(org.so)
    r = c.post(f"/api/v1/intrays/{intray.pk}/reassign/", {"to_officer": org.so2.pk, "reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = c.post(f"/api/v1/intrays/{intray.pk}/reassign/", {"to_officer": org.so2.pk, "reason": "Leave"}, format="json")
    assert r.status_code == 200 and r.json()["assignee_officer"] == org.so2.pk
    c2 = client_for(org.so2)
    r = c2.post(f"/api/v1/intrays/{intray.pk}/delete/", {"reason": ""}, format="json")
    assert r.status_code == 400
    r = c2.post(f"/api/v1/intrays/{intray.pk}/delete/", {"reason": "Duplicate"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "deleted"


def test_CMA_1_1_correspondence_via_api(org, frozen):
    c = client_for(org.so)
    r = c.post("/api/v1/correspondence/", {
        "customer": org.customer.csid, "channel": "email", "received_on": "2026-11-20", "category": "income",
        "subject": "Email about income", "assignee_officer": org.so.pk, "matters": ["New job"],
        "documents": [{"filename": "email.txt", "content_base64": base64.b64encode(b"hello").decode(),
                       "content_type": "text/plain"}],
    }, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    pk = body["id"]
    corr = body["correspondence"]
    assert corr["channel"] == "email" and corr["documents"][0]["size"] == 5
    doc_id, matter_id = corr["documents"][0]["id"], corr["matters"][0]["id"]
    r = c.get(f"/api/v1/intrays/{pk}/documents/{doc_id}/")
    assert r.status_code == 200 and r.getvalue() == b"hello" and r["X-Content-SHA256"] == corr["documents"][0]["sha256"]
    r = c.post(f"/api/v1/intrays/{pk}/delete/", {"reason": "done"}, format="json")
    assert r.status_code == 409 and r.json()["step_ids"] == ["CMA-1.1", "CMA-3.5"]
    r = c.post(f"/api/v1/intrays/{pk}/recategorise/", {"category": "care"}, format="json")
    assert r.status_code == 400
    r = c.post(f"/api/v1/intrays/{pk}/recategorise/", {"category": "care", "reason": "About care"}, format="json")
    assert r.json()["correspondence"]["category_history"][0]["from"] == "income"
    r = c.post(f"/api/v1/intrays/{pk}/documents/", {"filename": "p2.txt", "content_base64": "!!!"}, format="json")
    assert r.status_code == 400
    r = c.post(f"/api/v1/intrays/{pk}/documents/", {"filename": "p2.txt",
               "content_base64": base64.b64encode(b"page 2").decode()}, format="json")
    assert r.status_code == 201 and len(r.json()["correspondence"]["documents"]) == 2
    r = c.post(f"/api/v1/intrays/{pk}/matters/", {"description": "Asks about care"}, format="json")
    assert r.status_code == 201 and len(r.json()["correspondence"]["matters"]) == 2
    r = c.post(f"/api/v1/intrays/{pk}/matters/{matter_id}/address/", {"outcome": "Updated", "communicated": False},
               format="json")
    assert r.status_code == 409
    r = c.post(f"/api/v1/intrays/{pk}/matters/{matter_id}/address/", {"outcome": "Updated", "communicated": True},
               format="json")
    assert r.status_code == 200
    assert c.post(f"/api/v1/intrays/{pk}/matters/999999/address/", {}, format="json").status_code == 404
    assert c.get(f"/api/v1/intrays/{pk}/documents/999999/").status_code == 404


def test_correspondence_api_validation(org, frozen):
    r = client_for(org.so).post("/api/v1/correspondence/", {"customer": org.customer.csid, "channel": "pigeon"},
                                format="json")
    assert r.status_code == 400 and "channel" in r.json()


def test_multipart_upload(org, frozen):
    from django.core.files.uploadedfile import SimpleUploadedFile

    intray = services.correspondence_receive(actor=org.so.user, customer=org.customer, channel="fax",
                                             received_on=dt.date(2026, 11, 20), category="general", subject="Fax",
                                             assignee_officer=org.so)
    r = client_for(org.so).post(f"/api/v1/intrays/{intray.pk}/documents/",
                                {"file": SimpleUploadedFile("fax.pdf", b"%PDF", content_type="application/pdf")},
                                format="multipart")
    assert r.status_code == 201 and r.json()["correspondence"]["documents"][0]["filename"] == "fax.pdf"


def test_auditor_reads_but_cannot_act(org, frozen):
    intray = make(org)
    c = client_for(org.auditor)
    assert c.get(f"/api/v1/intrays/{intray.pk}/").status_code == 200
    assert c.post(f"/api/v1/intrays/{intray.pk}/start/").status_code == 403


def test_anonymous_refused(org, frozen):
    assert APIClient().get("/api/v1/intrays/").status_code in (401, 403)


def test_worklist_query_count_does_not_grow_with_rows(org, frozen, django_assert_max_num_queries):
    for _ in range(3):
        make(org)
    c = client_for(org.so)
    with django_assert_max_num_queries(12) as small:
        c.get("/api/v1/intrays/")
    n_small = len(small.captured_queries)
    for _ in range(10):
        make(org, type_code="general_follow_up")
    with django_assert_max_num_queries(n_small):
        r = c.get("/api/v1/intrays/")
    assert r.json()["count"] == 13


def test_step_ids_in_a_request_are_never_taken(org, frozen):
    """Step IDs come only from the server's policy (issue 10): a client naming steps is refused (400 on
    ``step_ids``) and nothing is written; without them the same request succeeds with the type's own steps."""
    from casework.core.models import AuditEvent
    from casework.intrays.models import Intray

    c = client_for(org.so)
    body = {"type_code": "client_contact_required", "customer": org.customer.csid, "subject": "Call back",
            "assignee_officer": org.so.pk}
    before = Intray.objects.count()
    r = c.post("/api/v1/intrays/", {**body, "step_ids": ["PS-ROLE", "made-up"]}, format="json")
    assert r.status_code == 400 and "step_ids" in r.json()["fields"]
    assert Intray.objects.count() == before
    r = c.post("/api/v1/intrays/", body, format="json")
    assert r.status_code == 201, r.json()
    assert "PS-ROLE" not in r.json()["step_ids"] and "made-up" not in r.json()["step_ids"]
    pk = r.json()["id"]
    r = c.post(f"/api/v1/intrays/{pk}/complete/", {"outcome": "Called", "step_ids": ["PS-ROLE"]}, format="json")
    assert r.status_code == 400
    r = c.post(f"/api/v1/intrays/{pk}/complete/", {"outcome": "Called"}, format="json")
    assert r.status_code == 200
    for event in AuditEvent.objects.filter(target_type="intray", target_id=str(pk)):
        assert "PS-ROLE" not in event.step_ids
