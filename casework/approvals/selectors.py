"""Reads of requests for approval: a decider's queue, a requester's own requests, a customer's requests, one request
with its history, and whether the reader may decide it (the same policy the service applies)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from casework.core.errors import NotFound, NotPermitted
from casework.intrays.selectors import teams_led
from casework.org.rules import officer_of

from . import kinds, policy
from .models import ApprovalIntray, ApprovalRequest, ApprovalStatus

BASE = ("customer", "requested_by__officer__position__office", "decided_by__officer__position__office")


def require_viewer(*, user) -> None:
    if officer_of(user) is None or not user.has_perm("approvals.view_approval"):
        raise NotPermitted("Your role does not allow you to see requests for approval.")


def decider_facts(user: Any) -> policy.DeciderFacts:
    officer = officer_of(user)
    if officer is None:
        return policy.DeciderFacts(user_id=getattr(user, "pk", None))
    area = officer.position.business_area.code if officer.position_id else None
    return policy.DeciderFacts(user_id=user.pk, officer_id=officer.pk, role=officer.role, is_active=True,
                               team_ids_led=frozenset(teams_led(officer)), area_code=area)


def decision_check(*, user, approval: ApprovalRequest) -> policy.Decision:
    return policy.may_decide(status=approval.status, eligibility=approval.eligible, decider=decider_facts(user),
                             requester_id=approval.requested_by_id, worked_by=frozenset(approval.worked_by or ()),
                             step_ids=tuple(approval.step_ids))


def approvals_to_decide(*, user, limit: int = 200) -> list[ApprovalRequest]:
    """Pending requests this officer may decide, oldest due first: those in their queue (a *Decision requested*
    intray of theirs) and any other pending request of their role whose scope now includes them."""
    officer = officer_of(user)
    if officer is None:
        return []
    facts = decider_facts(user)
    queued = set(ApprovalIntray.objects.filter(intray__assignee_officer=officer,
                                               request__status=ApprovalStatus.PENDING)
                 .values_list("request_id", flat=True)[:limit])
    by_role = (ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING, eligible_role=officer.role)
               .select_related(*BASE).order_by("due_date", "requested_at", "id")[:limit])
    rows = {r.pk: r for r in ApprovalRequest.objects.filter(pk__in=queued).select_related(*BASE)}
    for r in by_role:
        rows.setdefault(r.pk, r)
    out = []
    for r in rows.values():
        if policy.may_decide(status=r.status, eligibility=r.eligible, decider=facts, requester_id=r.requested_by_id,
                             worked_by=frozenset(r.worked_by or ()), step_ids=tuple(r.step_ids)).allowed:
            out.append(r)
    return sorted(out, key=lambda r: (r.due_date is None, r.due_date, r.requested_at, r.pk))[:limit]


def approvals_requested_by(*, user, limit: int = 100) -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.filter(requested_by=user).select_related(*BASE)[:limit]


def approvals_for_customer(*, user, customer, limit: int = 50) -> QuerySet[ApprovalRequest]:
    require_viewer(user=user)
    return ApprovalRequest.objects.filter(customer=customer).select_related(*BASE)[:limit]


def approvals_for_subject(*, subject, kind: str | None = None) -> QuerySet[ApprovalRequest]:
    qs = ApprovalRequest.objects.filter(subject_type=subject._meta.label_lower, subject_id=str(subject.pk))
    return qs.filter(kind=kind) if kind else qs


def pending_for_subject(*, subject, kind: str) -> ApprovalRequest | None:
    return approvals_for_subject(subject=subject, kind=kind).filter(status=ApprovalStatus.PENDING).first()


def approval_get(*, user, pk: int) -> ApprovalRequest:
    require_viewer(user=user)
    row = ApprovalRequest.objects.filter(pk=pk).select_related(*BASE).first()
    if row is None:
        raise NotFound("No such request.")
    return row


def approval_list(*, user, kind: str = "", status: str = "", csid: str = "", limit: int = 100):
    require_viewer(user=user)
    qs = ApprovalRequest.objects.select_related(*BASE)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if csid:
        qs = qs.filter(customer__csid=csid)
    return qs[:limit]


def history(*, approval: ApprovalRequest):
    return approval.events.select_related("actor__officer").order_by("at", "id")


def kind_of(approval: ApprovalRequest) -> kinds.Kind | None:
    return kinds.REGISTRY.get(approval.kind)
