"""Shared steps for PS service/API tests."""

from __future__ import annotations

from casework.core.models import AuditEvent
from casework.ps import policy, services

FIRST_CHECKLIST = {k: True for k in policy.FIRST_CONTACT_POINTS}
MANDATORY = {k: True for k in policy.MANDATORY_KEYS}
FOLLOW_CHECKLIST = {k: True for k in policy.FOLLOW_UP_POINTS}
ATTEST = {k: True for k in services.ATTESTATIONS}


def refer(org, *, by=None, type_code="crg_referral_to_ps", **kw):
    return services.ps_referral_create(actor=(by or org.so).user, customer=org.customer, type_code=type_code,
                                       reason="Repeated escalations about the assessment", **kw)


def allocate(org, *, referral=None, by=None, cm=None, source="crg", **kw):
    referral = referral or refer(org)
    kw.setdefault("review", {"reviewed_items": ["case records", "notepads"], "crg_record": "CRG: 3 escalations"})
    return services.ps_referral_action(
        actor=(by or org.tl).user, customer=org.customer, case_manager=cm or org.cm, referral_source=source,
        main_referral_reason="Persistent complaints about the assessment", referral_intray=referral.intray, **kw)


def first_contact(org, rec, **kw):
    return services.contact_record(actor=org.cm.user, ps_record=rec, kind="first", summary="Discussed all issues",
                                   checklist=FIRST_CHECKLIST, mandatory_gathered=MANDATORY, acknowledged=True, **kw)


def resolve_all(org, rec):
    for issue in rec.plan.issues.all():
        if issue.status == "recorded":
            issue = services.plan_issue_transition(actor=org.cm.user, issue=issue, status="confirmed")
        if issue.status == "confirmed":
            services.plan_issue_transition(actor=org.cm.user, issue=issue, status="resolved", comment="Done")


def actions(**filters):
    return list(AuditEvent.objects.filter(**filters).values_list("action", flat=True))


def segment_3(org, rec, *, by=None, decider=None, reason="History of aggression"):
    """Segment 3 the way it happens now (PS-ORM-1): the CM asks, the PS Team Leader approves from their queue."""
    from casework.approvals import services as approvals

    req = services.segment_set(actor=(by or org.cm).user, ps_record=rec, segment=3, reason=reason)
    approvals.approval_decide(actor=(decider or org.tl).user, approval=req, approve=True, reason="Agreed")
    rec.refresh_from_db()
    return rec
