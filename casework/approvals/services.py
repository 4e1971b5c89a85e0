"""Every write to requests for approval (issue 11): ask, decide, withdraw. One transaction each, audited, with the
request's history row; the decision runs the kind's effect in the same transaction and closes the deciders'
queue items, and the requester is notified.

Kinds call ``approval_request_create`` from their own services (the officer's act becomes a request instead of an
effect); everything else (queue, decision, notifications, history) is here, the same for every kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Q

from casework.core import clock
from casework.core.audit import audit_record
from casework.core.errors import Conflict, InvalidInput, NotPermitted, TransitionRefused
from casework.intrays import services as intray_services
from casework.notifications.models import NotificationKind
from casework.notifications.services import notification_send
from casework.org.models import Officer
from casework.org.rules import officer_of

from . import kinds, policy
from .models import ApprovalEvent, ApprovalIntray, ApprovalRequest, ApprovalStatus
from .selectors import decision_check


def _link(row: ApprovalRequest) -> str:
    return f"/approvals/{row.pk}/"


def eligible_officers(eligibility: policy.Eligibility, *, exclude_user_ids: Iterable[int] = ()) -> list[Officer]:
    """The officers who may decide, for their queues: the named officers, else the leaders of the teams, else the
    officers of the areas with the role, else everyone with the role (a national role such as the NMQCC)."""
    qs = (Officer.objects.filter(role__in=eligibility.roles, is_active=True, user__is_active=True, position__isnull=False)
          .select_related("user", "position__office", "position__team", "position__business_area"))
    if eligibility.officer_ids:
        qs = qs.filter(pk__in=eligibility.officer_ids)
    elif eligibility.team_ids:
        qs = qs.filter(Q(teams_led__in=eligibility.team_ids) | Q(position__team__in=eligibility.team_ids)).distinct()
    elif eligibility.area_codes:
        qs = qs.filter(position__business_area__code__in=eligibility.area_codes)
    skip = set(exclude_user_ids)
    return [o for o in qs.order_by("pk") if o.user_id not in skip]


def _event(row: ApprovalRequest, action: str, actor: Any, reason: str = "", data: Mapping | None = None) -> None:
    ApprovalEvent.objects.create(request=row, action=action,
                                 actor=actor if getattr(actor, "is_authenticated", False) else None,
                                 at=clock.now(), reason=reason, data=dict(data or {}))


def approval_request_create(
    *,
    actor: Any,
    kind: str,
    customer: Any,
    subject: models.Model,
    summary: str,
    reason: str,
    eligibility: policy.Eligibility,
    payload: Mapping[str, Any] | None = None,
    worked_by: Iterable[int] = (),
    step_ids: Iterable[str] = (),
    parent: ApprovalRequest | None = None,
) -> ApprovalRequest:
    """Ask for a decision: the request, its history row, a *Decision requested* intray (due in the kind's working
    days) in the queue of each eligible officer other than the requester and those who worked the item, and a
    notification to each. Refused when nobody could decide it, or the same thing is already waiting (409)."""
    k = kinds.get(kind)
    officer = officer_of(actor)
    if officer is None:
        raise NotPermitted("Only an officer may ask for a decision.", step_ids=k.step_ids)
    reason = str(reason or "").strip()
    if not reason:
        raise InvalidInput("Say why you are asking.", fields={"reason": ["Say why you are asking."]},
                           step_ids=k.step_ids)
    steps = tuple(dict.fromkeys((*step_ids, *k.step_ids)))
    worked = sorted({int(u) for u in worked_by if u is not None} - {actor.pk})
    deciders = eligible_officers(eligibility, exclude_user_ids=[actor.pk, *worked])
    if not deciders:
        raise TransitionRefused(f"Nobody can decide this yet: it needs {eligibility.label}, other than you and "
                                "anyone who worked on it. Ask your Team Leader to set the position up.",
                                step_ids=steps)
    subject_type = subject._meta.label_lower
    with transaction.atomic():
        if ApprovalRequest.objects.filter(kind=kind, subject_type=subject_type, subject_id=str(subject.pk),
                                          status=ApprovalStatus.PENDING).exists():
            raise Conflict(f"A request to {k.label.lower()} is already waiting for a decision.", step_ids=steps)
        try:
            with transaction.atomic():
                row = ApprovalRequest.objects.create(
                    kind=kind, customer=customer, subject_type=subject_type, subject_id=str(subject.pk),
                    summary=str(summary)[:300], payload=dict(payload or {}), reason=reason, requested_by=actor,
                    requested_at=clock.now(), eligibility=eligibility.as_dict(), eligible_role=eligibility.role,
                    worked_by=worked, step_ids=list(steps), parent=parent)
        except IntegrityError:
            raise Conflict(f"A request to {k.label.lower()} is already waiting for a decision.",
                           step_ids=steps) from None
        _event(row, "requested", actor, reason, {"summary": row.summary})
        due = None
        for decider in deciders:
            intray = intray_services.intray_create(
                actor=actor, type_code="approval_decision", customer=customer, assignee_officer=decider,
                subject=f"Decide: {k.label} for {customer.full_name}"[:200],
                details=f"{row.summary}\nAsked by {officer.display_name}: {reason}\nDecide it at {_link(row)}",
                reason=f"Request {row.pk} ({kind})", step_ids=steps)
            ApprovalIntray.objects.create(request=row, intray=intray)
            due = intray.due_date if due is None or (intray.due_date and intray.due_date < due) else due
        row.due_date = due
        row.save(update_fields=["due_date"])
        notification_send(recipients=deciders, kind=NotificationKind.APPROVAL_REQUESTED,
                          text=f"{officer.display_name} asks you to decide: {row.summary}"[:300],
                          key=f"approval:{row.pk}:requested", link=_link(row), customer=customer, step_ids=steps)
        audit_record(actor=actor, action="approval.request", target=row,
                     after={"kind": kind, "subject": f"{subject_type}:{subject.pk}", "payload": row.payload,
                            "eligibility": row.eligibility, "worked_by": worked,
                            "deciders": [d.pk for d in deciders], "due_date": due},
                     reason=reason, step_ids=steps, customer=customer)
    return row


def _close_queue(row: ApprovalRequest, *, actor: Any, outcome: str) -> None:
    for link in ApprovalIntray.objects.filter(request=row).select_related("intray__type"):
        intray_services.intray_resolve(actor=actor, intray=link.intray, outcome=outcome, step_ids=row.step_ids)


def _check_version(row: ApprovalRequest, version: int | None) -> None:
    if version is not None and int(version) != row.version:
        raise Conflict("This request changed since you opened it: reload it and decide again.",
                       step_ids=tuple(row.step_ids))


def _clean(k: kinds.Kind, row: ApprovalRequest, approve: bool, data: Mapping[str, Any] | None) -> dict[str, Any]:
    data = dict(data or {})
    missing = {}
    for f in k.decision_fields:
        if f.kind in ("officer", "position") and data.get(f.name) not in (None, ""):
            data[f.name] = _picked(f, row, data[f.name], missing)
        needed = f.required_on == "both" or f.required_on == ("approve" if approve else "reject")
        if needed and f.kind != "bool" and data.get(f.name) in (None, "") and f.name not in missing:
            missing[f.name] = [f"{f.label}: this is required."]
        if f.kind == "choice" and data.get(f.name) not in (None, "") and \
                str(data[f.name]) not in {c for c, _ in f.choices}:
            missing[f.name] = [f"{f.label}: choose one of {', '.join(c for c, _ in f.choices)}."]
    if missing:
        raise InvalidInput("Complete the decision.", fields=missing, step_ids=tuple(row.step_ids))
    if k.clean_decision is not None:
        data = dict(k.clean_decision(request=row, approve=approve, data=data))
    return data


def _picked(f: kinds.DecisionField, row: ApprovalRequest, value: Any, problems: dict) -> Any:
    """An officer/position field's value (id, username or position code) resolved within the field's options, by the
    one lookup (``org.selectors.pick_resolve``, issue 14)."""
    from casework.org.selectors import PickError, pick_resolve

    try:
        return pick_resolve(str(getattr(value, "pk", value)), kinds=(f.kind,), scopes={f.kind: dict(f.option_filter(row.payload or {}))})
    except PickError:
        problems[f.name] = [f"{f.label}: not one of the {'officers' if f.kind == 'officer' else 'positions'} "
                            "who can take this."]
        return None


def approval_decide(*, actor: Any, approval: ApprovalRequest, approve: bool, reason: str = "",
                    data: Mapping[str, Any] | None = None, version: int | None = None) -> ApprovalRequest:
    """Approve (the effect happens now, in this transaction) or reject (with a reason; nothing asked for takes
    effect) — only by an eligible decider who neither asked nor worked the item. Closes every decider's queue item
    for it and notifies the requester."""
    reason = str(reason or "").strip()
    if not approve and not reason:
        raise InvalidInput("Say why you do not approve.", fields={"reason": ["Say why you do not approve."]},
                           step_ids=tuple(approval.step_ids))
    with transaction.atomic():
        row = ApprovalRequest.objects.select_for_update().get(pk=approval.pk)
        _check_version(row, version)
        k = kinds.get(row.kind)
        if approve and not reason and k.reason_required_to_approve:
            raise InvalidInput("Give the reason for your decision.",
                               fields={"reason": ["A reason is required for this decision."]},
                               step_ids=tuple(row.step_ids))
        decision = decision_check(user=actor, approval=row)
        if not decision.allowed:
            cls = TransitionRefused if row.status != ApprovalStatus.PENDING else NotPermitted
            raise cls(decision.reason, step_ids=decision.step_ids)
        cleaned = _clean(k, row, approve, data)
        now = clock.now()
        if approve:
            row.approve()
        else:
            row.reject()
        row.decided_by, row.decided_at = actor, now
        row.decision_reason = reason or "Approved"
        row.decision_data = {key: value for key, value in cleaned.items() if _jsonable(value)}
        row.version += 1
        row.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "decision_data", "version"])
        effect = (k.on_approve if approve else k.on_reject)
        result = effect(request=row, actor=actor, data=cleaned) if effect is not None else None
        action = "approved" if approve else "rejected"
        _event(row, action, actor, row.decision_reason, row.decision_data)
        _close_queue(row, actor=actor, outcome=f"{'Approved' if approve else 'Not approved'}: {row.decision_reason}")
        officer = officer_of(actor)
        notification_send(
            recipients=[row.requested_by], kind=NotificationKind.APPROVAL_DECIDED,
            text=f"{k.label} for {row.customer.csid}: {'approved' if approve else 'not approved'} by "
                 f"{officer.display_name if officer else actor}. {row.decision_reason}"[:300],
            key=f"approval:{row.pk}:decided", link=_link(row), customer=row.customer, step_ids=row.step_ids)
        audit_record(actor=actor, action=f"approval.{'approve' if approve else 'reject'}", target=row,
                     before={"status": ApprovalStatus.PENDING},
                     after={"status": row.status, "kind": row.kind, "data": row.decision_data,
                            "requested_by": row.requested_by_id,
                            "effect": getattr(result, "pk", None) if result is not None else None},
                     reason=row.decision_reason, step_ids=decision.step_ids, customer=row.customer_id)
    return row


def _jsonable(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, list, dict))


def approval_withdraw(*, actor: Any, approval: ApprovalRequest, reason: str) -> ApprovalRequest:
    """The requester withdraws a pending request: nothing it asked for takes effect; the queue items close."""
    reason = str(reason or "").strip()
    if not reason:
        raise InvalidInput("Say why you withdraw it.", fields={"reason": ["Say why you withdraw it."]},
                           step_ids=tuple(approval.step_ids))
    with transaction.atomic():
        row = ApprovalRequest.objects.select_for_update().get(pk=approval.pk)
        k = kinds.get(row.kind)
        decision = policy.may_withdraw(status=row.status, requester_id=row.requested_by_id,
                                       actor_user_id=getattr(actor, "pk", None), step_ids=tuple(row.step_ids))
        if not decision.allowed:
            raise (TransitionRefused if row.status != ApprovalStatus.PENDING else NotPermitted)(
                decision.reason, step_ids=decision.step_ids)
        row.withdraw()
        row.decided_by, row.decided_at, row.decision_reason = actor, clock.now(), reason
        row.version += 1
        row.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "version"])
        undo = k.on_withdraw or k.on_reject
        if undo is not None:
            if undo is k.on_withdraw:
                undo(request=row, actor=actor)
            else:
                undo(request=row, actor=actor, data={})
        _event(row, "withdrawn", actor, reason)
        _close_queue(row, actor=actor, outcome=f"Withdrawn: {reason}")
        audit_record(actor=actor, action="approval.withdraw", target=row, before={"status": ApprovalStatus.PENDING},
                     after={"status": row.status}, reason=reason, step_ids=decision.step_ids,
                     customer=row.customer_id)
    return row
