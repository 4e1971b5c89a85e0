"""Issue 11, "Work that moves between people", PS part: the segment 3 review outcome (PS-ORM-2), the restricted-service
review outcome (PS-ORM-3, the National Manager QCC only), restricted service imposition (PS-ORM-3, PS-DOC-2), the
face-to-face meeting (PS-F2F-1/3) and the social worker referral (PS-CON-6) are requests for approval on the shared
mechanism; a specialist acting on a PS customer notifies the Case Manager (PS-ROLE, PS-SPE-1).

For each kind: the requester cannot decide it, an officer out of scope cannot, the eligible decider decides it from
their own queue (``GET /api/v1/approvals/?queue=to_decide``), the effect happens only then, and the requester is told
(``/api/v1/notifications/``)."""

from __future__ import annotations

import datetime as dt

import pytest

from casework.approvals.models import ApprovalRequest
from casework.core import clock
from casework.core.models import AuditEvent
from casework.customers.models import ContactRestriction
from casework.notifications.models import Notification
from casework.org.roles import Role
from casework.ps.models import FaceToFace, PlanOption, PsRecord, RestrictedServiceReview, Segment3Review
from casework.testing import factories as f

from .helpers import segment_3
from .test_api import allocate_api, client, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def rec(ps_org):
    data, _ = allocate_api(ps_org)
    return data


def _refused(who, approval_id: int, *, says: str, step: str) -> None:
    r = post(who, f"approvals/{approval_id}/decide/", {"approve": True, "reason": "ok",
                                                         "data": {"letter_reference": "L-1"}})
    assert r.status_code == 403, (who, r.json())
    assert step in r.json()["step_ids"] and says in r.json()["detail"], r.json()


def _queue(who) -> list[int]:
    return [q["id"] for q in client(who).get("/api/v1/approvals/?queue=to_decide").json()]


def _told(who, approval_id: int) -> bool:
    notes = client(who).get("/api/v1/notifications/?unread=true").json()["results"]
    return any(n["kind"] == "approval_decided" and n["link"] == f"/approvals/{approval_id}/" for n in notes)


def _audit(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-id").first()


# --- face_to_face (PS-F2F-1, PS-F2F-3) ---------------------------------------------------------------------------


def test_face_to_face_is_a_request_the_ps_team_leader_decides_before_the_meeting_is_booked(ps_org, rec):
    """Issue 11 measured case: "Approvals are self-asserted ... (the same for face-to-face discussions and
    approvals ...)": the Case Manager typed ``tl_discussed_with`` and ``location_approved_by`` and the meeting was
    booked at once (201). Now the booking is a request (202) to the PS Team Leader of the Case Manager's team; the
    typed names are ignored and the meeting exists only once that Team Leader approves it from their queue."""
    r = post(ps_org.cm, f"ps/records/{rec['id']}/f2f/", {
        "location_type": "other", "location_detail": "Community centre, Footscray", "attendees": "ps_cm, ps_tl",
        "scheduled_for": "2026-12-08T10:00:00+11:00", "reason": "Communication barrier on the phone",
        "tl_discussed_with": "ps_tl_wa", "location_approved_by": "ps_tl_wa"}, 202).json()
    a = r["approval"]
    assert r["kind"] == "face_to_face" and "PS Team Leader of PS Melbourne" in r["who_decides"]
    assert not FaceToFace.objects.exists(), "nothing is booked before the Team Leader decides"
    _refused(ps_org.cm, a, says="You asked for this", step="PS-F2F-1")
    _refused(ps_org.tl_wa, a, says="PS Team Leader of PS Melbourne", step="PS-F2F-1")
    _refused(ps_org.cm2, a, says="PS Team Leader of PS Melbourne", step="PS-F2F-1")
    assert a in _queue(ps_org.tl) and a not in _queue(ps_org.tl_wa)
    assert not FaceToFace.objects.exists()
    post(ps_org.tl, f"approvals/{a}/decide/", {"approve": True, "reason": "Security reviewed: agreed"}, 200)
    meeting = FaceToFace.objects.get()
    assert meeting.tl_discussed_with == ps_org.tl and meeting.location_approved_by == ps_org.tl
    assert meeting.booked_by == ps_org.cm.user and meeting.location_type == "other"
    ev = _audit("ps_f2f.book")
    assert ev.actor_id == ps_org.tl.user.pk and ev.after["requested_by"] == ps_org.cm.user.pk
    assert {"PS-F2F-1", "PS-F2F-3"} <= set(ev.step_ids)
    assert _told(ps_org.cm, a)


def test_face_to_face_at_a_service_centre_not_approved_books_nothing(ps_org, rec):
    r = post(ps_org.cm, f"ps/records/{rec['id']}/f2f/", {
        "location_detail": "Melbourne service centre", "attendees": "ps_cm",
        "scheduled_for": "2026-12-08T10:00:00+11:00"}, 202).json()
    post(ps_org.tl, f"approvals/{r['approval']}/decide/", {"approve": False, "reason": "Try a conference call"}, 200)
    assert not FaceToFace.objects.exists()
    assert _told(ps_org.cm, r["approval"])


def test_face_to_face_screen_sends_for_approval_without_typed_approvers(ps_org, rec):
    from django.test import Client

    web = Client()
    web.force_login(ps_org.cm.user)
    page = web.get(f"/ps/records/{rec['id']}/tasks/more/").content
    assert b'name="tl_discussed_with"' not in page and b'name="location_approved_by"' not in page
    r = web.post(f"/ps/records/{rec['id']}/f2f/", {
        "location_type": "service_centre", "location_detail": "Melbourne service centre", "attendees": "ps_cm",
        "scheduled_for": "2026-12-08T10:00", "tl_discussed_with": "ps_tl"}, follow=True)
    assert any("sent for approval" in str(m) for m in r.context["messages"])
    assert ApprovalRequest.objects.filter(kind="face_to_face", status="pending").exists()
    assert not FaceToFace.objects.exists()


# --- social_worker_referral (PS-CON-6) ---------------------------------------------------------------------------


def test_social_worker_referral_is_discussed_with_the_team_leader_first(ps_org, rec):
    """PS-CON-6: "A social worker referral is discussed with the Team Leader first". It was recorded on the plan at
    once as an option of kind social_worker (201); now it is a request (202) that only the PS Team Leader of the Case
    Manager's team approves, and the option is recorded only then."""
    r = post(ps_org.cm, f"ps/records/{rec['id']}/options/", {"kind": "social_worker",
                                                               "detail": "Parent Support Services referral",
                                                               "timeframe": "2 weeks"}, 202).json()
    a = r["approval"]
    assert r["kind"] == "social_worker_referral"
    assert not PlanOption.objects.filter(kind="social_worker").exists()
    _refused(ps_org.cm, a, says="You asked for this", step="PS-CON-6")
    _refused(ps_org.tl_wa, a, says="PS Team Leader of PS Melbourne", step="PS-CON-6")
    assert a in _queue(ps_org.tl) and _queue(ps_org.tl_wa) == []
    post(ps_org.tl, f"approvals/{a}/decide/", {"approve": True, "reason": "Agreed"}, 200)
    opt = PlanOption.objects.get(kind="social_worker")
    assert (opt.detail, opt.timeframe, opt.recorded_by) == ("Parent Support Services referral", "2 weeks",
                                                            ps_org.cm.user)
    ev = _audit("ps_plan_option.add")
    assert ev.after["approved_by"] == ps_org.tl.pk and "PS-CON-6" in ev.step_ids
    assert _told(ps_org.cm, a)
    # other options are still recorded at once
    post(ps_org.cm, f"ps/records/{rec['id']}/options/", {"kind": "publication", "detail": "Fact sheet"}, 201)


# --- segment_3_review (PS-ORM-2) ---------------------------------------------------------------------------------


def test_segment_3_review_outcome_is_decided_by_a_second_ps_team_leader(ps_org, rec):
    """PS-ORM-2 (issue 11): the PS Team Leader who reviewed a segment 3 customer recorded the outcome and it applied
    at once. Now it is a request decided by a second PS Team Leader (the PS Team Manager role of the procedure is
    not a role here: another PS Team Leader stands in); the outcome applies only on approval."""
    record = PsRecord.objects.get(pk=rec["id"])
    segment_3(ps_org, record)
    today = clock.local_today(ps_org.mel)
    review = post(ps_org.tl, f"ps/records/{rec['id']}/segment3-review/",
                  {"review_date": str(today + dt.timedelta(days=30)), "conditions": "Written contact only"},
                  201).json()
    new_date = today + dt.timedelta(days=80)
    r = post(ps_org.tl, f"ps/segment3-reviews/{review['id']}/outcome/",
             {"outcome": "continue", "notes": "Escalations continue", "new_review_date": str(new_date)}, 202).json()
    a = r["approval"]
    assert r["kind"] == "segment_3_review" and r["who_decides"] == "a PS Team Leader"
    row = Segment3Review.objects.get(pk=review["id"])
    assert row.reviewed_at is None and PsRecord.objects.get(pk=rec["id"]).segment3_review_date != new_date
    _refused(ps_org.tl, a, says="You asked for this", step="PS-ORM-2")
    _refused(ps_org.cm, a, says="Only a PS Team Leader", step="PS-ORM-2")
    _refused(ps_org.tl_front, a, says="Only a PS Team Leader", step="PS-ORM-2")
    assert a in _queue(ps_org.tl_wa) and a not in _queue(ps_org.tl)
    post(ps_org.tl_wa, f"approvals/{a}/decide/", {"approve": True, "reason": "Discussed outstanding issues"}, 200)
    row.refresh_from_db()
    assert row.reviewed_by == ps_org.tl.user and row.outcome == "continue"
    assert PsRecord.objects.get(pk=rec["id"]).segment3_review_date == new_date
    assert Segment3Review.objects.filter(ps_record_id=rec["id"], review_date=new_date, reviewed_at=None).exists()
    ev = _audit("ps_segment3_review.record")
    assert ev.actor_id == ps_org.tl_wa.user.pk and ev.after["approved_by"] == ps_org.tl_wa.pk
    assert ev.after["reviewed_by"] == ps_org.tl.user.pk
    assert _told(ps_org.tl, a)


def test_segment_3_review_back_to_segment_2_rejected_changes_nothing(ps_org, rec):
    record = PsRecord.objects.get(pk=rec["id"])
    segment_3(ps_org, record)
    today = clock.local_today(ps_org.mel)
    review = post(ps_org.tl, f"ps/records/{rec['id']}/segment3-review/",
                  {"review_date": str(today + dt.timedelta(days=30))}, 201).json()
    r = post(ps_org.tl, f"ps/segment3-reviews/{review['id']}/outcome/",
             {"outcome": "back_to_segment_2", "notes": "Settled"}, 202).json()
    post(ps_org.tl_wa, f"approvals/{r['approval']}/decide/", {"approve": False, "reason": "Not yet: escalation"},
         200)
    assert PsRecord.objects.get(pk=rec["id"]).segment == 3
    assert Segment3Review.objects.get(pk=review["id"]).reviewed_at is None


# --- restricted_service_review (PS-ORM-3) ------------------------------------------------------------------------


def test_restricted_service_review_is_decided_by_the_national_manager_only(ps_org, rec):
    """Issue 11 measured case: "restricted-service reviews, where the PS Team Leader types the National Manager's
    name and the National Manager gets 403". The typed ``approved_by`` is no longer read: the review outcome is a
    request only the National Manager Quality and Customer Complaints decides; they see it in their queue, can open
    it and the PS record, and decide it (200); only then is the review recorded with them as approver and the
    restriction's next review date moved."""
    today = clock.local_today(ps_org.cm)
    restriction = ContactRestriction.objects.create(customer=ps_org.customer, conditions="Written only",
                                                    imposed_on=today, review_date=today + dt.timedelta(days=90), status="active", is_active=True)
    next_review = today + dt.timedelta(days=120)
    r = post(ps_org.tl, f"ps/records/{rec['id']}/restricted-review/", {
        "restriction_id": restriction.pk, "outcome": "Conduct unchanged: continue", "approved_by": "nmqcc",
        "next_review_date": str(next_review)}, 202).json()
    a = r["approval"]
    assert r["kind"] == "restricted_service_review"
    assert not RestrictedServiceReview.objects.exists()
    _refused(ps_org.tl, a, says="You asked for this", step="PS-ORM-3")
    for who in (ps_org.tl_wa, ps_org.cm, ps_org.tl_front):
        _refused(who, a, says="Only the National Manager Quality and Customer Complaints", step="PS-ORM-3")
    assert _queue(ps_org.tl_wa) == [] and a in _queue(ps_org.nmqcc)
    nm = client(ps_org.nmqcc)
    assert nm.get(f"/api/v1/approvals/{a}/").json()["you_may_decide"] is True
    assert nm.get(f"/api/v1/ps/records/{rec['id']}/").status_code == 200
    from django.test import Client

    web = Client()
    web.force_login(ps_org.nmqcc.user)
    assert web.get("/approvals/").status_code == 200
    assert web.get(f"/approvals/{a}/").status_code == 200
    assert web.get(f"/ps/records/{rec['id']}/").status_code == 200
    restriction.refresh_from_db()
    assert restriction.review_date == today + dt.timedelta(days=90)
    post(ps_org.nmqcc, f"approvals/{a}/decide/", {"approve": True, "reason": "Approved"}, 200)
    review = RestrictedServiceReview.objects.get()
    assert review.approved_by == ps_org.nmqcc and review.recorded_by == ps_org.tl.user
    restriction.refresh_from_db()
    assert restriction.review_date == next_review
    ev = _audit("ps_restricted_review.record")
    assert ev.actor_id == ps_org.nmqcc.user.pk and ev.after["approved_by"] == ps_org.nmqcc.pk
    assert ev.step_ids == ["PS-ORM-3"]
    assert _told(ps_org.tl, a)


def test_restricted_service_review_screen_has_no_typed_approver(ps_org, rec):
    from django.test import Client

    record = PsRecord.objects.get(pk=rec["id"])
    segment_3(ps_org, record)
    today = clock.local_today(ps_org.cm)
    restriction = ContactRestriction.objects.create(customer=ps_org.customer, conditions="Written only",
                                                    imposed_on=today, review_date=today + dt.timedelta(days=90), status="active", is_active=True)
    web = Client()
    web.force_login(ps_org.tl.user)
    page = web.get(f"/ps/records/{rec['id']}/tasks/more/").content
    assert b'name="approved_by"' not in page and b"Send for approval" in page
    r = web.post(f"/ps/records/{rec['id']}/restricted_review/", {
        "restriction": restriction.pk, "outcome": "Continue", "approved_by": "nmqcc",
        "next_review_date": str(today + dt.timedelta(days=120))}, follow=True)
    assert any("National Manager" in str(m) for m in r.context["messages"])
    assert not RestrictedServiceReview.objects.exists()


# --- restricted_service (PS-ORM-3, PS-DOC-2) ---------------------------------------------------------------------


RESTRICTION = {"conditions": "Written contact only", "case_review": "14 abusive calls since July",
               "recommendation": "Restrict to written contact", "channels": ["post"]}


def test_restricted_service_proposed_by_any_path_is_a_request_to_the_ps_team_leader(ps_org, rec):
    """The stand-in maker–checker (customers/approvals.py: any different PS Team Leader approved on the restriction
    itself) is now the shared mechanism: the customer API's proposal raises a ``restricted_service`` request in the
    same transaction; for a PS customer the Team Leader of the Case Manager's team decides it from their queue,
    with the letter sent (PS-DOC-2); the restriction is in force only then."""
    today = clock.local_today(ps_org.cm)
    r = post(ps_org.cm, f"customers/{ps_org.customer.csid}/restrictions/",
             {**RESTRICTION, "review_date": str(today + dt.timedelta(days=100))}, 201).json()
    row = ContactRestriction.objects.get(pk=r["id"])
    assert (row.status, row.is_active) == ("proposed", False)
    req = ApprovalRequest.objects.get(kind="restricted_service", subject_id=str(row.pk))
    _refused(ps_org.cm, req.pk, says="You asked for this", step="PS-ORM-3")
    _refused(ps_org.tl_wa, req.pk, says="PS Team Leader of PS Melbourne", step="PS-ORM-3")
    assert req.pk in _queue(ps_org.tl) and req.pk not in _queue(ps_org.tl_wa)
    r = post(ps_org.tl, f"approvals/{req.pk}/decide/", {"approve": True, "reason": "Agreed"})
    assert r.status_code == 400 and "letter_reference" in r.json()["fields"]
    row.refresh_from_db()
    assert (row.status, row.is_active) == ("proposed", False)
    post(ps_org.tl, f"approvals/{req.pk}/decide/", {"approve": True, "reason": "Agreed",
                                                    "data": {"letter_reference": "RS-7 sent"}}, 200)
    row.refresh_from_db()
    assert (row.status, row.is_active, row.approved_by, row.letter_reference) == (
        "active", True, ps_org.tl.user, "RS-7 sent")
    ev = _audit("contact_restriction.approve")
    assert ev.actor_id == ps_org.tl.user.pk and ev.after["approval"] == req.pk
    assert set(ev.step_ids) == {"PS-ORM-3", "PS-DOC-2"}
    assert _told(ps_org.cm, req.pk)


def test_restricted_service_withdrawn_by_the_proposer_never_takes_effect(ps_org, rec):
    today = clock.local_today(ps_org.cm)
    r = post(ps_org.cm, f"customers/{ps_org.customer.csid}/restrictions/",
             {**RESTRICTION, "review_date": str(today + dt.timedelta(days=100))}, 201).json()
    req = ApprovalRequest.objects.get(kind="restricted_service", subject_id=str(r["id"]))
    post(ps_org.cm, f"approvals/{req.pk}/withdraw/", {"reason": "Customer apologised"}, 200)
    row = ContactRestriction.objects.get(pk=r["id"])
    assert (row.status, row.is_active) == ("ended", False)
    assert _audit("contact_restriction.end").after["approval"] == req.pk


def test_restricted_service_old_approve_path_is_the_same_decision(ps_org, rec):
    """``POST /api/v1/restrictions/{id}/approve/`` decides the restriction's request through the same service:
    the proposer is refused, the Team Leader of the Case Manager's team approves."""
    today = clock.local_today(ps_org.cm)
    r = post(ps_org.cm, f"customers/{ps_org.customer.csid}/restrictions/",
             {**RESTRICTION, "review_date": str(today + dt.timedelta(days=100))}, 201).json()
    assert post(ps_org.cm, f"restrictions/{r['id']}/approve/", {"letter_reference": "L"}).status_code == 403
    assert post(ps_org.tl_wa, f"restrictions/{r['id']}/approve/", {"letter_reference": "L"}).status_code == 403
    body = post(ps_org.tl, f"restrictions/{r['id']}/approve/", {"letter_reference": "L"}, 200).json()
    assert body["status"] == "approved"
    assert ContactRestriction.objects.get(pk=r["id"]).is_active


def test_restricted_service_proposal_with_nobody_to_decide_is_refused(reference):
    """A restriction nobody could ever approve is not recorded: the proposal rolls back with the refusal."""
    from casework.core.errors import TransitionRefused
    from casework.customers import services as cs

    lone = f.OfficerFactory(role=Role.PS_TEAM_LEADER)
    c = f.CustomerFactory()
    with pytest.raises(TransitionRefused) as exc:
        cs.contact_restriction_add(actor=lone.user, customer=c, review_date=dt.date(2027, 3, 1),
                                   imposed_on=dt.date(2026, 12, 1), **RESTRICTION)
    assert "PS-ORM-3" in exc.value.step_ids
    assert not ContactRestriction.objects.exists()


# --- specialist actions notify the Case Manager (PS-ROLE, PS-SPE-1) ----------------------------------------------


def test_specialist_action_on_a_ps_customer_notifies_the_case_manager(ps_org):
    """PS-ROLE, PS-SPE-1: "any action by a specialist on a PS customer notifies the Case Manager (and a decision is
    recorded as discussed with them first)". Before: the consultation was required but the Case Manager was not
    told of the action itself. Now the acting service notifies them, naming the consultation."""
    from casework.ownership import services as own

    customer = ps_org.other
    own.customer_lock(actor=ps_org.cm.user, customer=customer, reason="PS referral")
    objections_tl = f.OfficerFactory(role=Role.TEAM_LEADER, user__username="tl_objections",
                                     position__business_area=f.area("GENERAL_OBJECTIONS"), position__office=ps_org.syd)
    own.specialist_consultation_record(actor=objections_tl.user, customer=customer, ps_case_manager=ps_org.cm,
                                       summary="Objection decision due", communication_approach="CM calls first",
                                       who_communicates="PS Case Manager")
    assert not Notification.objects.filter(recipient=ps_org.cm.user, kind="specialist_action").exists()
    own.ownership_transfer(actor=objections_tl.user, customer=customer, to_area=f.area("GENERAL_OBJECTIONS"),
                           expected_contact_volume="low", time_to_resolve="short", agreed_with="ps_cm",
                           reason="Agreed with the Case Manager")
    [note] = Notification.objects.filter(recipient=ps_org.cm.user, kind="specialist_action")
    assert customer.csid in note.text and "Discussed with" in note.text and "PS-SPE-1" in note.step_ids
    listed = client(ps_org.cm).get("/api/v1/notifications/?unread=true").json()["results"]
    assert any(n["kind"] == "specialist_action" for n in listed)
    # PS officers coordinate themselves: their own acts notify nobody.
    assert own.specialist_action_notify(actor=ps_org.tl.user, customer=ps_org.customer, what="x") == []


def test_specialist_dpo_and_letter_on_a_ps_customer_notify_the_case_manager(ps_org, rec):
    """PS-ROLE, PS-SPE-1: the other specialist acts (a Departure Prohibition Order, a decision letter, their own
    area's presenting issue) go through ``customers.scope``; after the consultation they are allowed and each tells
    the Case Manager. The Case Manager's own PS work tells nobody."""
    from casework.customers import services as cs
    from casework.letters.services import letter_issue
    from casework.ownership import services as own

    dpo_spec = f.OfficerFactory(role=Role.SPECIALIST_OFFICER, user__username="spec_dpo",
                                position__business_area=f.area("DPO"), position__office=ps_org.syd)
    own.specialist_consultation_record(actor=dpo_spec.user, customer=ps_org.customer, ps_case_manager=ps_org.cm,
                                       summary="DPO being considered", communication_approach="CM calls first",
                                       who_communicates="PS Case Manager")
    cs.dpo_record(actor=dpo_spec.user, customer=ps_org.customer, status="considered", case=ps_org.case,
                  reason="Arrears over a year")
    letter_issue(actor=dpo_spec.user, customer=ps_org.customer, template_code="decision_letter",
                 context={"decision": "A DPO is being considered."}, case=ps_org.case)
    texts = list(Notification.objects.filter(recipient=ps_org.cm.user, kind="specialist_action")
                 .order_by("id").values_list("text", flat=True))
    assert len(texts) == 2, texts
    assert "Departure Prohibition Order" in texts[0] and "letter" in texts[1]
    assert all("Discussed with" in t for t in texts)
    before = Notification.objects.filter(kind="specialist_action").count()
    post(ps_org.cm, f"ps/records/{rec['id']}/letters/", {"template_code": "uq140_00_introduction"}, 201)
    assert Notification.objects.filter(kind="specialist_action").count() == before
