"""Maker–checker approval of restricted service (PS-ORM-3), kept in one place on purpose.

A simple stand-in until the shared approval mechanism exists (another issue builds it): a ``ContactRestriction`` is
*proposed* by one officer and comes into force only when a **different** PS Team Leader approves it
(``policy.restriction_approval_check``). To move onto the shared mechanism, replace these two services with a request
on it whose approval callback does what ``contact_restriction_approve`` does after its guard.

Review outcomes (approved by the National Manager Quality and Customer Complaints) are recorded by
``ps.services.restricted_service_review_record``.
"""

from __future__ import annotations

from django.db import transaction

from casework.core import clock
from casework.core.audit import audit_record
from casework.core.errors import NotPermitted, TransitionRefused
from casework.org.roles import Role
from casework.org.rules import officer_of

from . import policy
from .models import ContactRestriction, RestrictionStatus
from .services import _required_text

STEPS = ("PS-ORM-3", "PS-DOC-2")


def _decide(*, actor, restriction: ContactRestriction) -> ContactRestriction:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotPermitted("Only a PS Team Leader approves imposing a restricted service.", step_ids=STEPS)
    row = ContactRestriction.objects.select_for_update().get(pk=restriction.pk)
    if row.status != RestrictionStatus.PROPOSED:
        raise TransitionRefused(f"This restricted service is {row.get_status_display().lower()}: there is nothing to "
                                "approve.", step_ids=STEPS)
    officer = officer_of(actor)
    decision = policy.restriction_approval_check(
        requested_by_id=row.requested_by_id, approver_id=actor.pk,
        approver_is_ps_team_leader=officer is not None and officer.role == Role.PS_TEAM_LEADER
        and actor.has_perm("customers.approve_restriction"),
    )
    if not decision.allowed:
        raise NotPermitted(decision.reason, step_ids=decision.step_ids)
    return row


def contact_restriction_approve(*, actor, restriction: ContactRestriction, letter_reference: str,
                                reason: str = "") -> ContactRestriction:
    """Approve a proposed restricted service: it comes into force from today, with the approval and the letter sent
    to the customer recorded (PS-DOC-2: case review, recommendation, approval and letter)."""
    letter_reference = _required_text(letter_reference, "letter_reference", "the letter sent to the customer")
    with transaction.atomic():
        row = _decide(actor=actor, restriction=restriction)
        row.approve()
        row.is_active = True
        row.approved_by = actor
        row.approved_at = clock.now()
        row.letter_reference = letter_reference
        row.decision_reason = str(reason or "").strip()
        row.save(update_fields=["status", "is_active", "approved_by", "approved_at", "letter_reference",
                                "decision_reason"])
        audit_record(actor=actor, action="contact_restriction.approve", target=row,
                     before={"status": RestrictionStatus.PROPOSED},
                     after={"status": row.status, "letter_reference": letter_reference,
                            "requested_by": row.requested_by_id},
                     reason=row.decision_reason, step_ids=STEPS, customer=row.customer_id)
    return row


def contact_restriction_reject(*, actor, restriction: ContactRestriction, reason: str) -> ContactRestriction:
    """Decline a proposed restricted service (kept, as *not approved*, with the reason)."""
    reason = _required_text(reason, "reason", "why the restricted service is not approved")
    with transaction.atomic():
        row = _decide(actor=actor, restriction=restriction)
        row.reject()
        row.approved_by = actor
        row.approved_at = clock.now()
        row.decision_reason = reason
        row.save(update_fields=["status", "approved_by", "approved_at", "decision_reason"])
        audit_record(actor=actor, action="contact_restriction.reject", target=row,
                     before={"status": RestrictionStatus.PROPOSED}, after={"status": row.status},
                     reason=reason, step_ids=STEPS, customer=row.customer_id)
    return row
