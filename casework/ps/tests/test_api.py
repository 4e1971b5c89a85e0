"""API tests: every PS operation, its refusals (400/403/404/409) with step IDs, and the audit events written."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from casework.core import clock
from casework.core.models import AuditEvent
from casework.customers.models import ContactRestriction
from casework.intrays.models import Intray
from casework.ownership.models import Lock
from casework.ps.models import PsRecord

from .helpers import ATTEST, FIRST_CHECKLIST, FOLLOW_CHECKLIST, MANDATORY

pytestmark = pytest.mark.django_db


def client(officer):
    c = APIClient()
    c.force_authenticate(officer.user)
    return c


def post(officer, url, data=None, code=None):
    r = client(officer).post("/api/v1/" + url, data or {}, format="json")
    if code is not None:
        assert r.status_code == code, r.content
    return r


def refer_api(org, by=None, **kw):
    data = {"csid": org.customer.csid, "type_code": "crg_referral_to_ps", "reason": "CRG: repeated escalations", **kw}
    return post(by or org.so, "ps/referrals/", data)


def allocate_api(org, **kw):
    ref = refer_api(org).json()
    data = {"csid": org.customer.csid, "case_manager": "ps_cm", "referral_source": "crg",
            "main_referral_reason": "Repeated escalations", "referral_intray_id": ref["intray_id"],
            "review": {"reviewed_items": ["case records"], "crg_record": "CRG record read"}, **kw}
    r = post(org.tl, "ps/records/", data, 201)
    return r.json(), ref


@pytest.fixture
def rec(ps_org):
    data, _ = allocate_api(ps_org)
    return data


def test_referral_created_with_service_level(ps_org):
    r = refer_api(ps_org)
    assert r.status_code == 201
    intray = Intray.objects.get(pk=r.json()["intray_id"])
    assert intray.type.code == "crg_referral_to_ps" and intray.due_date is not None
    assert AuditEvent.objects.filter(action="ps_referral.create").exists()


@pytest.mark.parametrize("kw,code,step", [
    pytest.param({"type_code": "ps_referral_tl_only"}, 403, "PS-REF-1", id="PS-REF-1-tl-only-needs-team-leader"),
    pytest.param({"urgent": True}, 400, "PS-REF-1", id="PS-REF-1-urgent-needs-tl-call"),
    pytest.param({"type_code": "general_follow_up"}, 400, "PS-REF-1", id="PS-REF-1-not-a-referral-intray"),
])
def test_referral_refusals(ps_org, kw, code, step):
    r = refer_api(ps_org, **kw)
    assert r.status_code == code, r.content
    assert step in r.json()["step_ids"]


def test_urgent_referral_after_tl_call_and_tl_only_by_team_leader(ps_org):
    """PS-REF-1 (issue 11): a Service Officer cannot record the Team Leader's call; the referring Team Leader's
    urgent referral is a request the PS Team Leader accepts before the URGENT intray reaches the PS queue."""
    r = refer_api(ps_org, urgent=True, tl_call_details="tl_nsw called ps_tl at 9am")
    assert r.status_code == 403 and "PS-REF-1" in r.json()["step_ids"]
    r = refer_api(ps_org, by=ps_org.tl_front, urgent=True, tl_call_details="tl_nsw called ps_tl at 9am")
    assert r.status_code == 202 and r.json()["urgent"] is True and r.json()["intray_id"] is None
    post(ps_org.tl, f"approvals/{r.json()['approval']}/decide/", {"approve": True, "reason": "Agreed on the call"}, 200)
    assert "URGENT" in Intray.objects.get(customer=ps_org.customer, type__code="crg_referral_to_ps").subject
    r = refer_api(ps_org, by=ps_org.tl_front, type_code="ps_referral_tl_only")
    assert r.status_code == 201


def test_allocation_creates_record_plan_stacking_document_and_lock(ps_org, rec):
    assert rec["case_manager"] == "ps_cm" and rec["status"] == "active"
    issues = rec["plan"]["issues"]
    assert [i["title"] for i in issues if i["is_mandatory"]] == [
        "Income Correct", "Care Correct", "Customer Contact Details", "Payment Activity for Ongoing",
        "Payment Activity for Arrears"]
    assert {i["status"] for i in issues} == {"recorded"}
    assert rec["stacking_document"][0]["subject"] == "PS referral"
    assert rec["plan"]["stacking_document_created_at"] is not None
    assert rec["plan"]["due"]["step_ids"] == ["PS-PSP-1"]
    assert Lock.objects.get(customer=ps_org.customer, is_active=True).officer == ps_org.cm
    intray = Intray.objects.get(pk=rec["referral_intray_id"])
    assert intray.assignee_officer == ps_org.cm
    assert AuditEvent.objects.filter(action="ps_record.create", customer_id=ps_org.customer.pk).exists()


def test_allocation_refusals(ps_org, rec):
    # already an active record (PS-REF-3)
    r = post(ps_org.tl, "ps/records/", {"csid": ps_org.customer.csid, "case_manager": "ps_cm",
                                        "referral_source": "crg", "main_referral_reason": "again"})
    assert r.status_code == 409 and "PS-REF-3" in r.json()["step_ids"]
    # a service officer cannot action PS referrals
    r = post(ps_org.so, "ps/records/", {"csid": ps_org.other.csid, "case_manager": "ps_cm",
                                        "referral_source": "crg", "main_referral_reason": "x"})
    assert r.status_code == 403
    # a Case Manager cannot assign to another Case Manager
    r = post(ps_org.cm, "ps/records/", {"csid": ps_org.other.csid, "case_manager": "ps_cm2",
                                        "referral_source": "crg", "main_referral_reason": "x"})
    assert r.status_code == 403 and "PS-REF-2" in r.json()["step_ids"]
    # unknown referral source, missing reason
    r = post(ps_org.tl, "ps/records/", {"csid": ps_org.other.csid, "case_manager": "ps_cm",
                                        "referral_source": "gossip", "main_referral_reason": ""})
    assert r.status_code == 400 and "referral_source" in r.json() and "main_referral_reason" in r.json()


def test_crg_review_needs_crg_record(ps_org):
    r = post(ps_org.tl, "ps/records/", {"csid": ps_org.customer.csid, "case_manager": "ps_cm",
                                        "referral_source": "crg", "main_referral_reason": "x",
                                        "review": {"reviewed_items": ["case"]}})
    assert r.status_code == 400 and "PS-REV-1" in r.json()["step_ids"]
    assert not PsRecord.objects.exists()  # nothing half-written


def test_get_record_404_and_auditor_read_only(ps_org, rec):
    assert client(ps_org.cm).get("/api/v1/ps/records/999999/").status_code == 404
    assert client(ps_org.auditor).get(f"/api/v1/ps/records/{rec['id']}/").status_code == 200
    r = post(ps_org.auditor, f"ps/records/{rec['id']}/notes/", {"subject": "Call about estimate", "body": "x"})
    assert r.status_code == 403


def test_plan_stale_save_refused_409(ps_org, rec):
    url = f"/api/v1/ps/records/{rec['id']}/plan/"
    v = rec["plan"]["version"]
    r = client(ps_org.cm).patch(url, {"version": v, "agreed_contact_times": "Weekdays 9-11"}, format="json")
    assert r.status_code == 200 and r.json()["version"] == v + 1
    r = client(ps_org.tl).patch(url, {"version": v, "agreed_contact_times": "Evenings"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    assert PsRecord.objects.get(pk=rec["id"]).plan.agreed_contact_times == "Weekdays 9-11"


def test_special_contact_details_need_restriction(ps_org, rec):
    url = f"/api/v1/ps/records/{rec['id']}/plan/"
    r = client(ps_org.cm).patch(url, {"version": rec["plan"]["version"], "special_contact_details": "Email only"},
                                format="json")
    assert r.status_code == 400 and "PS-PSP-2" in r.json()["step_ids"]


def test_issue_status_transitions_with_history_and_stale_version(ps_org, rec):
    issue = rec["plan"]["issues"][0]
    r = post(ps_org.cm, f"ps/issues/{issue['id']}/status/", {"status": "resolved"})
    assert r.status_code == 409 and "PS-PSP-4" in r.json()["step_ids"]
    r = post(ps_org.cm, f"ps/issues/{issue['id']}/status/", {"status": "confirmed", "version": issue["version"]},
             code=200)
    assert [h["to"] for h in r.json()["history"]] == ["recorded", "confirmed"]
    r = post(ps_org.cm, f"ps/issues/{issue['id']}/status/", {"status": "resolved", "version": issue["version"]})
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    r = post(ps_org.cm, f"ps/records/{rec['id']}/issues/", {"title": "Overpayment dispute", "classification": "financial",
                                                          "customer_perspective": "I was overcharged"}, code=201)
    assert r.json()["status"] == "recorded" and not r.json()["is_mandatory"]
    # another Case Manager is not the single point of contact
    r = post(ps_org.cm2, f"ps/issues/{issue['id']}/status/", {"status": "resolved"})
    assert r.status_code == 403


def test_stacking_notes_subject_rules(ps_org, rec):
    r = post(ps_org.cm, f"ps/records/{rec['id']}/notes/", {"subject": "note", "body": "x"})
    assert r.status_code == 400 and "PS-DOC-2" in r.json()["step_ids"]
    post(ps_org.cm, f"ps/records/{rec['id']}/notes/", {"subject": "Call about estimate", "body": "Discussed"}, 201)


def test_contacts_first_then_follow_up(ps_org, rec):
    url = f"ps/records/{rec['id']}/contacts/"
    r = post(ps_org.cm, url, {"kind": "follow_up", "summary": "x", "checklist": FOLLOW_CHECKLIST})
    assert r.status_code == 409 and "PS-CON-1" in r.json()["step_ids"]
    r = post(ps_org.cm, url, {"kind": "first", "summary": "x", "checklist": FIRST_CHECKLIST,
                              "mandatory_gathered": {**MANDATORY, "care": False}, "acknowledged": True})
    assert r.status_code == 400 and "PS-CON-2" in r.json()["step_ids"] and "Care Correct" in r.json()["detail"]
    r = post(ps_org.cm, url, {"kind": "first", "summary": "First call", "checklist": FIRST_CHECKLIST,
                              "mandatory_gathered": MANDATORY, "acknowledged": True,
                              "follow_up_type": "client_call_back"}, 201)
    follow = Intray.objects.get(pk=r.json()["follow_up_intray_id"])
    assert follow.type.code == "client_call_back" and follow.assignee_officer == ps_org.cm
    assert Intray.objects.get(pk=rec["referral_intray_id"]).status == "done"
    detail = client(ps_org.cm).get(f"/api/v1/ps/records/{rec['id']}/").json()
    assert {i["status"] for i in detail["plan"]["issues"] if i["is_mandatory"]} == {"confirmed"}
    post(ps_org.cm, url, {"kind": "follow_up", "summary": "Options", "checklist": FOLLOW_CHECKLIST}, 201)
    ev = AuditEvent.objects.filter(action="ps_contact.record").last()
    assert "PS-CON-5" in ev.step_ids


def test_contact_with_restricted_service_needs_conditions_reviewed(ps_org, rec):
    ContactRestriction.objects.create(customer=ps_org.customer, conditions="Written only",
                                      imposed_on=dt.date(2026, 1, 1), review_date=dt.date(2026, 4, 1), status="active", is_active=True)
    r = post(ps_org.cm, f"ps/records/{rec['id']}/contacts/", {"kind": "first", "summary": "x",
                                                              "checklist": FIRST_CHECKLIST,
                                                              "mandatory_gathered": MANDATORY, "acknowledged": True})
    assert r.status_code == 400 and "PS-CON-1" in r.json()["step_ids"]


def test_segment_suggestion_and_segment_3_is_a_request_the_team_leader_decides(ps_org, rec):
    """Issue 11 measured case: a Case Manager set segment 3 by typing ``approved_by: ps_tl`` and it applied at once.
    Now segment 3 is a request (202); it applies only when the PS Team Leader of the CM's team approves it from
    their own queue (PS-ORM-1); the requester, an out-of-scope Team Leader and another CM cannot decide it."""
    s = client(ps_org.cm).get(f"/api/v1/ps/records/{rec['id']}/segment-suggestion/").json()
    assert s["segment"] == 2 and any("Customer Review Referral Gateway" in i for i in s["indicators"])
    r = post(ps_org.cm, f"ps/records/{rec['id']}/segment/", {"segment": 3, "reason": "Aggression",
                                                             "approved_by": "ps_tl"}, 202)
    req = r.json()
    assert req["kind"] == "segment_3" and req["status"] == "pending" and "PS Melbourne" in req["who_decides"]
    detail = client(ps_org.cm).get(f"/api/v1/ps/records/{rec['id']}/").json()
    assert detail["segment"] != 3, "nothing applies before the Team Leader decides"
    a = req["approval"]
    for who in (ps_org.cm, ps_org.cm2, ps_org.tl_wa):
        r = post(who, f"approvals/{a}/decide/", {"approve": True, "reason": "ok"})
        assert r.status_code == 403 and "PS-ORM-1" in r.json()["step_ids"], (who, r.json())
        assert "PS Team Leader of PS Melbourne" in r.json()["detail"]
    queue = client(ps_org.tl).get("/api/v1/approvals/?queue=to_decide").json()
    assert [q["id"] for q in queue] == [a]
    assert client(ps_org.tl_wa).get("/api/v1/approvals/?queue=to_decide").json() == []
    r = post(ps_org.tl, f"approvals/{a}/decide/", {"approve": True, "reason": "History of aggression"}, 200)
    assert r.json()["status"] == "approved" and r.json()["history"][-1]["action"] == "approved"
    detail = client(ps_org.cm).get(f"/api/v1/ps/records/{rec['id']}/").json()
    assert detail["segment"] == 3 and detail["plan"]["segment_history"][-1]["to"] == 3
    ev = AuditEvent.objects.filter(action="ps_segment.set").first()
    assert "PS-ORM-1" in ev.step_ids and ev.after["approved_by"] == ps_org.tl.pk
    assert AuditEvent.objects.filter(action="approval.approve").exists()
    notes = client(ps_org.cm).get("/api/v1/notifications/?unread=true").json()
    assert notes["unread"] >= 1 and any(n["kind"] == "approval_decided" for n in notes["results"])
    from casework.intrays.models import Intray

    assert not Intray.objects.filter(type__code="approval_decision", status__in=["open", "in_progress"]).exists()


def test_options_actions_and_plan_approval(ps_org, rec):
    r = post(ps_org.cm, f"ps/records/{rec['id']}/plan/approve/", {})
    assert r.status_code == 409 and "PS-PSP-2" in r.json()["step_ids"]  # no segment yet
    post(ps_org.cm, f"ps/records/{rec['id']}/segment/", {"segment": 2, "reason": "CRG"}, 200)
    r = post(ps_org.tl, f"ps/records/{rec['id']}/plan/approve/", {})
    assert r.status_code == 403 and "PS-PSP-3" in r.json()["step_ids"]
    post(ps_org.cm, f"ps/records/{rec['id']}/plan/approve/", {}, 200)
    r = post(ps_org.cm, f"ps/records/{rec['id']}/options/", {"kind": "magic", "detail": ""})
    assert r.status_code == 400
    o = post(ps_org.cm, f"ps/records/{rec['id']}/options/", {"kind": "external_organisation", "detail": "Referral"},
             201)
    post(ps_org.cm, f"ps/options/{o.json()['id']}/", {"status": "declined", "confirmed_in_writing": True,
                                                        "timeframe": "4 weeks"}, 200)
    a = post(ps_org.cm, f"ps/records/{rec['id']}/actions/", {"description": "Review estimate"}, 201)
    post(ps_org.cm, f"ps/actions/{a.json()['id']}/complete/", {}, 200)
    r = post(ps_org.cm, f"ps/actions/{a.json()['id']}/complete/", {})
    assert r.status_code == 409


def test_f2f_rules(ps_org, rec):
    """PS-F2F-2/3 checks still refuse before anything is asked; the typed Team Leader fields are gone (issue 11): a
    valid booking is a request to the PS Team Leader (202), never a meeting booked at once."""
    url = f"ps/records/{rec['id']}/f2f/"
    base = {"location_detail": "Melbourne service centre", "attendees": "ps_cm, ps_tl",
            "scheduled_for": "2026-12-01T10:00:00+11:00"}
    r = post(ps_org.cm, url, {**base, "location_type": "mp_office"})
    assert r.status_code == 409 and "PS-F2F-3" in r.json()["step_ids"]
    r = post(ps_org.cm, url, {**base, "security_risk": True})
    assert r.status_code == 409 and "PS-F2F-2" in r.json()["step_ids"]
    r = post(ps_org.cm, url, {**base, "location_type": "other", "tl_discussed_with": "ps_tl",
                              "location_approved_by": "ps_tl"}, 202)
    assert r.json()["kind"] == "face_to_face" and r.json()["status"] == "pending"
    from casework.ps.models import FaceToFace

    assert not FaceToFace.objects.exists()


def test_letters_and_uq140_01_skip(ps_org, rec):
    r = post(ps_org.cm, f"ps/records/{rec['id']}/letters/", {"template_code": "decision_letter"})
    assert r.status_code == 400 and "PS-CON-8" in r.json()["step_ids"]
    r = post(ps_org.cm, f"ps/records/{rec['id']}/letters/", {"template_code": "uq140_01_first_call_confirmation"},
             201)
    from casework.letters.models import Letter

    letter = Letter.objects.get(pk=r.json()["id"])
    assert letter.signed_by == ps_org.cm.user and letter.status == "preparing"  # rendered after commit (issue 15)
    post(ps_org.cm, f"ps/records/{rec['id']}/segment/", {"segment": 2, "reason": "CRG"}, 200)
    r = post(ps_org.cm, f"ps/records/{rec['id']}/uq140-01-skip/", {"straightforward": False,
                                                                  "tl_discussion": "x", "team_leader": "ps_tl"})
    assert r.status_code == 409 and "PS-RES-4" in r.json()["step_ids"]
    r = post(ps_org.cm, f"ps/records/{rec['id']}/uq140-01-skip/", {"straightforward": True, "tl_discussion": "ok"})
    assert r.status_code == 409  # no Team Leader named
    post(ps_org.cm, f"ps/records/{rec['id']}/uq140-01-skip/", {"straightforward": True,
                                                              "tl_discussion": "Agreed", "team_leader": "ps_tl"}, 200)


def _ready(org, rec_id):
    for issue in client(org.cm).get(f"/api/v1/ps/records/{rec_id}/").json()["plan"]["issues"]:
        if issue["status"] == "recorded":
            post(org.cm, f"ps/issues/{issue['id']}/status/", {"status": "confirmed"}, 200)
        post(org.cm, f"ps/issues/{issue['id']}/status/", {"status": "resolved", "comment": "Done"}, 200)
    for i in Intray.objects.filter(customer=org.customer, status__in=("open", "in_progress")):
        from casework.intrays import services as isvc

        isvc.intray_complete(actor=org.cm.user, intray=i, outcome="done")


def test_readiness_named_one_by_one_and_exit_letter_wait(ps_org, rec):
    rid = rec["id"]
    r = client(ps_org.cm).get(f"/api/v1/ps/records/{rid}/readiness/").json()
    failing = {c["name"] for c in r["checks"] if not c["ok"]}
    assert not r["ready"] and {"cma_activities", "issues_finalised", "customer_told"} <= failing
    _ready(ps_org, rid)
    r = post(ps_org.cm, f"ps/records/{rid}/finalisation/", {"summary": "Done", "attestations": ATTEST})
    assert r.status_code == 409 and "PS-FIN-1" in r.json()["step_ids"]
    assert any(c["name"] == "customer_told" and not c["ok"] for c in r.json()["checks"])
    post(ps_org.cm, f"ps/records/{rid}/letters/", {"template_code": "uq140_02_exit"}, 201)
    r = post(ps_org.cm, f"ps/records/{rid}/finalisation/", {"summary": "Done", "attestations": ATTEST})
    assert r.status_code == 409 and "10 days" in r.json()["detail"]
    with clock.freeze(clock.now() + dt.timedelta(days=10, hours=1)):
        post(ps_org.cm, f"ps/records/{rid}/finalisation/", {"summary": "Done", "attestations": ATTEST}, 201)


def _submit(org, rid):
    _ready(org, rid)
    post(org.cm, f"ps/records/{rid}/customer-told/", {"summary": "Told"}, 200)
    return post(org.cm, f"ps/records/{rid}/finalisation/", {"summary": "All resolved", "attestations": ATTEST},
                201).json()


def test_finalisation_approved_unlocks_and_returns_customer(ps_org, rec):
    f = _submit(ps_org, rec["id"])
    assert f["team_leader"] == "ps_tl"
    r = post(ps_org.cm, f"ps/finalisations/{f['id']}/decision/", {"approve": True, "reason": "issues_addressed",
                                                                  "comments": "ok"})
    assert r.status_code == 403
    r = post(ps_org.tl, f"ps/finalisations/{f['id']}/decision/", {"approve": True, "reason": "issues_addressed",
                                                                  "comments": ""})
    assert r.status_code == 400
    post(ps_org.tl, f"ps/finalisations/{f['id']}/decision/", {"approve": True, "reason": "issues_addressed",
                                                              "comments": "Approved"}, 200)
    assert not Lock.objects.filter(customer=ps_org.customer, is_active=True).exists()
    assert PsRecord.objects.get(pk=rec["id"]).status == "finalised"
    r = post(ps_org.tl, f"ps/finalisations/{f['id']}/decision/", {"approve": False, "comments": "again"})
    assert r.status_code == 409


def test_finalisation_options_declined_needs_act_1_conditions(ps_org, rec):
    f = _submit(ps_org, rec["id"])
    r = post(ps_org.tl, f"ps/finalisations/{f['id']}/decision/", {"approve": True, "reason": "options_declined",
                                                                  "comments": "declined"})
    assert r.status_code == 409 and "PS-ACT-1" in r.json()["step_ids"]


def test_finalisation_specialist_transfer_needs_act_4_conditions(ps_org, rec):
    f = _submit(ps_org, rec["id"])
    r = post(ps_org.tl, f"ps/finalisations/{f['id']}/decision/", {"approve": True, "reason": "specialist_ongoing",
                                                                  "comments": "objection", "no_escalation_history": True})
    assert r.status_code == 409 and "PS-ACT-4" in r.json()["step_ids"]


def test_finalisation_rejected_resets_issues_to_confirmed(ps_org, rec):
    f = _submit(ps_org, rec["id"])
    post(ps_org.tl, f"ps/finalisations/{f['id']}/decision/", {"approve": False, "comments": "Income not checked"}, 200)
    detail = client(ps_org.cm).get(f"/api/v1/ps/records/{rec['id']}/").json()
    assert detail["status"] == "active"
    assert {i["status"] for i in detail["plan"]["issues"]} == {"confirmed"}
    assert all("Income not checked" in i["comments"] for i in detail["plan"]["issues"])
    assert Lock.objects.get(customer=ps_org.customer, is_active=True).officer == ps_org.cm
    assert "PS-ACT-3" in AuditEvent.objects.get(action="ps_finalisation.reject").step_ids


def test_reallocation_moves_plan_and_creates_customer_assigned_intray(ps_org, rec):
    r = post(ps_org.cm, f"ps/records/{rec['id']}/reallocation/", {"reason_code": "workload", "detail": "x"})
    assert r.status_code == 400 and "PS-REV-2" in r.json()["step_ids"]
    req = post(ps_org.cm, f"ps/records/{rec['id']}/reallocation/", {"reason_code": "other_state_face_to_face",
                                                                   "detail": "Moved to Perth"}, 201).json()
    r = post(ps_org.cm, f"ps/reallocations/{req['id']}/forward/", {"receiving_position": "ps_tl_wa-pos"})
    assert r.status_code == 403
    r = post(ps_org.tl, f"ps/reallocations/{req['id']}/assign/", {"case_manager": "ps_cm2"})
    assert r.status_code == 409 and "PS-REV-3" in r.json()["step_ids"]
    post(ps_org.tl, f"ps/reallocations/{req['id']}/forward/", {"receiving_position": "ps_tl_wa-pos"}, 200)
    post(ps_org.tl_wa, f"ps/reallocations/{req['id']}/assign/", {"case_manager": "ps_cm2"}, 200)
    rec2 = PsRecord.objects.get(pk=rec["id"])
    assert rec2.case_manager == ps_org.cm2 and rec2.plan.issues.count() == 5
    assert Lock.objects.get(customer=ps_org.customer, is_active=True).officer == ps_org.cm2
    assigned = Intray.objects.get(customer=ps_org.customer, type__code="customer_assigned_to_ps",
                                  assignee_officer=ps_org.cm2)
    post(ps_org.cm2, f"ps/records/{rec['id']}/contacts/", {"kind": "first", "summary": "Hello from Perth",
                                                           "checklist": FIRST_CHECKLIST, "mandatory_gathered": MANDATORY,
                                                           "acknowledged": True}, 201)
    assigned.refresh_from_db()
    assert assigned.status == "done"  # PS-CON-5


def test_segment3_review_and_restricted_service_review(ps_org, rec):
    rid = rec["id"]
    today = clock.now().date()
    r = post(ps_org.tl, f"ps/records/{rid}/segment3-review/", {"review_date": str(today + dt.timedelta(days=30))})
    assert r.status_code == 409 and "PS-ORM-2" in r.json()["step_ids"]  # not segment 3
    a = post(ps_org.tl, f"ps/records/{rid}/segment/", {"segment": 3, "reason": "Restricted service"}, 202).json()
    # The team's own PS Team Leader asked, so another PS Team Leader decides (PS-ORM-1, issue 11).
    assert a["who_decides"] == "a PS Team Leader"
    post(ps_org.tl, f"approvals/{a['approval']}/decide/", {"approve": True, "reason": "ok"}, 403)
    post(ps_org.tl_wa, f"approvals/{a['approval']}/decide/", {"approve": True, "reason": "ok"}, 200)
    r = post(ps_org.tl, f"ps/records/{rid}/segment3-review/", {"review_date": str(today + dt.timedelta(days=120))})
    assert r.status_code == 400 and "PS-ORM-2" in r.json()["step_ids"]
    r = post(ps_org.cm, f"ps/records/{rid}/segment3-review/", {"review_date": str(today + dt.timedelta(days=30))})
    assert r.status_code == 403
    review = post(ps_org.tl, f"ps/records/{rid}/segment3-review/", {"review_date": str(today + dt.timedelta(days=30)),
                                                                   "conditions": "Written contact only"}, 201).json()
    # Issue 11: the outcome is a request a second PS Team Leader decides (PS-ORM-2); it applies on approval.
    a = post(ps_org.tl, f"ps/segment3-reviews/{review['id']}/outcome/", {"outcome": "back_to_segment_2",
                                                                        "notes": "Settled"}, 202).json()
    assert PsRecord.objects.get(pk=rid).segment == 3
    post(ps_org.tl_wa, f"approvals/{a['approval']}/decide/", {"approve": True, "reason": "Agreed"}, 200)
    assert PsRecord.objects.get(pk=rid).segment == 2
    restriction = ContactRestriction.objects.create(customer=ps_org.customer, conditions="Written only",
                                                    imposed_on=today, review_date=today + dt.timedelta(days=90), status="active", is_active=True)
    data = {"restriction_id": restriction.pk, "outcome": "Continue",
            "next_review_date": str(today + dt.timedelta(days=120))}
    r = post(ps_org.tl, f"ps/records/{rid}/restricted-review/", {**data,
                                                                 "next_review_date": str(today + dt.timedelta(days=30))})
    assert r.status_code == 400 and "PS-ORM-3" in r.json()["step_ids"]
    # A typed approver is no longer read: the request goes to the National Manager QCC (PS-ORM-3, issue 11).
    r = post(ps_org.tl, f"ps/records/{rid}/restricted-review/", {**data, "approved_by": "ps_tl"}, 202)
    assert r.json()["kind"] == "restricted_service_review"
    assert "National Manager Quality and Customer Complaints" in r.json()["who_decides"]


def test_sensitive_indicator_internal_only(ps_org, rec):
    r = post(ps_org.cm, f"ps/records/{rec['id']}/sensitive-indicator/", {"reason": "family_violence",
                                                                         "conditions": ""})
    assert r.status_code == 400 and "PS-CON-4" in r.json()["step_ids"]
    post(ps_org.cm, f"ps/records/{rec['id']}/sensitive-indicator/", {"reason": "family_violence",
                                                                     "conditions": "Do not disclose address XYZ"}, 201)
    detail = client(ps_org.cm).get(f"/api/v1/ps/records/{rec['id']}/").json()
    assert detail["sensitive_indicators"][0]["reason"] == "family_violence"
    # the indicator's text can never reach a letter
    r = post(ps_org.cm, f"ps/records/{rec['id']}/letters/", {"template_code": "uq140_00_introduction",
                                                             "context": {"exit_reason": "Do not disclose address XYZ"}})
    assert r.status_code == 400


def test_dashboard_and_export(ps_org, rec):
    d = client(ps_org.cm).get("/api/v1/ps/dashboard/").json()
    assert [r["id"] for r in d["records"]] == [rec["id"]]
    d = client(ps_org.tl).get("/api/v1/ps/dashboard/").json()
    assert rec["id"] in [r["id"] for r in d["records"]]
    r = client(ps_org.cm).get("/api/v1/ps/export.csv")
    assert r.status_code == 200 and ps_org.customer.csid in r.content.decode()
    assert client(ps_org.so).get("/api/v1/ps/export.csv").status_code == 403
    with clock.freeze(clock.now() + dt.timedelta(days=30)):
        d = client(ps_org.cm).get("/api/v1/ps/dashboard/").json()
        assert d["plans_overdue"] == [rec["id"]]


def test_mp_referral_no_further_contact_confirmed_with_cro(ps_org):
    from casework.org.roles import Role
    from casework.testing.factories import OfficerFactory

    OfficerFactory(user__username="cro", role=Role.CUSTOMER_REVIEW_OFFICER)
    data, _ = allocate_api(ps_org, referral_source="mp", review=None)
    url = f"ps/records/{data['id']}/no-further-contact/"
    r = post(ps_org.cm, url, {"cro": "ps_tl", "confirmation": "Resolved"})
    assert r.status_code == 409 and "PS-CON-1" in r.json()["step_ids"]
    post(ps_org.cm, url, {"cro": "cro", "confirmation": "MP response accepted; issues resolved"}, 200)
    r = client(ps_org.cm).get(f"/api/v1/ps/records/{data['id']}/readiness/").json()
    assert [c["ok"] for c in r["checks"] if c["name"] == "customer_told"] == [True]


def test_associated_customer_locked_and_released_with_the_primary(ps_org):
    data, _ = allocate_api(ps_org, associated_csid=ps_org.other.csid)
    assert data["associated_csid"] == ps_org.other.csid
    assert Lock.objects.get(customer=ps_org.other, is_active=True).officer == ps_org.cm
    f = _submit(ps_org, data["id"])
    post(ps_org.tl, f"ps/finalisations/{f['id']}/decision/", {"approve": True, "reason": "issues_addressed",
                                                              "comments": "Approved"}, 200)
    assert not Lock.objects.filter(customer__in=[ps_org.customer, ps_org.other], is_active=True).exists()
