"""Issue 11 ("Work that moves between people") for Personalised Services: finalisation (PS-FIN-2/3), reallocation
(PS-REV-2/3, two stages) and the urgent referral (PS-REF-1) are requests for approval decided by an eligible second
person from their own queue (/api/v1/approvals/), never the requester nor anyone who worked the item; the effect
happens only then; the requester (and the officer the work lands with) is notified."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from casework.approvals.models import ApprovalRequest
from casework.core.models import AuditEvent
from casework.intrays.models import Intray
from casework.ownership.models import Lock
from casework.ps import services
from casework.ps.models import FinalisationRequest, PlanIssue, PsRecord, ReallocationRequest, Referral

from .helpers import ATTEST

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


def decide(officer, approval_id, approve=True, reason="", data=None):
    return post(officer, f"approvals/{approval_id}/decide/", {"approve": approve, "reason": reason,
                                                              "data": data or {}})


def queue(officer) -> list[int]:
    return [a["id"] for a in client(officer).get("/api/v1/approvals/?queue=to_decide").json()]


def notifications(officer) -> list[dict]:
    return client(officer).get("/api/v1/notifications/").json()["results"]


def _allocate(org) -> PsRecord:
    ref = post(org.so, "ps/referrals/", {"csid": org.customer.csid, "type_code": "crg_referral_to_ps",
                                         "reason": "CRG: repeated escalations"}, 201).json()
    r = post(org.tl, "ps/records/", {"csid": org.customer.csid, "case_manager": "ps_cm", "referral_source": "crg",
                                     "main_referral_reason": "Repeated escalations",
                                     "referral_intray_id": ref["intray_id"],
                                     "review": {"reviewed_items": ["case records"], "crg_record": "read"}}, 201)
    return PsRecord.objects.get(pk=r.json()["id"])


def _ready(org, rec: PsRecord, *, worker=None) -> None:
    """Every plan issue confirmed and resolved (by the Case Manager, or ``worker``), open intrays closed, the
    customer told (PS-FIN-1)."""
    from casework.intrays import services as isvc

    for issue in PlanIssue.objects.filter(plan__ps_record=rec):
        by = worker or org.cm
        post(by, f"ps/issues/{issue.pk}/status/", {"status": "confirmed"}, 200)
        post(by, f"ps/issues/{issue.pk}/status/", {"status": "resolved", "comment": "Done"}, 200)
    for i in Intray.objects.filter(customer=org.customer, status__in=("open", "in_progress")):
        isvc.intray_complete(actor=org.cm.user, intray=i, outcome="done")
    post(org.cm, f"ps/records/{rec.pk}/customer-told/", {"summary": "Told"}, 200)


def _submit(org, rec: PsRecord, **kw) -> dict:
    _ready(org, rec, **kw)
    return post(org.cm, f"ps/records/{rec.pk}/finalisation/", {"summary": "All resolved", "attestations": ATTEST},
                201).json()


APPROVE_FIN = {"approval_reason": "issues_addressed", "comments": "Issues addressed per the PSP"}


# --- ps_finalisation -------------------------------------------------------------------------------------------


def test_ps_finalisation_is_decided_by_the_case_managers_team_leader_from_their_queue(ps_org):
    """ps_finalisation: (a) the requester cannot decide it, (b) nor an out-of-scope officer, (c) the PS Team Leader
    of the CM's team decides it from their queue and only then the customer leaves PS, (d) the CM is notified."""
    rec = _allocate(ps_org)
    f = _submit(ps_org, rec)
    a = f["approval"]["approval"]
    assert f["status"] == "pending" and f["approval"]["kind"] == "ps_finalisation"
    assert "PS Melbourne" in f["approval"]["who_decides"]
    row = ApprovalRequest.objects.get(pk=a)
    assert row.requested_by == ps_org.cm.user and row.worked_by == [], "the CM asked; nobody else worked the issues"
    rec.refresh_from_db()
    assert rec.status == "finalisation" and rec.is_active, "nothing is finalised before the decision"
    for who in (ps_org.cm, ps_org.cm2, ps_org.tl_wa):
        r = decide(who, a, data=APPROVE_FIN)
        assert r.status_code == 403 and "PS-FIN-3" in r.json()["step_ids"], (who, r.json())
    assert a in queue(ps_org.tl) and a not in queue(ps_org.tl_wa)
    r = decide(ps_org.tl, a, data={"approval_reason": "issues_addressed"})
    assert r.status_code == 400 and "comments" in r.json(), r.json()
    assert decide(ps_org.tl, a, reason="Reviewed", data=APPROVE_FIN).status_code == 200
    rec.refresh_from_db()
    assert rec.status == "finalised" and not rec.is_active
    assert not Lock.objects.filter(customer=ps_org.customer, is_active=True).exists()
    req = FinalisationRequest.objects.get(pk=f["id"])
    assert req.status == "approved" and req.approval_reason == "issues_addressed" and req.decided_by == ps_org.tl.user
    assert {"approval.request", "ps_finalisation.submit", "approval.approve", "ps_finalisation.approve"} <= set(
        AuditEvent.objects.values_list("action", flat=True))
    assert AuditEvent.objects.get(action="ps_finalisation.approve").after["approval"] == a
    assert any(n["kind"] == "approval_decided" for n in notifications(ps_org.cm))
    assert not Intray.objects.filter(type__code="approval_decision", status__in=["open", "in_progress"]).exists()


def test_a_team_leader_who_actioned_the_issues_cannot_approve_the_finalisation(ps_org):
    """Issue 11 measured case: "nor can anyone who worked the item being approved (e.g. a PS Team Leader who
    actioned the issues of a record cannot approve its finalisation)". On the old code the team's PS Team Leader
    decided it whatever they had done; now it goes to another PS Team Leader."""
    rec = _allocate(ps_org)
    f = _submit(ps_org, rec, worker=ps_org.tl)
    a = f["approval"]["approval"]
    assert ps_org.tl.user_id in ApprovalRequest.objects.get(pk=a).worked_by
    assert a not in queue(ps_org.tl)
    r = decide(ps_org.tl, a, data=APPROVE_FIN)
    assert r.status_code == 403 and "worked" in r.json()["detail"], r.json()
    r = post(ps_org.tl, f"ps/finalisations/{f['id']}/decision/", {"approve": True, "reason": "issues_addressed",
                                                                  "comments": "ok"})
    assert r.status_code == 403, "the older path is the same decision"
    assert PsRecord.objects.get(pk=rec.pk).status == "finalisation"
    assert a in queue(ps_org.tl_wa)
    assert decide(ps_org.tl_wa, a, data=APPROVE_FIN).status_code == 200
    assert PsRecord.objects.get(pk=rec.pk).status == "finalised"


def test_a_rejected_finalisation_gives_the_case_manager_an_intray_and_a_notification(ps_org):
    """Issue 11 measured case: "A Team Leader who rejects a finalisation leaves the Case Manager with nothing in
    their queue." Now the CM gets a *Finalisation not approved* intray due in working days and a
    FINALISATION_REJECTED notification with the Team Leader's comments (PS-ACT-3, PS-ACT-5)."""
    rec = _allocate(ps_org)
    f = _submit(ps_org, rec)
    a = f["approval"]["approval"]
    r = decide(ps_org.tl, a, approve=False)
    assert r.status_code == 400 and "reason" in r.json()
    assert decide(ps_org.tl, a, approve=False, reason="Income not checked with the customer").status_code == 200
    work = Intray.objects.get(customer=ps_org.customer, type__code="ps_finalisation_not_approved")
    assert work.assignee_officer == ps_org.cm and work.status == "open" and work.due_date is not None
    assert work.due_date > work.created_at.date() and "Income not checked" in work.details
    notes = [n for n in notifications(ps_org.cm) if n["kind"] == "finalisation_rejected"]
    assert len(notes) == 1 and "Income not checked" in notes[0]["text"]
    rec.refresh_from_db()
    assert rec.status == "active" and rec.is_active
    assert {i.status for i in rec.plan.issues.all()} == {"confirmed"}
    assert Lock.objects.get(customer=ps_org.customer, is_active=True).officer == ps_org.cm
    ev = AuditEvent.objects.get(action="ps_finalisation.reject")
    assert "PS-ACT-3" in ev.step_ids and ev.after["intray"] == work.pk
    assert AuditEvent.objects.filter(action="approval.reject").exists()


def test_a_withdrawn_finalisation_returns_the_customer_to_the_case_manager(ps_org):
    rec = _allocate(ps_org)
    f = _submit(ps_org, rec)
    a = f["approval"]["approval"]
    post(ps_org.cm, f"approvals/{a}/withdraw/", {"reason": "Customer raised a new issue"}, 200)
    assert FinalisationRequest.objects.get(pk=f["id"]).status == "withdrawn"
    rec.refresh_from_db()
    assert rec.status == "active"
    assert Lock.objects.get(customer=ps_org.customer, is_active=True).officer == ps_org.cm
    assert not Intray.objects.filter(type__code="ps_finalisation_not_approved").exists()
    assert AuditEvent.objects.filter(action="ps_finalisation.withdraw").exists()


def test_finalisation_service_delegates_to_the_approval(ps_org):
    """One path: ``finalisation_decide`` (the older API and the record page) decides the ps_finalisation request."""
    rec = _allocate(ps_org)
    f = _submit(ps_org, rec)
    req = FinalisationRequest.objects.get(pk=f["id"])
    services.finalisation_decide(actor=ps_org.tl.user, request=req, approve=False, comments="Care not confirmed")
    row = ApprovalRequest.objects.get(pk=f["approval"]["approval"])
    assert row.status == "rejected" and row.decided_by == ps_org.tl.user
    assert row.decision_reason == "Care not confirmed"
    assert FinalisationRequest.objects.get(pk=f["id"]).status == "rejected"


# --- ps_reallocation and ps_reallocation_assign ----------------------------------------------------------------


def _request_realloc(org, rec) -> dict:
    return post(org.cm, f"ps/records/{rec.pk}/reallocation/", {"reason_code": "other_state_face_to_face",
                                                               "detail": "Moved to Perth"}, 201).json()


def test_reallocation_goes_through_both_team_leaders_queues(ps_org):
    """ps_reallocation then ps_reallocation_assign (PS-REV-2/3): (a) the requester cannot decide either, (b) nor an
    out-of-scope Team Leader, (c) each eligible Team Leader decides from their queue and the customer moves only on
    the receiving Team Leader's assignment, (d) the Case Manager who asked is notified at each decision."""
    rec = _allocate(ps_org)
    r = _request_realloc(ps_org, rec)
    a = r["approval"]["approval"]
    assert r["approval"]["kind"] == "ps_reallocation" and "PS Melbourne" in r["approval"]["who_decides"]
    assert PsRecord.objects.get(pk=rec.pk).status == "reallocation"
    for who in (ps_org.cm, ps_org.tl_wa, ps_org.cm2):
        res = decide(who, a, data={"receiving_position": "ps_tl_wa-pos"})
        assert res.status_code == 403 and "PS-REV-2" in res.json()["step_ids"], (who, res.json())
    assert a in queue(ps_org.tl) and a not in queue(ps_org.tl_wa)
    res = decide(ps_org.tl, a)
    assert res.status_code == 400 and "receiving_position" in res.json()
    assert decide(ps_org.tl, a, reason="Discussed with PS Perth",
                  data={"receiving_position": "ps_tl_wa-pos"}).status_code == 200
    assert ReallocationRequest.objects.get(pk=r["id"]).status == "forwarded"
    assert any(n["kind"] == "approval_decided" for n in notifications(ps_org.cm))
    stage2 = ApprovalRequest.objects.get(kind="ps_reallocation_assign", parent_id=a)
    assert stage2.requested_by == ps_org.tl.user and "PS Perth" in stage2.eligible.label
    rec.refresh_from_db()
    assert rec.case_manager == ps_org.cm and rec.status == "reallocation", "not moved before the assignment"
    assert Lock.objects.get(customer=ps_org.customer, is_active=True).officer == ps_org.cm
    for who in (ps_org.tl, ps_org.cm):
        assert decide(who, stage2.pk, data={"case_manager": "ps_cm2"}).status_code == 403
    assert stage2.pk in queue(ps_org.tl_wa) and stage2.pk not in queue(ps_org.tl)
    # (b) for the second stage too: a Team Leader outside PS (purely out of scope) is refused, saying who decides.
    res = decide(ps_org.tl_front, stage2.pk, data={"case_manager": "ps_cm2"})
    assert res.status_code == 403 and "PS Perth" in res.json()["detail"]
    res = decide(ps_org.tl_wa, stage2.pk, data={"case_manager": "ps_tl"})
    assert res.status_code == 400 and "case_manager" in res.json()
    assert decide(ps_org.tl_wa, stage2.pk, data={"case_manager": "ps_cm2"}).status_code == 200
    rec.refresh_from_db()
    assert rec.case_manager == ps_org.cm2 and rec.status == "active" and rec.plan.issues.count() == 5
    assert Lock.objects.get(customer=ps_org.customer, is_active=True).officer == ps_org.cm2
    assert Intray.objects.filter(type__code="customer_assigned_to_ps", assignee_officer=ps_org.cm2).exists()
    assert any(n["kind"] == "work_received" for n in notifications(ps_org.cm2))
    assert sum(n["kind"] == "approval_decided" for n in notifications(ps_org.cm)) == 2
    # (d) for the second stage: its requester, the forwarding Team Leader, is told of the assignment.
    assert any(n["kind"] == "approval_decided" and "approved" in n["text"] for n in notifications(ps_org.tl))
    assert {"ps_reallocation.request", "ps_reallocation.forward", "ps_reallocation.assign"} <= set(
        AuditEvent.objects.values_list("action", flat=True))


def test_reallocation_declined_by_the_receiving_team_leader_returns_the_customer(ps_org):
    """PS-REV-3 (issue 11): the receiving Team Leader declines with a reason; the customer returns to where it was
    (active, the same Case Manager and lock) and the Case Manager who asked is told."""
    rec = _allocate(ps_org)
    r = _request_realloc(ps_org, rec)
    decide(ps_org.tl, r["approval"]["approval"], data={"receiving_position": "ps_tl_wa-pos"})
    stage2 = ApprovalRequest.objects.get(kind="ps_reallocation_assign")
    assert decide(ps_org.tl_wa, stage2.pk, approve=False).status_code == 400
    assert decide(ps_org.tl_wa, stage2.pk, approve=False, reason="No capacity in Perth").status_code == 200
    assert ReallocationRequest.objects.get(pk=r["id"]).status == "declined"
    rec.refresh_from_db()
    assert rec.status == "active" and rec.case_manager == ps_org.cm
    assert Lock.objects.get(customer=ps_org.customer, is_active=True).officer == ps_org.cm
    assert any("No capacity in Perth" in n["text"] for n in notifications(ps_org.cm))
    ev = AuditEvent.objects.get(action="ps_reallocation.decline")
    assert ev.before == {"status": "forwarded"} and ev.after["record_status"] == "active"


def test_reallocation_not_approved_by_own_team_leader_keeps_the_customer(ps_org):
    rec = _allocate(ps_org)
    r = _request_realloc(ps_org, rec)
    assert decide(ps_org.tl, r["approval"]["approval"], approve=False, reason="Keep with the CM").status_code == 200
    assert ReallocationRequest.objects.get(pk=r["id"]).status == "declined"
    assert not ApprovalRequest.objects.filter(kind="ps_reallocation_assign").exists()
    rec.refresh_from_db()
    assert rec.status == "active" and rec.case_manager == ps_org.cm
    # the record is active again: the Case Manager may ask again
    _request_realloc(ps_org, rec)


# --- urgent_ps_referral ----------------------------------------------------------------------------------------


def _urgent(org, by, **kw):
    return post(by, "ps/referrals/", {"csid": org.customer.csid, "type_code": "crg_referral_to_ps",
                                      "reason": "Threats of self-harm on the phone", "urgent": True,
                                      "tl_call_details": "tl_nsw called ps_tl at 9:05; agreed it is urgent",
                                      "to_position": org.intake.code, **kw})


def test_urgent_referral_call_is_recorded_by_a_team_leader_and_accepted_by_the_ps_team_leader(ps_org):
    """Issue 11 measured case (PS-REF-1): an urgent referral is accepted only when the referring Team Leader's call
    to the PS Team Leader is recorded *by a Team Leader*. On the old code a Service Officer typed the call and the
    URGENT intray went straight to the PS queue. Now: (a) the requester cannot accept it, (b) nor an out-of-scope
    officer, (c) the PS Team Leader accepts it from their queue and only then the intray exists, (d) the referring
    Team Leader is notified."""
    r = _urgent(ps_org, ps_org.so)
    assert r.status_code == 403 and "PS-REF-1" in r.json()["step_ids"] and "tl_call_details" in r.json()
    assert not Referral.objects.exists()
    r = _urgent(ps_org, ps_org.tl_front)
    assert r.status_code == 202, r.content
    body = r.json()
    a = body["approval"]
    assert body["kind"] == "urgent_ps_referral" and body["intray_id"] is None
    assert "tl_nsw called ps_tl" in ApprovalRequest.objects.get(pk=a).reason
    assert not Intray.objects.filter(customer=ps_org.customer, type__code="crg_referral_to_ps").exists()
    for who in (ps_org.tl_front, ps_org.cm, ps_org.tl_wa):
        res = decide(who, a)
        assert res.status_code == 403 and "PS-REF-1" in res.json()["step_ids"], (who, res.json())
    assert a in queue(ps_org.tl)
    assert decide(ps_org.tl, a, reason="Agreed on the call").status_code == 200
    intray = Intray.objects.get(customer=ps_org.customer, type__code="crg_referral_to_ps")
    assert intray.subject.startswith("URGENT") and intray.assignee_position == ps_org.intake
    assert intray.due_date is not None and "called ps_tl" in intray.details
    ref = Referral.objects.get(pk=body["id"])
    assert ref.intray_id == intray.pk and ref.urgent and ref.created_by == ps_org.tl_front.user
    assert any(n["kind"] == "approval_decided" for n in notifications(ps_org.tl_front))
    ev = AuditEvent.objects.get(action="ps_referral.accept")
    assert ev.after["intray"] == intray.pk and "PS-REF-1" in ev.step_ids
    # the accepted referral is actioned as any other (PS-REF-2), and the PS record says it was urgent
    rec = post(ps_org.tl, "ps/records/", {"csid": ps_org.customer.csid, "case_manager": "ps_cm",
                                          "referral_source": "crg", "main_referral_reason": "Urgent",
                                          "referral_intray_id": intray.pk}, 201).json()
    assert PsRecord.objects.get(pk=rec["id"]).urgent is True


def test_urgent_referral_not_accepted_creates_no_intray(ps_org):
    a = _urgent(ps_org, ps_org.tl_front).json()["approval"]
    assert decide(ps_org.tl, a, approve=False, reason="Not urgent: refer it normally").status_code == 200
    assert not Intray.objects.filter(customer=ps_org.customer, type__code="crg_referral_to_ps").exists()
    assert AuditEvent.objects.get(action="ps_referral.decline").reason == "Not urgent: refer it normally"
    assert any("Not urgent" in n["text"] for n in notifications(ps_org.tl_front))


# --- the record page -------------------------------------------------------------------------------------------


def test_record_page_links_the_request_and_shows_the_decision_form_only_to_an_eligible_decider(ps_org):
    from django.test import Client

    rec = _allocate(ps_org)
    f = _submit(ps_org, rec)
    url = f"/ps/records/{rec.pk}/tasks/decision/"  # issue 14: the Team Leader's decision task

    def page(officer):
        c = Client()
        c.force_login(officer.user)
        return c.get(url).content.decode()

    html = page(ps_org.cm)
    assert f"/approvals/{f['approval']['approval']}/" in html and "Approve finalisation" not in html
    assert "Approve finalisation" in page(ps_org.tl)


def test_record_page_reallocation_decisions_go_through_the_approval(ps_org):
    """The web path (rule 1): the record page's forward/assign forms are shown only to the eligible decider and
    decide the same requests as /approvals/<id>/; the Case Manager's POST of the forward form is refused."""
    from django.test import Client

    def web(officer):
        c = Client()
        c.force_login(officer.user)
        return c

    rec = _allocate(ps_org)
    r = _request_realloc(ps_org, rec)
    url = f"/ps/records/{rec.pk}/"
    task = url + "tasks/more/"  # issue 14: reallocation is on the "Indicators, face-to-face, reallocation" task
    assert "Send to receiving team" not in web(ps_org.cm).get(task).content.decode()
    assert "Send to receiving team" in web(ps_org.tl).get(task).content.decode()
    web(ps_org.cm).post(url + "realloc_forward/", {"request": r["id"], "receiving_position": "ps_tl_wa-pos"})
    assert ReallocationRequest.objects.get(pk=r["id"]).status == "requested"
    web(ps_org.tl).post(url + "realloc_forward/", {"request": r["id"], "receiving_position": "ps_tl_wa-pos"})
    assert ReallocationRequest.objects.get(pk=r["id"]).status == "forwarded"
    assert ApprovalRequest.objects.get(pk=r["approval"]["approval"]).status == "approved"
    assert "Assign and lock" in web(ps_org.tl_wa).get(task).content.decode()
    web(ps_org.tl_wa).post(url + "realloc_assign/", {"request": r["id"], "case_manager": "ps_cm2"})
    rec.refresh_from_db()
    assert rec.case_manager == ps_org.cm2
    assert ApprovalRequest.objects.get(kind="ps_reallocation_assign").status == "approved"
