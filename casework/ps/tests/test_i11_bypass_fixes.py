"""Review 11 (issue 11, "Work that moves between people", and issue 10, "the procedure cannot be walked around"): the
PS paths the reviewer found that reached an approval kind's effect without an eligible second person (findings 4, 5,
8, 9, 10, 11, 12 and 13 of the review). Each test started as the reviewer's failing test (it asserted the safe
behaviour); it is kept with its finding in the docstring and now checks the refusal in the officer's words with the
step IDs, every path that reaches the state change (service, API, web page), and that the approved path still works.
"""

from __future__ import annotations

import re

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from casework.approvals import services as approvals
from casework.approvals.models import ApprovalRequest
from casework.core import clock
from casework.core.errors import InvalidInput, TransitionRefused
from casework.core.models import AuditEvent
from casework.customers.models import SensitiveIssueIndicator
from casework.intrays.models import Intray
from casework.ownership import selectors as own_sel
from casework.org.roles import Role
from casework.ps import services
from casework.ps.models import (
    FaceToFace,
    PlanOption,
    PsRecord,
    ReallocationRequest,
    Segment3Review,
    SegmentChange,
)
from casework.testing.factories import OfficerFactory, PositionFactory, area

from .helpers import ATTEST, allocate, resolve_all, segment_3

pytestmark = pytest.mark.django_db


def api(officer) -> APIClient:
    c = APIClient()
    c.force_authenticate(officer.user)
    return c


def post(officer, url, data=None):
    return api(officer).post("/api/v1/" + url, data or {}, format="json")


def web(officer) -> Client:
    c = Client()
    c.force_login(officer.user)
    return c


def queue(officer) -> list[int]:
    return [a["id"] for a in api(officer).get("/api/v1/approvals/?queue=to_decide").json()]


def actions(**filters) -> list[str]:
    return list(AuditEvent.objects.filter(**filters).values_list("action", flat=True))


def _forward_to_perth(org, rec) -> ApprovalRequest:
    """PS-REV-2/3 first stage: the CM asks, their Team Leader sends the customer to PS Perth."""
    req = services.reallocation_request(actor=org.cm.user, ps_record=rec, reason_code="other_state_face_to_face",
                                        detail="Moved to Perth")
    approvals.approval_decide(actor=org.tl.user, approval=req.approval, approve=True, reason="ok",
                              data={"receiving_position": "ps_tl_wa-pos"})
    return ApprovalRequest.objects.get(kind="ps_reallocation_assign", parent=req.approval)


# --- Finding 4: segment 3 → 2 only through the segment 3 review (PS-ORM-2) ----------------------------------------


def test_case_manager_takes_segment_3_customer_back_to_segment_2_without_segment_3_review(ps_org):
    """Finding 4: ``segment_set`` made only a move TO segment 3 a request; the Case Manager took a segment 3 customer
    back to segment 2 at once, bypassing the ``segment_3_review`` approval (PS-ORM-2). Now refused on every path (the
    service, the API, the record page, for the Case Manager and a PS Team Leader alike); the review outcome decided by
    a second PS Team Leader is the way out."""
    rec = segment_3(ps_org, allocate(ps_org))
    today = clock.local_today(ps_org.mel)
    review = services.segment3_review_schedule(actor=ps_org.tl.user, ps_record=rec,
                                               review_date=today + dt.timedelta(days=30), conditions="Written only")
    for who in (ps_org.cm, ps_org.tl):
        with pytest.raises(TransitionRefused) as exc:
            services.segment_set(actor=who.user, ps_record=rec, segment=2, reason="Calmer now")
        assert "PS-ORM-2" in exc.value.step_ids and "segment 3 review" in exc.value.message
    r = post(ps_org.cm, f"ps/records/{rec.pk}/segment/", {"segment": 1, "reason": "Calmer now"})
    assert r.status_code == 409 and "PS-ORM-2" in r.json()["step_ids"], r.json()
    page = web(ps_org.cm).post(f"/ps/records/{rec.pk}/segment/", {"segment": "2", "reason": "Calmer"}, follow=True)
    assert b"segment 3 review" in page.content and b'data-testid="segment-3-review-only"' in page.content
    rec.refresh_from_db()
    assert rec.segment == 3 and not SegmentChange.objects.filter(ps_record=rec, to_segment=2).exists()
    assert SensitiveIssueIndicator.objects.filter(customer=ps_org.customer, reason="segment_3_review",
                                                  is_active=True).exists()
    assert "ps_segment.set" not in actions(after__segment=2)
    # The way out: the review outcome, approved by a second PS Team Leader.
    req = services.segment3_review_record(actor=ps_org.tl.user, review=review, outcome="back_to_segment_2",
                                          notes="Settled")
    approvals.approval_decide(actor=ps_org.tl_wa.user, approval=req, approve=True, reason="Agreed")
    rec.refresh_from_db()
    assert rec.segment == 2
    # ... after which the Case Manager sets segments 1 and 2 again (PS-RES-1).
    services.segment_set(actor=ps_org.cm.user, ps_record=rec, segment=1, reason="Settled for good")
    assert PsRecord.objects.get(pk=rec.pk).segment == 1


# --- Finding 5: one open segment 3 review at a time (PS-ORM-2) ----------------------------------------------------


def test_team_leader_pushes_segment_3_review_date_out_without_second_team_leader(ps_org):
    """Finding 5: while a review was open, the PS Team Leader scheduled again and pushed the review date out alone —
    the 'continue, new review date' outcome applied without a second PS Team Leader. Now a second schedule is refused
    (service and API) while a review is open; the new date is the review's outcome, approved by another Team
    Leader, after which the next review is the open one."""
    rec = segment_3(ps_org, allocate(ps_org))
    today = clock.local_today(ps_org.mel)
    first = services.segment3_review_schedule(actor=ps_org.tl.user, ps_record=rec,
                                              review_date=today + dt.timedelta(days=30), conditions="Written only")
    with pytest.raises(TransitionRefused) as exc:
        services.segment3_review_schedule(actor=ps_org.tl.user, ps_record=rec,
                                          review_date=today + dt.timedelta(days=85), conditions="Written only")
    assert exc.value.step_ids == ("PS-ORM-2",) and "already scheduled" in exc.value.message
    r = post(ps_org.tl_wa, f"ps/records/{rec.pk}/segment3-review/",
             {"review_date": str(today + dt.timedelta(days=85))})
    assert r.status_code == 409 and "second PS Team Leader" in r.json()["detail"], r.json()
    rec.refresh_from_db()
    assert rec.segment3_review_date == today + dt.timedelta(days=30)
    assert Segment3Review.objects.filter(ps_record=rec).count() == 1
    assert actions(action="ps_segment3_review.schedule") == ["ps_segment3_review.schedule"]
    # The approved outcome moves the date (a new open review) — and that one cannot be rescheduled either.
    new_date = today + dt.timedelta(days=85)
    req = services.segment3_review_record(actor=ps_org.tl.user, review=first, outcome="continue", notes="Still needed",
                                          new_review_date=new_date)
    assert req.id in queue(ps_org.tl_wa)
    approvals.approval_decide(actor=ps_org.tl_wa.user, approval=req, approve=True, reason="Discussed")
    assert PsRecord.objects.get(pk=rec.pk).segment3_review_date == new_date
    with pytest.raises(TransitionRefused):
        services.segment3_review_schedule(actor=ps_org.tl.user, ps_record=rec,
                                          review_date=today + dt.timedelta(days=20), conditions="Written only")


# --- Finding 8: the receiving Team Leader assigns one of their team's Case Managers (PS-REV-3) --------------------


def test_receiving_team_leader_may_assign_any_case_manager_in_the_country_even_the_one_who_asked(ps_org):
    """Finding 8: ``ps_reallocation_assign`` offered every PS Case Manager in the country, so the receiving (Perth)
    Team Leader could assign the customer back to the Melbourne Case Manager who asked to be relieved. Now the picker
    and the decision (new API, old API) take only the receiving team's Case Managers."""
    rec = allocate(ps_org)
    stage2 = _forward_to_perth(ps_org, rec)
    with pytest.raises(InvalidInput) as exc:
        approvals.approval_decide(actor=ps_org.tl_wa.user, approval=stage2, approve=True, reason="ok",
                                  data={"case_manager": "ps_cm"})  # Melbourne CM who asked to be relieved
    assert "case_manager" in exc.value.fields and "PS-REV-3" in exc.value.step_ids
    req = ReallocationRequest.objects.get()
    r = post(ps_org.tl_wa, f"ps/reallocations/{req.pk}/assign/", {"case_manager": "ps_cm"})
    assert r.status_code == 400 and "case_manager" in r.json(), r.json()
    rec.refresh_from_db()
    assert rec.case_manager == ps_org.cm and req.status == "forwarded"
    assert own_sel.active_lock(customer=ps_org.customer).officer == ps_org.cm
    # The picker offers the Perth team's Case Managers only.
    assert services.reallocation_assign_options(stage2.payload)["pk__in"] == [ps_org.cm2.pk]
    # The decision page's Case Manager field is the officer picker (issue 14): its suggestions, asked with the
    # field's own signed scope, are the Perth team's Case Managers only.
    client = web(ps_org.tl_wa)
    page = client.get(f"/approvals/{stage2.pk}/").content.decode()
    field = re.search(r'<input[^>]*name="case_manager"[^>]*>', page).group(0)
    url = re.search(r'hx-get="([^"]+)"', field).group(1).replace("&amp;", "&")
    offered = client.get(url + "&q=ps").content.decode()
    assert f'data-value="officer:{ps_org.cm2.pk}"' in offered
    assert f'data-value="officer:{ps_org.cm.pk}"' not in offered
    record_page = web(ps_org.tl_wa).get(f"/ps/records/{rec.pk}/tasks/more/").content.decode()
    assert 'value="ps_cm2"' in record_page and 'value="ps_cm"' not in record_page
    approvals.approval_decide(actor=ps_org.tl_wa.user, approval=stage2, approve=True, reason="ok",
                              data={"case_manager": "ps_cm2"})
    assert PsRecord.objects.get(pk=rec.pk).case_manager == ps_org.cm2


def test_reallocation_within_the_same_team_never_goes_back_to_the_case_manager_it_leaves(ps_org):
    """Finding 8, same team: when the receiving position is the Case Manager's own team, that Case Manager is still
    not assignable (refused in their words); another Case Manager of the team is."""
    cm3 = OfficerFactory(user__username="ps_cm3", role=Role.PS_CASE_MANAGER,
                         position=PositionFactory(code="ps_cm3-pos", business_area=area("PS"), office=ps_org.mel,
                                                  team=ps_org.team))
    rec = allocate(ps_org)
    req = services.reallocation_request(actor=ps_org.cm.user, ps_record=rec, reason_code="conflict_of_interest",
                                        detail="Knows the customer")
    approvals.approval_decide(actor=ps_org.tl.user, approval=req.approval, approve=True, reason="ok",
                              data={"receiving_position": ps_org.intake.code})
    stage2 = ApprovalRequest.objects.get(kind="ps_reallocation_assign")
    assert services.reallocation_assign_options(stage2.payload)["pk__in"] == [cm3.pk]
    # The clean step gives the reason in the officer's words (whoever calls it).
    with pytest.raises(InvalidInput) as exc:
        services.reallocation_assign_clean(request=stage2, approve=True, data={"case_manager": "ps_cm"})
    assert "reallocating them" in exc.value.fields["case_manager"][0] and exc.value.step_ids == ("PS-REV-3",)
    with pytest.raises(InvalidInput) as exc:
        services.reallocation_assign_clean(request=stage2, approve=True, data={"case_manager": "ps_cm2"})
    assert "PS Melbourne" in exc.value.message
    decider = ps_org.tl_wa  # the team's own Team Leader forwarded it: another PS Team Leader assigns
    approvals.approval_decide(actor=decider.user, approval=stage2, approve=True, reason="ok",
                              data={"case_manager": "ps_cm3"})
    assert PsRecord.objects.get(pk=rec.pk).case_manager == cm3


# --- Finding 9: pending requests are decided before a reallocation (PS-REV-3) ------------------------------------


def test_segment_3_request_survives_reallocation_and_the_old_teams_leader_still_decides_it(ps_org):
    """Finding 9: who decides a request is fixed when it is made; a segment 3 request made in Melbourne survived the
    reallocation to Perth and the Melbourne Team Leader, no longer in scope, approved it. Now the reallocation is
    refused while such a request is pending (service and API, naming it); once it is decided the Case Manager may ask
    again."""
    rec = allocate(ps_org)
    s3 = services.segment_set(actor=ps_org.cm.user, ps_record=rec, segment=3, reason="Aggression")
    with pytest.raises(TransitionRefused) as exc:
        services.reallocation_request(actor=ps_org.cm.user, ps_record=rec, reason_code="other_state_face_to_face",
                                      detail="Moved to Perth")
    assert "PS-REV-2" in exc.value.step_ids and exc.value.extra["pending_approvals"] == [s3.pk]
    assert "Classify as segment 3" in exc.value.message and "PS Melbourne" in exc.value.message
    r = post(ps_org.cm, f"ps/records/{rec.pk}/reallocation/", {"reason_code": "other_state_face_to_face",
                                                               "detail": "Moved to Perth"})
    assert r.status_code == 409 and r.json()["pending_approvals"] == [s3.pk], r.json()
    assert not ReallocationRequest.objects.exists() and PsRecord.objects.get(pk=rec.pk).status == "active"
    assert "ps_reallocation.request" not in actions()
    # The Melbourne Team Leader decides it while the customer is their team's, then the reallocation goes ahead.
    approvals.approval_decide(actor=ps_org.tl.user, approval=s3, approve=True, reason="ok")
    stage2 = _forward_to_perth(ps_org, rec)
    approvals.approval_decide(actor=ps_org.tl_wa.user, approval=stage2, approve=True, reason="ok",
                              data={"case_manager": "ps_cm2"})
    rec.refresh_from_db()
    assert rec.case_manager == ps_org.cm2 and rec.segment == 3 and rec.segment_approved_by == ps_org.tl.user


def test_request_made_during_a_reallocation_holds_the_assignment_until_it_is_decided(ps_org):
    """Finding 9, second stage: a restricted service proposed for the customer while the reallocation waits (every
    path that proposes one, here a front-line Team Leader) goes to the Melbourne Team Leader; the Perth Team Leader's
    assignment is refused, naming it, until it is decided."""
    from casework.customers import services as customers

    rec = allocate(ps_org)
    stage2 = _forward_to_perth(ps_org, rec)
    today = clock.local_today(ps_org.syd)
    restriction = customers.contact_restriction_add(
        actor=ps_org.tl_front.user, customer=ps_org.customer, conditions="Written contact only",
        review_date=today + dt.timedelta(days=120), case_review="Threats on the phone", recommendation="Restrict")
    pending = ApprovalRequest.objects.get(kind="restricted_service", status="pending")
    assert "PS Melbourne" in pending.eligible.label
    r = api(ps_org.tl_wa).post(f"/api/v1/approvals/{stage2.pk}/decide/",
                               {"approve": True, "reason": "ok", "data": {"case_manager": "ps_cm2"}}, format="json")
    assert r.status_code == 409 and "PS-REV-3" in r.json()["step_ids"], r.json()
    assert "Restricted service" in r.json()["detail"] or "restricted service" in r.json()["detail"]
    assert PsRecord.objects.get(pk=rec.pk).case_manager == ps_org.cm
    assert ApprovalRequest.objects.get(pk=stage2.pk).status == "pending"
    approvals.approval_decide(actor=ps_org.tl.user, approval=pending, approve=True, reason="Agreed",
                              data={"letter_reference": "L-1"})
    restriction.refresh_from_db()
    approvals.approval_decide(actor=ps_org.tl_wa.user, approval=stage2, approve=True, reason="ok",
                              data={"case_manager": "ps_cm2"})
    assert PsRecord.objects.get(pk=rec.pk).case_manager == ps_org.cm2


# --- Finding 10: the Team Leader who did not approve a finalisation may decide the resubmission (PS-FIN-3) ---------


def _close_open_intrays(org):
    from casework.intrays import services as isvc

    for i in Intray.objects.filter(customer=org.customer, status__in=("open", "in_progress")):
        isvc.intray_complete(actor=org.cm.user, intray=i, outcome="done")


def test_team_leader_who_rejected_a_finalisation_counts_as_having_worked_the_resubmission(ps_org):
    """Finding 10: ``finalisation_worked_by`` counted the issues the rejection sent back to confirmed (PS-ACT-3) as
    the rejecting Team Leader's work, so the team's Team Leader was barred from reviewing the resubmission. Now the
    rejection's resets are not work: the resubmission is in their queue; whoever actually actions the issues still
    counts."""
    rec = allocate(ps_org)
    resolve_all(ps_org, rec)
    _close_open_intrays(ps_org)
    services.customer_told_record(actor=ps_org.cm.user, ps_record=rec, summary="Told")
    f1 = services.finalisation_request_submit(actor=ps_org.cm.user, ps_record=rec, summary="All done",
                                              attestations=ATTEST)
    approvals.approval_decide(actor=ps_org.tl.user, approval=f1.approval, approve=False, reason="Check income")
    rec = PsRecord.objects.get(pk=rec.pk)
    resolve_all(ps_org, rec)
    _close_open_intrays(ps_org)
    f2 = services.finalisation_request_submit(actor=ps_org.cm.user, ps_record=rec, summary="Income checked",
                                              attestations=ATTEST)
    assert ps_org.tl.user_id not in f2.approval.worked_by
    assert "PS Melbourne" in f2.approval.eligible.label and f2.approval.pk in queue(ps_org.tl)
    assert AuditEvent.objects.get(action="ps_finalisation.submit", target_id=str(f2.pk)).after["worked_by"] == \
        [ps_org.cm.user_id]


def test_a_team_leader_who_resolved_an_issue_after_the_rejection_did_work_the_plan(ps_org):
    """Finding 10, the other side: only the rejection's resets are left out; a Team Leader who resolves an issue on
    the plan worked it and may not approve the finalisation."""
    rec = allocate(ps_org)
    resolve_all(ps_org, rec)
    _close_open_intrays(ps_org)
    services.customer_told_record(actor=ps_org.cm.user, ps_record=rec, summary="Told")
    f1 = services.finalisation_request_submit(actor=ps_org.cm.user, ps_record=rec, summary="All done",
                                              attestations=ATTEST)
    approvals.approval_decide(actor=ps_org.tl.user, approval=f1.approval, approve=False, reason="Check income")
    rec = PsRecord.objects.get(pk=rec.pk)
    issue = rec.plan.issues.filter(status="confirmed").first()
    services.plan_issue_transition(actor=ps_org.tl.user, issue=issue, status="resolved", comment="Income checked")
    resolve_all(ps_org, rec)
    _close_open_intrays(ps_org)
    f2 = services.finalisation_request_submit(actor=ps_org.cm.user, ps_record=rec, summary="Income checked",
                                              attestations=ATTEST)
    assert ps_org.tl.user_id in f2.approval.worked_by and f2.approval.pk not in queue(ps_org.tl)


# --- Finding 11: a declined reallocation leaves the Case Manager's work as it was (PS-REV-3) -----------------------


def test_declined_reallocation_does_not_give_back_the_referral_intray_closed_at_forwarding(ps_org):
    """Finding 11: the first stage (forwarding) completed the Case Manager's referral intray, and a declined second
    stage did not give it back. Now the referral intray stays with the Case Manager until the receiving Team Leader
    assigns the customer; declined, nothing of the Case Manager's work has changed."""
    rec = allocate(ps_org)

    def cms_open():
        return sorted(Intray.objects.filter(customer=ps_org.customer, assignee_officer=ps_org.cm,
                                            status__in=("open", "in_progress")).values_list("type__code", flat=True))

    open_before = cms_open()
    assert "crg_referral_to_ps" in open_before
    stage2 = _forward_to_perth(ps_org, rec)
    assert cms_open() == open_before, "forwarding alone changes nothing of the Case Manager's work"
    approvals.approval_decide(actor=ps_org.tl_wa.user, approval=stage2, approve=False, reason="No capacity")
    assert cms_open() == open_before
    referral = Intray.objects.get(customer=ps_org.customer, type__code="crg_referral_to_ps")
    assert not AuditEvent.objects.filter(action="intray.complete", target_id=str(referral.pk)).exists()
    assert PsRecord.objects.get(pk=rec.pk).status == "active"


def test_accepted_reallocation_closes_the_previous_case_managers_referral_intray(ps_org):
    """Finding 11, accepted: on the assignment the previous Case Manager's referral intray closes (the new Case
    Manager's Customer Assigned to PS intray replaces it), audited with PS-REV-3, in the same decision."""
    rec = allocate(ps_org)
    referral = Intray.objects.get(customer=ps_org.customer, type__code="crg_referral_to_ps")
    stage2 = _forward_to_perth(ps_org, rec)
    approvals.approval_decide(actor=ps_org.tl_wa.user, approval=stage2, approve=True, reason="ok",
                              data={"case_manager": "ps_cm2"})
    referral.refresh_from_db()
    assert referral.status == "done" and "reallocated to" in referral.outcome
    assert Intray.objects.filter(customer=ps_org.customer, type__code="customer_assigned_to_ps",
                                 assignee_officer=ps_org.cm2, status="open").exists()
    ev = AuditEvent.objects.get(action="intray.complete", target_id=str(referral.pk))
    assert "PS-REV-3" in ev.step_ids


# --- Finding 12: the associated customer moves with the customer (PS-REV-3, PS-REF-2) ----------------------------


def test_reallocation_moves_only_the_primary_customer_lock(ps_org):
    """Finding 12: the reallocation moved only the primary customer's lock; the associated customer locked with them
    at PS-REF-2 stayed with the previous Case Manager. Now both move on the assignment (audited), and neither before
    it."""
    rec = allocate(ps_org, associated_customer=ps_org.other)
    assert own_sel.active_lock(customer=ps_org.other).officer == ps_org.cm
    stage2 = _forward_to_perth(ps_org, rec)
    assert own_sel.active_lock(customer=ps_org.other).officer == ps_org.cm
    approvals.approval_decide(actor=ps_org.tl_wa.user, approval=stage2, approve=True, reason="ok",
                              data={"case_manager": "ps_cm2"})
    assert own_sel.active_lock(customer=ps_org.customer).officer == ps_org.cm2
    assoc = own_sel.active_lock(customer=ps_org.other)
    assert assoc.officer == ps_org.cm2 and assoc.area.code == "PS"
    assert AuditEvent.objects.filter(action="ownership.reassign", customer_id=ps_org.other.pk,
                                     actor=ps_org.tl_wa.user).exists()


# --- Finding 13: a face-to-face option comes from the face_to_face approval (PS-F2F-1/3) --------------------------


def test_face_to_face_option_recorded_on_the_plan_without_the_team_leader(ps_org):
    """Finding 13: ``plan_option_add`` diverted only the social worker referral; a face-to-face option was recorded
    on the plan (and accepted) with no Team Leader. Now refused on the service, the API and the record page (where it
    is not offered); the option is recorded only by the approved ``face_to_face`` request."""
    rec = allocate(ps_org)
    with pytest.raises(InvalidInput) as exc:
        services.plan_option_add(actor=ps_org.cm.user, plan=rec.plan, kind="face_to_face",
                                 detail="Meeting at the Footscray community centre")
    assert "PS-F2F-1" in exc.value.step_ids and "Book the face-to-face meeting" in exc.value.message
    r = post(ps_org.tl, f"ps/records/{rec.pk}/options/", {"kind": "face_to_face", "detail": "Meeting"})
    assert r.status_code == 400 and "kind" in r.json(), r.json()
    c = web(ps_org.cm)
    page = c.get(f"/ps/records/{rec.pk}/tasks/plan/").content.decode()
    option_select = page.split('<select name="kind">')[1].split("</select>")[0]
    assert 'value="publication"' in option_select and 'value="face_to_face"' not in option_select
    r = c.post(f"/ps/records/{rec.pk}/option_add/", {"kind": "face_to_face", "detail": "Meeting"}, follow=True)
    assert b"Book the face-to-face meeting" in r.content
    assert not PlanOption.objects.filter(kind="face_to_face").exists()
    assert "ps_plan_option.add" not in actions()
    # The way it is recorded: the meeting, approved by the PS Team Leader.
    req = services.f2f_book(actor=ps_org.cm.user, ps_record=rec, location_type="service_centre",
                            location_detail="Footscray service centre", attendees="CM and customer",
                            scheduled_for=clock.now() + dt.timedelta(days=7))
    assert not PlanOption.objects.filter(kind="face_to_face").exists()
    approvals.approval_decide(actor=ps_org.tl.user, approval=req, approve=True, reason="Discussed")
    assert FaceToFace.objects.count() == 1 and PlanOption.objects.filter(kind="face_to_face").count() == 1
