"""Table-driven tests of the PS policy: one case per rule clause, named by step ID."""

import datetime as dt

import pytest

from casework.ps import policy as p

D = dt.date


@pytest.mark.parametrize(
    "facts,segment,indicator",
    [
        pytest.param(p.SegmentFacts(), 1, "No recent SCS activity", id="PS-SEG-1-no-indicators"),
        pytest.param(p.SegmentFacts(referral_source="proactive"), 1, "No current Departure Prohibition Order",
                     id="PS-SEG-1-proactive-source"),
        pytest.param(p.SegmentFacts(referral_source="ombudsman"), 2, "Escalated referral source: Ombudsman",
                     id="PS-SEG-2-escalated-source"),
        pytest.param(p.SegmentFacts(referral_source="crg"), 2, "Escalated referral source: Customer Review Referral Gateway",
                     id="PS-SEG-2-crg-source"),
        pytest.param(p.SegmentFacts(has_dpo=True), 2, "Departure Prohibition Order recorded", id="PS-SEG-2-dpo"),
        pytest.param(p.SegmentFacts(arrangement_defaults=1), 2, "Previous payment-arrangement default",
                     id="PS-SEG-2-default"),
        pytest.param(p.SegmentFacts(previously_in_ps=True), 2, "Previously in PS", id="PS-SEG-2-previously-in-ps"),
        pytest.param(p.SegmentFacts(recent_scs_activity=1), 2, "Recent SCS activity entry", id="PS-SEG-2-scs"),
        pytest.param(p.SegmentFacts(privacy_breach_claim=True), 2, "Previous privacy-breach claim",
                     id="PS-SEG-2-privacy"),
        pytest.param(p.SegmentFacts(contact_restrictions=True), 3, "Contact restrictions imposed",
                     id="PS-SEG-3-restrictions"),
        pytest.param(p.SegmentFacts(security_incidents=1), 3, "Security incidents", id="PS-SEG-3-security"),
        pytest.param(p.SegmentFacts(step3_same_issue=2), 3, "Multiple Step 3 complaints on the same issue",
                     id="PS-SEG-3-step3-same-issue"),
        pytest.param(p.SegmentFacts(recent_scs_activity=3), 3, "Multiple recent SCS activity entries",
                     id="PS-SEG-3-multiple-scs"),
        pytest.param(p.SegmentFacts(unreasonable_behaviour=True, referral_source="mp"), 3,
                     "Ongoing unreasonable behaviour", id="PS-SEG-3-behaviour-beats-source"),
    ],
)
def test_suggest_segment(facts, segment, indicator):
    s = p.suggest_segment(facts)
    assert s.segment == segment
    assert indicator in s.indicators
    assert f"PS-SEG-{segment}" in s.step_ids
    assert s.needs_team_leader_approval is (segment == 3)


@pytest.mark.parametrize(
    "current,target,rejection,comment,allowed,step",
    [
        pytest.param("recorded", "confirmed", False, "", True, "PS-PSP-4", id="PS-PSP-4-recorded-to-confirmed"),
        pytest.param("confirmed", "resolved", False, "", True, "PS-PSP-4", id="PS-PSP-4-confirmed-to-resolved"),
        pytest.param("recorded", "resolved", False, "", False, "PS-PSP-4", id="PS-PSP-4-no-skipping"),
        pytest.param("confirmed", "recorded", False, "", False, "PS-PSP-4", id="PS-PSP-4-no-backwards"),
        pytest.param("resolved", "resolved", False, "", False, "PS-PSP-4", id="PS-PSP-4-same-status"),
        pytest.param("resolved", "confirmed", False, "x", False, "PS-ACT-3", id="PS-ACT-3-reset-needs-rejection"),
        pytest.param("resolved", "confirmed", True, "", False, "PS-ACT-3", id="PS-ACT-3-reset-needs-comment"),
        pytest.param("resolved", "confirmed", True, "Redo income", True, "PS-ACT-3", id="PS-ACT-3-reset-ok"),
    ],
)
def test_issue_transition(current, target, rejection, comment, allowed, step):
    d = p.issue_transition(current=current, target=target, team_leader_rejection=rejection, comment=comment)
    assert d.allowed is allowed
    assert step in d.step_ids


@pytest.mark.parametrize(
    "allocated,today,approved,outcome,allowed",
    [
        pytest.param(D(2026, 11, 2), D(2026, 11, 3), False, "on_track", True, id="PS-PSP-1-on-track"),
        pytest.param(D(2026, 11, 2), D(2026, 11, 20), False, "due_soon", True, id="PS-PSP-1-due-soon"),
        pytest.param(D(2026, 11, 2), D(2026, 11, 23), False, "due_soon", True, id="PS-PSP-1-due-day-21"),
        pytest.param(D(2026, 11, 2), D(2026, 11, 24), False, "overdue", False, id="PS-PSP-1-overdue-day-22"),
        pytest.param(D(2026, 11, 2), D(2026, 12, 30), True, "approved", True, id="PS-PSP-3-approved-never-overdue"),
    ],
)
def test_plan_due(allocated, today, approved, outcome, allowed):
    due = p.plan_due_on(allocated)
    assert due == allocated + dt.timedelta(days=21)
    d = p.plan_due_state(due_on=due, today=today, approved=approved)
    assert (d.outcome, d.allowed) == (outcome, allowed)
    assert "PS-PSP-1" in d.step_ids or "PS-PSP-3" in d.step_ids


@pytest.mark.parametrize(
    "kwargs,allowed",
    [
        pytest.param(dict(mandatory_present=5, has_segment=True, has_referral_source=True, has_main_reason=True,
                          has_stacking_document=True), True, id="PS-PSP-3-complete"),
        pytest.param(dict(mandatory_present=4, has_segment=True, has_referral_source=True, has_main_reason=True,
                          has_stacking_document=True), False, id="PS-PSP-2-missing-mandatory"),
        pytest.param(dict(mandatory_present=5, has_segment=False, has_referral_source=True, has_main_reason=True,
                          has_stacking_document=True), False, id="PS-PSP-2-missing-segment"),
        pytest.param(dict(mandatory_present=5, has_segment=True, has_referral_source=True, has_main_reason=True,
                          has_stacking_document=False), False, id="PS-PSP-2-missing-stacking-document"),
    ],
)
def test_plan_approval(kwargs, allowed):
    assert p.plan_approval_check(**kwargs).allowed is allowed


@pytest.mark.parametrize(
    "is_first,subject,body,allowed,step",
    [
        pytest.param(True, "PS referral", "CRG referral: repeated complaints", True, "PS-DOC-2", id="PS-DOC-2-first-ok"),
        pytest.param(True, "Call about estimate", "x", False, "PS-DOC-2", id="PS-DOC-2-first-must-be-ps-referral"),
        pytest.param(True, "PS referral", " ", False, "PS-DOC-2", id="PS-DOC-2-first-needs-reason"),
        pytest.param(False, "Call about estimate", "Discussed", True, "PS-DOC-2", id="PS-DOC-2-meaningful"),
        pytest.param(False, "note", "Discussed", False, "PS-DOC-2", id="PS-DOC-2-generic-subject"),
        pytest.param(False, "Call", "Discussed", False, "PS-DOC-2", id="PS-DOC-2-too-short"),
    ],
)
def test_stacking_note(is_first, subject, body, allowed, step):
    d = p.stacking_note_check(is_first=is_first, subject=subject, body=body)
    assert d.allowed is allowed and step in d.step_ids


@pytest.mark.parametrize(
    "type_code,is_tl,urgent,called,allowed,days",
    [
        pytest.param("crg_referral_to_ps", False, False, False, True, 2, id="PS-REF-2-crg-2-days"),
        pytest.param("complaints_referral_to_ps", False, False, False, True, 7, id="PS-REF-2-complaints-7-days"),
        pytest.param("customer_assigned_to_ps", False, False, False, True, 7, id="PS-REF-2-assigned-7-days"),
        pytest.param("ps_referral_tl_only", True, False, False, True, 2, id="PS-REF-1-tl-only-by-tl"),
        pytest.param("ps_referral_tl_only", False, False, False, False, None, id="PS-REF-1-tl-only-refused"),
        pytest.param("crg_referral_to_ps", False, True, False, False, None, id="PS-REF-1-urgent-needs-tl-call"),
        pytest.param("crg_referral_to_ps", True, True, True, True, 2, id="PS-REF-1-urgent-after-tl-call"),
        pytest.param("crg_referral_to_ps", False, True, True, False, None,
                     id="PS-REF-1-urgent-call-recorded-by-non-tl"),
        pytest.param("general_follow_up", False, False, False, False, None, id="PS-REF-1-not-a-referral-type"),
    ],
)
def test_referral(type_code, is_tl, urgent, called, allowed, days):
    d = p.referral_check(type_code=type_code, creator_is_team_leader=is_tl, urgent=urgent, tl_contacted_ps_tl=called)
    assert d.allowed is allowed and "PS-REF-1" in d.step_ids
    if allowed:
        assert d.facts["working_days"] == days


@pytest.mark.parametrize(
    "reason,detail,allowed",
    [
        pytest.param("conflict_of_interest", "Knows the payee", True, id="PS-REV-2-conflict"),
        pytest.param("other_state_face_to_face", "Moved to Perth", True, id="PS-REV-2-other-state"),
        pytest.param("overseas_jurisdiction", "NZ order", True, id="PS-REV-2-overseas"),
        pytest.param("workload", "busy", False, id="PS-REV-2-unrecognised-reason"),
        pytest.param("conflict_of_interest", " ", False, id="PS-REV-2-needs-detail"),
    ],
)
def test_reallocation(reason, detail, allowed):
    d = p.reallocation_check(reason_code=reason, detail=detail)
    assert d.allowed is allowed and d.step_ids == ("PS-REV-2",)


ALL_FIRST = {k: True for k in p.FIRST_CONTACT_POINTS}
ALL_MANDATORY = {k: True for k in p.MANDATORY_KEYS}
ALL_FOLLOW = {k: True for k in p.FOLLOW_UP_POINTS}


@pytest.mark.parametrize(
    "kind,checklist,mandatory,ack,restricted,reviewed,allowed,step",
    [
        pytest.param("first", ALL_FIRST, ALL_MANDATORY, True, False, False, True, "PS-CON-2", id="PS-CON-2-complete"),
        pytest.param("first", {**ALL_FIRST, "introduction": False}, ALL_MANDATORY, True, False, False, False,
                     "PS-CON-2", id="PS-CON-2-missing-point"),
        pytest.param("first", ALL_FIRST, {**ALL_MANDATORY, "care": False}, True, False, False, False, "PS-CON-2",
                     id="PS-CON-2-missing-mandatory-issue"),
        pytest.param("first", ALL_FIRST, ALL_MANDATORY, False, False, False, False, "PS-CON-2",
                     id="PS-CON-2-needs-acknowledgement"),
        pytest.param("first", ALL_FIRST, ALL_MANDATORY, True, True, False, False, "PS-CON-1",
                     id="PS-CON-1-restrictions-first"),
        pytest.param("first", ALL_FIRST, ALL_MANDATORY, True, True, True, True, "PS-CON-2",
                     id="PS-CON-1-restrictions-reviewed"),
        pytest.param("follow_up", ALL_FOLLOW, {}, False, False, False, True, "PS-CON-7", id="PS-CON-7-complete"),
        pytest.param("follow_up", {**ALL_FOLLOW, "options": False}, {}, False, False, False, False, "PS-CON-7",
                     id="PS-CON-7-missing-point"),
    ],
)
def test_contact(kind, checklist, mandatory, ack, restricted, reviewed, allowed, step):
    d = p.contact_check(kind=kind, checklist=checklist, mandatory_gathered=mandatory, acknowledged=ack,
                        restrictions_active=restricted, restrictions_reviewed=reviewed)
    assert d.allowed is allowed and step in d.step_ids


@pytest.mark.parametrize(
    "segment,straightforward,discussion,allowed",
    [
        pytest.param(1, False, "Agreed with TL Smith", True, id="PS-RES-4-seg1-with-tl-discussion"),
        pytest.param(1, False, "", False, id="PS-RES-4-seg1-needs-tl-discussion"),
        pytest.param(2, True, "Agreed", True, id="PS-RES-4-straightforward-seg2"),
        pytest.param(2, False, "Agreed", False, id="PS-RES-4-complex-seg2-must-send"),
        pytest.param(3, True, "Agreed", False, id="PS-RES-4-seg3-must-send"),
    ],
)
def test_uq140_01_skip(segment, straightforward, discussion, allowed):
    d = p.uq140_01_skip_check(segment=segment, straightforward=straightforward, tl_discussion=discussion)
    assert d.allowed is allowed and d.step_ids == ("PS-RES-4",)


@pytest.mark.parametrize(
    "kw,allowed,step",
    [
        pytest.param(dict(tl_discussed=True, location_type="service_centre"), True, "PS-F2F-3",
                     id="PS-F2F-3-service-centre-default"),
        pytest.param(dict(tl_discussed=False, location_type="service_centre"), False, "PS-F2F-1",
                     id="PS-F2F-1-tl-discussion-first"),
        pytest.param(dict(tl_discussed=True, location_type="other"), False, "PS-F2F-3", id="PS-F2F-3-other-needs-tl"),
        pytest.param(dict(tl_discussed=True, location_type="other", tl_approved_location=True), True, "PS-F2F-3",
                     id="PS-F2F-3-other-approved"),
        pytest.param(dict(tl_discussed=True, location_type="mp_office"), False, "PS-F2F-3",
                     id="PS-F2F-3-mp-office-via-customer-review"),
        pytest.param(dict(tl_discussed=True, location_type="mp_office", via_customer_review=True), True, "PS-F2F-3",
                     id="PS-F2F-3-mp-office-ok"),
        pytest.param(dict(tl_discussed=True, location_type="service_centre", security_risk=True), False, "PS-F2F-2",
                     id="PS-F2F-2-security-risk-notified"),
    ],
)
def test_f2f(kw, allowed, step):
    base = dict(tl_approved_location=False, via_customer_review=False, security_risk=False, security_notified=False)
    d = p.f2f_check(**{**base, **kw})
    assert d.allowed is allowed and step in d.step_ids


TODAY = D(2026, 11, 20)


@pytest.mark.parametrize(
    "review,allowed",
    [
        pytest.param(D(2027, 2, 20), True, id="PS-ORM-2-exactly-3-months"),
        pytest.param(D(2027, 2, 21), False, id="PS-ORM-2-more-than-3-months"),
        pytest.param(D(2026, 11, 20), False, id="PS-ORM-2-not-today"),
        pytest.param(D(2026, 12, 1), True, id="PS-ORM-2-within-3-months"),
    ],
)
def test_segment3_review_date(review, allowed):
    d = p.segment3_review_date_check(today=TODAY, review_date=review)
    assert d.allowed is allowed and d.step_ids == ("PS-ORM-2",)


@pytest.mark.parametrize(
    "outcome,new_date,allowed",
    [
        pytest.param("back_to_segment_2", None, True, id="PS-ORM-2-back-to-segment-2"),
        pytest.param("continue", D(2027, 1, 10), True, id="PS-ORM-2-continue-new-date"),
        pytest.param("continue", None, False, id="PS-ORM-2-continue-needs-date"),
        pytest.param("continue", D(2027, 6, 1), False, id="PS-ORM-2-continue-date-too-far"),
        pytest.param("close", None, False, id="PS-ORM-2-unknown-outcome"),
    ],
)
def test_segment3_review_outcome(outcome, new_date, allowed):
    assert p.segment3_review_outcome_check(outcome=outcome, today=TODAY, new_review_date=new_date).allowed is allowed


@pytest.mark.parametrize(
    "next_review,nmqcc,allowed",
    [
        pytest.param(D(2027, 2, 20), True, True, id="PS-ORM-3-3-months"),
        pytest.param(D(2027, 5, 20), True, True, id="PS-ORM-3-6-months"),
        pytest.param(D(2027, 1, 20), True, False, id="PS-ORM-3-under-3-months"),
        pytest.param(D(2027, 5, 21), True, False, id="PS-ORM-3-over-6-months"),
        pytest.param(D(2027, 3, 20), False, False, id="PS-ORM-3-needs-nmqcc-approval"),
    ],
)
def test_restricted_service_review(next_review, nmqcc, allowed):
    d = p.restricted_service_review_check(reviewed_on=TODAY, next_review_date=next_review, approver_is_nmqcc=nmqcc)
    assert d.allowed is allowed and d.step_ids == ("PS-ORM-3",)


def readiness(**kw):
    base = dict(today=TODAY, cma_activities_completed=True, unresolved_issues=0, unresolved_specialist_issues=0,
                open_actions=0, outstanding_intrays=0, ministerial_or_ombudsman=False,
                written_responses_understood=False, customer_notified_of_decisions=True, feedback_provided=True,
                customer_told_by_phone=True, exit_letter_sent_on=None)
    return p.finalisation_readiness(p.ReadinessFacts(**{**base, **kw}))


@pytest.mark.parametrize(
    "kw,ready,failing",
    [
        pytest.param({}, True, set(), id="PS-FIN-1-all-conditions"),
        pytest.param(dict(cma_activities_completed=False), False, {"cma_activities"}, id="PS-FIN-1-cma-activities"),
        pytest.param(dict(unresolved_issues=2), False, {"issues_finalised"}, id="PS-FIN-1-issues-finalised"),
        pytest.param(dict(open_actions=1), False, {"plan_actions"}, id="PS-FIN-1-plan-actions"),
        pytest.param(dict(outstanding_intrays=1), False, {"no_outstanding_intrays"}, id="PS-FIN-1-intrays"),
        pytest.param(dict(ministerial_or_ombudsman=True), False, {"written_responses"},
                     id="PS-FIN-1-ministerial-written-response"),
        pytest.param(dict(ministerial_or_ombudsman=True, written_responses_understood=True), True, set(),
                     id="PS-FIN-1-ministerial-understood"),
        pytest.param(dict(customer_notified_of_decisions=False), False, {"decisions_notified"},
                     id="PS-FIN-1-decisions-notified"),
        pytest.param(dict(feedback_provided=False), False, {"feedback"}, id="PS-FIN-1-feedback"),
        pytest.param(dict(customer_told_by_phone=False), False, {"customer_told"}, id="PS-FIN-1-customer-not-told"),
        pytest.param(dict(customer_told_by_phone=False, exit_letter_sent_on=TODAY - dt.timedelta(days=9)), False,
                     {"customer_told"}, id="PS-FIN-1-exit-letter-9-days"),
        pytest.param(dict(customer_told_by_phone=False, exit_letter_sent_on=TODAY - dt.timedelta(days=10)), True,
                     set(), id="PS-FIN-1-exit-letter-10-days"),
    ],
)
def test_readiness(kw, ready, failing):
    r = readiness(**kw)
    assert r.ready is ready
    assert {c.name for c in r.failing} == failing
    assert len(r.checks) == 8


def approval(reason, r=None, **kw):
    base = dict(readiness=r or readiness(), mandatory_addressed=True, unresolved_issues=0,
                unresolved_specialist_issues=0)
    return p.approval_check(reason=reason, f=p.ApprovalFacts(**{**base, **kw}))


@pytest.mark.parametrize(
    "reason,r,kw,allowed,step",
    [
        pytest.param("issues_addressed", None, {}, True, "PS-ACT-2", id="PS-FIN-3-issues-addressed"),
        pytest.param("issues_addressed", readiness(feedback_provided=False), {}, False, "PS-FIN-1",
                     id="PS-FIN-3-readiness-must-hold"),
        pytest.param("nonsense", None, {}, False, "PS-FIN-3", id="PS-FIN-3-unknown-reason"),
        pytest.param("options_declined", None, dict(options_communicated_in_writing=True, suitable_timeframe_given=True,
                     ongoing_ps_will_not_resolve=True), True, "PS-ACT-1", id="PS-ACT-1-all-conditions"),
        pytest.param("options_declined", None, dict(options_communicated_in_writing=False,
                     suitable_timeframe_given=True, ongoing_ps_will_not_resolve=True), False, "PS-ACT-1",
                     id="PS-ACT-1-options-in-writing"),
        pytest.param("options_declined", None, dict(options_communicated_in_writing=True,
                     suitable_timeframe_given=False, ongoing_ps_will_not_resolve=True), False, "PS-ACT-1",
                     id="PS-ACT-1-timeframe"),
        pytest.param("options_declined", None, dict(options_communicated_in_writing=True,
                     suitable_timeframe_given=True, ongoing_ps_will_not_resolve=False), False, "PS-ACT-1",
                     id="PS-ACT-1-ps-will-not-resolve"),
        pytest.param("options_declined", None, dict(mandatory_addressed=False, options_communicated_in_writing=True,
                     suitable_timeframe_given=True, ongoing_ps_will_not_resolve=True), False, "PS-ACT-1",
                     id="PS-ACT-1-mandatory-addressed"),
        pytest.param("specialist_ongoing", readiness(unresolved_issues=1),
                     dict(unresolved_issues=1, unresolved_specialist_issues=1), True, "PS-ACT-4",
                     id="PS-ACT-4-only-specialist-outstanding"),
        pytest.param("specialist_ongoing", readiness(unresolved_issues=2),
                     dict(unresolved_issues=2, unresolved_specialist_issues=1), False, "PS-ACT-4",
                     id="PS-ACT-4-other-issue-outstanding"),
        pytest.param("specialist_ongoing", readiness(unresolved_issues=1),
                     dict(unresolved_issues=1, unresolved_specialist_issues=1, escalation_history=True), False,
                     "PS-ACT-4", id="PS-ACT-4-escalation-history"),
        pytest.param("specialist_ongoing", readiness(unresolved_issues=1),
                     dict(unresolved_issues=1, unresolved_specialist_issues=1, mandatory_addressed=False), False,
                     "PS-ACT-4", id="PS-ACT-4-mandatory-addressed"),
        pytest.param("segment_3", None, dict(needs_ongoing_support=True), True, "PS-ORM-1", id="PS-ORM-1-ongoing"),
        pytest.param("segment_3", None, dict(contact_restrictions=True), True, "PS-ORM-1", id="PS-ORM-1-restrictions"),
        pytest.param("segment_3", None, {}, False, "PS-ORM-1", id="PS-ORM-1-no-grounds"),
    ],
)
def test_approval(reason, r, kw, allowed, step):
    d = approval(reason, r, **kw)
    assert d.allowed is allowed, d.reason
    assert step in d.step_ids


@pytest.mark.parametrize(
    "segment,reason,tl,allowed,step",
    [
        pytest.param(2, "Ombudsman referral", False, True, "PS-RES-1", id="PS-RES-1-case-manager-decides"),
        pytest.param(3, "Restricted service", False, False, "PS-ORM-1", id="PS-ORM-1-segment-3-needs-tl"),
        pytest.param(3, "Restricted service", True, True, "PS-RES-1", id="PS-ORM-1-segment-3-tl-approved"),
        pytest.param(2, "", False, False, "PS-RES-1", id="PS-RES-1-needs-reason"),
        pytest.param(4, "x", False, False, "PS-RES-1", id="PS-RES-1-valid-segment"),
    ],
)
def test_segment_change(segment, reason, tl, allowed, step):
    d = p.segment_change_check(new_segment=segment, reason=reason, team_leader_approved=tl)
    assert d.allowed is allowed and step in d.step_ids


@pytest.mark.parametrize(
    "source,cro,confirmation,allowed",
    [
        pytest.param("ombudsman", True, "Resolved per Ombudsman response", True, id="PS-CON-1-ombudsman-confirmed"),
        pytest.param("mp", True, "Resolved", True, id="PS-CON-1-mp-confirmed"),
        pytest.param("crg", True, "Resolved", False, id="PS-CON-1-only-mp-or-ombudsman"),
        pytest.param("mp", False, "Resolved", False, id="PS-CON-1-needs-cro"),
        pytest.param("mp", True, " ", False, id="PS-CON-1-needs-confirmation-text"),
    ],
)
def test_no_further_contact(source, cro, confirmation, allowed):
    d = p.no_further_contact_check(referral_source=source, confirmed_with_cro=cro, confirmation=confirmation)
    assert d.allowed is allowed and "PS-CON-1" in d.step_ids


def test_PS_CON_1_cro_confirmation_satisfies_customer_told():
    r = readiness(customer_told_by_phone=False, cro_confirmed_no_contact=True)
    assert r.ready
