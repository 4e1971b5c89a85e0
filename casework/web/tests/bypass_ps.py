"""Bypass matrix, group "ps" (issue 10): request bodies, extra states and the operations of this group the matrix
does not cover yet. Its rows are in ``casework/testing/bypass_matrix_ps.tsv``; ``test_bypass_matrix.py`` runs them with
the rest. A body is ``(world) -> (path, body)``; a state setter is ``(world, actor) -> None`` and runs inside the cell's
savepoint (it may put what it builds in ``world.extra``).

Every Personalised Services write: the record's work (plan, issues, options, actions, notes, contacts, letters,
segments) is the customer's PS Case Manager's or a PS Team Leader's (PS-ROLE), only while the record is active; the
decisions (finalisation, reallocation forward and assign) are the eligible second person's, never the requester's
(issue 11). The states put the world's PS customer (``w.ps``) at the stage a step needs, or put the plain customer
(``w.plain``) into PS with another Case Manager, by the same services the officers use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from casework.org.roles import Role
from casework.ps import policy as ps_policy
from casework.ps.services import ATTESTATIONS

PS = "/api/v1/ps"


# ------------------------------------------------------------------------------------------------------ helpers
def _cm(w):
    return w.officers[Role.PS_CASE_MANAGER.value]


def _tl(w):
    return w.officers[Role.PS_TEAM_LEADER.value]


def _rec(w):
    """The running cell's PS record: the subject customer's active record."""
    from casework.ps.models import PsRecord

    return PsRecord.objects.select_related("plan").get(customer=w.customer, is_active=True)


def _r(w) -> str:
    return f"{PS}/records/{_rec(w).pk}"


def _second_cm(w, team=None):
    """A second PS Case Manager (of the matrix PS team unless ``team``): never a matrix actor."""
    from casework.testing import factories as f

    return f.OfficerFactory(role=Role.PS_CASE_MANAGER, user__username="bm_pscm2", position__code="bm-bm_pscm2",
                            position__business_area=f.area("PS"), position__office=w.office,
                            position__team=team or _cm(w).position.team)


def _into_ps(w, case_manager, *, source: str = "crg"):
    """The plain customer referred by the Service Officer (PS-REF-1) and allocated by the PS Team Leader to
    ``case_manager`` (PS-REF-2); it becomes the cell's subject."""
    from casework.ps import services as ps

    w.target = w.plain
    ref = ps.ps_referral_create(actor=w.officers[Role.SERVICE_OFFICER.value].user, customer=w.customer,
                                type_code="crg_referral_to_ps", reason="Repeated escalations about the assessment")
    return ps.ps_referral_action(actor=_tl(w).user, customer=w.customer, case_manager=case_manager,
                                 referral_source=source, main_referral_reason="Complaints about the assessment",
                                 referral_intray=ref.intray)


def _segment(w, segment: int):
    from casework.approvals import services as approvals
    from casework.ps import services as ps

    w.target = w.ps
    out = ps.segment_set(actor=_cm(w).user, ps_record=_rec(w), segment=segment, reason="Several escalations")
    if segment == 3:  # PS-ORM-1: a request the PS Team Leader approves
        approvals.approval_decide(actor=_tl(w).user, approval=out, approve=True, reason="Agreed")


def _ready(w, issues_by=None):
    """The PS customer ready for finalisation (PS-FIN-1), worked by the Case Manager: first contact (which confirms
    the mandatory issues), every plan issue resolved (by ``issues_by``, the Case Manager unless said), the customer
    told by phone, the referral intray closed."""
    from casework.ps import services as ps

    w.target = w.ps
    cm = _cm(w).user
    rec = _rec(w)
    ps.contact_record(actor=cm, ps_record=rec, kind="first", summary="Discussed all issues",
                      checklist=dict.fromkeys(ps_policy.FIRST_CONTACT_POINTS, True),
                      mandatory_gathered=dict.fromkeys(ps_policy.MANDATORY_KEYS, True), acknowledged=True)
    for issue in rec.plan.issues.all():
        ps.plan_issue_transition(actor=(issues_by or _cm(w)).user, issue=issue, status="resolved", comment="Done")
    ps.customer_told_record(actor=cm, ps_record=rec, summary="Told by phone")




def _submitted(w, by, issues_by=None):
    from casework.ps import services as ps

    _ready(w, issues_by)
    w.extra["finalisation"] = ps.finalisation_request_submit(
        actor=by.user, ps_record=_rec(w), summary="All issues resolved", attestations={a: True for a in ATTESTATIONS})


# ------------------------------------------------------------------------------------------------------- states
def _st_referred(w, actor):  # noqa: ARG001
    from casework.ps import services as ps

    w.target = w.plain
    w.extra["referral"] = ps.ps_referral_create(
        actor=w.officers[Role.SERVICE_OFFICER.value].user, customer=w.customer, type_code="crg_referral_to_ps",
        reason="Repeated escalations about the assessment", to_position=_tl(w).position)


def _st_other_cm(w, actor):  # noqa: ARG001
    _into_ps(w, _second_cm(w))


def _st_ombudsman(w, actor):  # noqa: ARG001
    _into_ps(w, _cm(w), source="ombudsman")


def _st_segment2(w, actor):  # noqa: ARG001
    _segment(w, 2)


def _st_plan_approved(w, actor):  # noqa: ARG001
    from casework.ps import services as ps

    _segment(w, 2)
    ps.plan_approve(actor=_cm(w).user, plan=_rec(w).plan)


def _st_segment3(w, actor):  # noqa: ARG001
    _segment(w, 3)


def _st_segment3_review(w, actor):  # noqa: ARG001
    from casework.core import clock
    from casework.ps import services as ps

    _segment(w, 3)
    w.extra["review"] = ps.segment3_review_schedule(
        actor=_tl(w).user, ps_record=_rec(w), review_date=clock.local_today(w.office) + dt.timedelta(days=60),
        conditions="Written contact preferred")


def _st_restricted(w, actor):  # noqa: ARG001
    """A restricted service in force on the PS customer (proposed by the Case Manager, approved by the PS Team
    Leader with the letter sent, PS-ORM-3)."""
    from casework.approvals import services as approvals
    from casework.approvals.selectors import pending_for_subject
    from casework.core import clock
    from casework.customers import services as customers

    w.target = w.ps
    r = customers.contact_restriction_add(
        actor=_cm(w).user, customer=w.customer, conditions="Written contact only",
        review_date=clock.local_today(w.office) + dt.timedelta(days=120), case_review="Abusive calls",
        recommendation="Restrict to written contact", channels=["post"])
    approvals.approval_decide(actor=_tl(w).user, approval=pending_for_subject(subject=r, kind="restricted_service"),
                              approve=True, reason="Agreed", data={"letter_reference": "L-1"})
    w.extra["restriction"] = r


def _st_ready(w, actor):  # noqa: ARG001
    _ready(w)


def _st_finalisation(w, actor):  # noqa: ARG001
    _submitted(w, _cm(w))


def _st_finalisation_tl(w, actor):  # noqa: ARG001
    _submitted(w, _tl(w))


def _st_realloc_requested(w, actor):  # noqa: ARG001
    from casework.ps import services as ps

    w.target = w.ps
    w.extra["realloc"] = ps.reallocation_request(actor=_cm(w).user, ps_record=_rec(w),
                                                 reason_code="conflict_of_interest", detail="Knows the customer")


def _st_finalisation_tl_worked(w, actor):  # noqa: ARG001
    _submitted(w, _cm(w), issues_by=_tl(w))


def _st_realloc_requested_tl(w, actor):  # noqa: ARG001
    from casework.ps import services as ps

    w.target = w.ps
    w.extra["realloc"] = ps.reallocation_request(actor=_tl(w).user, ps_record=_rec(w),
                                                 reason_code="conflict_of_interest", detail="Knows the customer")


def _st_realloc_forwarded_own(w, actor):  # noqa: ARG001
    """The Case Manager's reallocation approved by the matrix PS Team Leader and sent to their own team: they asked
    for the assignment, so another PS Team Leader decides it."""
    from casework.ps import services as ps

    _st_realloc_requested(w, actor)
    ps.reallocation_forward(actor=_tl(w).user, request=w.extra["realloc"], receiving_position=_tl(w).position)


def _st_realloc_forwarded(w, actor):  # noqa: ARG001
    """The plain customer in PS with a Case Manager of the second PS team (led by bm_pstl2), who asked to reallocate
    them; bm_pstl2 sent them to the matrix PS team (the PS Case Manager's position): its PS Team Leader assigns."""
    from casework.org.models import Officer, Team
    from casework.ps import services as ps

    team2 = Team.objects.get(name="BM PS team 2")
    tl2 = Officer.objects.get(user__username="bm_pstl2")
    team2.leader = tl2
    team2.save()
    cm2 = _second_cm(w, team2)
    rec = _into_ps(w, cm2)
    req = ps.reallocation_request(actor=cm2.user, ps_record=rec, reason_code="other_state_face_to_face",
                                  detail="Moved interstate, wants to meet")
    ps.reallocation_forward(actor=tl2.user, request=req, receiving_position=_cm(w).position)
    w.extra["realloc"] = req


STATES: dict[str, tuple[str, Callable[[Any, Any], None]]] = {
    "ps_referred": ("the plain customer referred to PS (CRG Referral to PS intray at the PS Team Leader's seat, "
                    "PS-REF-1), not yet actioned", _st_referred),
    "ps_other_cm": ("the plain customer in PS with another PS Case Manager of the same team (bm_pscm2)", _st_other_cm),
    "ps_ombudsman": ("the plain customer in PS with the PS Case Manager, referred by the Ombudsman (PS-CON-1)",
                     _st_ombudsman),
    "ps_segment2": ("the PS customer with segment 2 recorded: the plan is complete, not yet approved (PS-PSP-3)",
                    _st_segment2),
    "ps_plan_approved": ("the PS customer's plan approved by the Case Manager (PS-PSP-3)", _st_plan_approved),
    "ps_segment3": ("the PS customer in segment 3 (asked by the Case Manager, approved by the PS Team Leader, "
                    "PS-ORM-1)", _st_segment3),
    "ps_segment3_review": ("the segment 3 PS customer with a review scheduled by the PS Team Leader (PS-ORM-2)",
                           _st_segment3_review),
    "ps_restricted": ("a restricted service in force on the PS customer (PS-ORM-3)", _st_restricted),
    "ps_ready": ("the PS customer ready for finalisation (PS-FIN-1), worked by the Case Manager", _st_ready),
    "ps_finalisation": ("a finalisation request submitted by the Case Manager, pending (PS-FIN-2): the record is with "
                        "the PS Team Leader", _st_finalisation),
    "ps_finalisation_tl": ("a finalisation request submitted by the PS Team Leader, pending (PS-FIN-2)",
                           _st_finalisation_tl),
    "ps_finalisation_tl_worked": ("a finalisation request submitted by the Case Manager after the PS Team Leader "
                                  "resolved the plan's issues (they worked it), pending (PS-FIN-2)",
                                  _st_finalisation_tl_worked),
    "ps_realloc_requested_tl": ("a reallocation of the PS customer requested by the PS Team Leader (PS-REV-2)",
                                _st_realloc_requested_tl),
    "ps_realloc_requested": ("a reallocation requested by the Case Manager, waiting for their PS Team Leader "
                             "(PS-REV-2)", _st_realloc_requested),
    "ps_realloc_forwarded_own": ("the Case Manager's reallocation forwarded by the matrix PS Team Leader to their own "
                                 "team (PS-REV-3)", _st_realloc_forwarded_own),
    "ps_realloc_forwarded": ("a reallocation from the second PS team forwarded to the matrix PS team by its Team "
                             "Leader, waiting for the receiving PS Team Leader (PS-REV-3)", _st_realloc_forwarded),
}


# ------------------------------------------------------------------------------------------------------- bodies
def _issue(w) -> int:
    """A mandatory issue of the plan (recorded; resolved once the record is ready for finalisation)."""
    return _rec(w).plan.issues.order_by("id").first().pk


def _action(w) -> int:
    from casework.ps.models import PlanAction

    return PlanAction.objects.create(plan=_rec(w).plan, description="Send the estimate form").pk


def _option(w) -> int:
    from casework.core import clock
    from casework.ps.models import PlanOption

    return PlanOption.objects.create(plan=_rec(w).plan, kind="publication", detail="Fact sheet on estimates",
                                     recorded_at=clock.now(), recorded_by=_cm(w).user).pk


def _future(days: int) -> str:
    from casework.core import clock

    return (clock.local_today(None) + dt.timedelta(days=days)).isoformat()


def _records_create(w):
    ref = w.extra.get("referral")
    return (f"{PS}/records/", {
        "csid": w.customer.csid, "case_manager": "bm_pscm", "referral_source": "crg",
        "main_referral_reason": "Complaints about the assessment",
        "referral_intray_id": ref.intray_id if ref is not None else None,
        "review": {"reviewed_items": ["case records", "notepads"], "crg_record": "CRG: 2 escalations"}})


BODIES: dict[str, Callable[[Any], tuple[str, dict[str, Any]]]] = {
    "ps_referrals_create": lambda w: (f"{PS}/referrals/", {
        "csid": w.customer.csid, "type_code": "crg_referral_to_ps", "reason": "Repeated escalations"}),
    "ps_records_create": _records_create,
    "ps_records_plan_partial_update": lambda w: (f"{_r(w)}/plan/", {
        "version": _rec(w).plan.version, "agreed_contact_times": "Weekdays after 3pm"}),
    "ps_planapprove": lambda w: (f"{_r(w)}/plan/approve/", {}),
    "ps_issueadd": lambda w: (f"{_r(w)}/issues/", {"title": "Estimate not reviewed", "classification": "financial"}),
    "ps_issuestatus": lambda w: (f"{PS}/issues/{_issue(w)}/status/", {"status": "confirmed", "comment": "Discussed"}),
    "ps_optionadd": lambda w: (f"{_r(w)}/options/", {"kind": "publication", "detail": "Fact sheet on estimates"}),
    "ps_optionupdate": lambda w: (f"{PS}/options/{_option(w)}/", {"status": "accepted"}),
    "ps_actionadd": lambda w: (f"{_r(w)}/actions/", {"description": "Send the estimate form"}),
    "ps_actioncomplete": lambda w: (f"{PS}/actions/{_action(w)}/complete/", {}),
    "ps_noteadd": lambda w: (f"{_r(w)}/notes/", {"subject": "Call about estimate", "body": "Explained the estimate."}),
    "ps_casereview": lambda w: (f"{_r(w)}/case-review/", {
        "reviewed_items": ["customer history report"], "crg_record": "CRG: 2 escalations"}),
    "ps_contact": lambda w: (f"{_r(w)}/contacts/", {
        "kind": "first", "summary": "Discussed all issues", "acknowledged": True,
        "checklist": dict.fromkeys(ps_policy.FIRST_CONTACT_POINTS, True),
        "mandatory_gathered": dict.fromkeys(ps_policy.MANDATORY_KEYS, True)}),
    "ps_customertold": lambda w: (f"{_r(w)}/customer-told/", {"summary": "Told by phone"}),
    "ps_nofurthercontact": lambda w: (f"{_r(w)}/no-further-contact/", {
        "cro": "bm_cro", "confirmation": "The Ombudsman's issues are resolved"}),
    "ps_sensitive": lambda w: (f"{_r(w)}/sensitive-indicator/", {
        "reason": "family_violence", "conditions": "Contact the payee only by post"}),
    "ps_segment": lambda w: (f"{_r(w)}/segment/", {"segment": 2, "reason": "Multiple issues"}),
    "ps_letter": lambda w: (f"{_r(w)}/letters/", {"template_code": "uq140_00_introduction"}),
    "ps_skip": lambda w: (f"{_r(w)}/uq140-01-skip/", {
        "straightforward": True, "tl_discussion": "Single straightforward issue", "team_leader": "bm_pstl"}),
    "ps_f2f": lambda w: (f"{_r(w)}/f2f/", {
        "location_detail": "Parramatta service centre", "attendees": "Case Manager and the customer",
        "scheduled_for": "2026-12-10T10:00:00+11:00", "reason": "Complex issues"}),
    "ps_segment3schedule": lambda w: (f"{_r(w)}/segment3-review/", {"review_date": _future(60)}),
    "ps_segment3outcome": lambda w: (f"{PS}/segment3-reviews/{w.extra['review'].pk}/outcome/", {
        "outcome": "back_to_segment_2", "notes": "Issues resolved, no escalation since"}),
    "ps_restrictedreview": lambda w: (f"{_r(w)}/restricted-review/", {
        "restriction_id": w.extra["restriction"].pk, "outcome": "Continue: conduct unchanged",
        "next_review_date": _future(120)}),
    "ps_reallocationrequest": lambda w: (f"{_r(w)}/reallocation/", {
        "reason_code": "conflict_of_interest", "detail": "Knows the customer"}),
    "ps_reallocationforward": lambda w: (f"{PS}/reallocations/{w.extra['realloc'].pk}/forward/", {
        "receiving_position": "bm-bm_pstl2"}),
    "ps_reallocationassign": lambda w: (f"{PS}/reallocations/{w.extra['realloc'].pk}/assign/", {
        "case_manager": "bm_pscm"}),
    "ps_finalisation": lambda w: (f"{_r(w)}/finalisation/", {
        "summary": "All issues resolved", "attestations": dict.fromkeys(ATTESTATIONS, True)}),
    "ps_finalisationdecision": lambda w: (f"{PS}/finalisations/{w.extra['finalisation'].pk}/decision/", {
        "approve": True, "reason": "issues_addressed", "comments": "Reviewed the PSP and the finalisation document"}),
}

# The group's write operations with no rows yet (kept equal to casework/testing/bypass_matrix.NOT_YET_BY_GROUP).
NOT_YET: frozenset[str] = frozenset()
