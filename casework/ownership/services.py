"""Every write of ownership: lock, take over, refer follow-up, transfer, dispute, unlock, automatic unlock, error
identified, PS consultation. Each runs in one transaction, is guarded by policy.py and audited with its step IDs.

Concurrency (CMA-2.10, "never two owners"): a locker first takes a row lock on the customer
(``SELECT ... FOR UPDATE`` on PostgreSQL), then reads the active lock and decides; the partial unique constraint
``ownership_one_active_lock_per_customer`` is the last word, and an IntegrityError from it becomes a 409 naming the
holder. Two concurrent lockers: exactly one wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from casework.core import clock
from casework.core.audit import audit_record
from casework.core.errors import Conflict, DomainError, InvalidInput, NotPermitted, TransitionRefused
from casework.core.policy import Decision
from casework.customers.models import Case, Customer, IssueStatus
from casework.notifications.models import NotificationKind
from casework.org.models import BusinessArea, Officer, Position
from casework.org.roles import PS_ROLES, TEAM_LEADER_ROLES, Role
from casework.org.rules import officer_of

from . import policy, selectors
from .models import (
    AutoUnlock,
    AutoUnlockStatus,
    EndKind,
    ErrorReport,
    Lock,
    LockKind,
    OwnershipTransfer,
    CustomerRoute,
    SpecialistConsultation,
    TransferStatus,
)

# ---------------------------------------------------------------- helpers


def _steps(*groups: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for g in groups:
        for s in g:
            if s not in out:
                out.append(s)
    return tuple(out)


def _officer(actor: Any, perm: str, what: str, step_ids: Iterable[str] = ()) -> Officer:
    officer = officer_of(actor)
    if officer is None or not actor.has_perm(perm):
        raise NotPermitted(f"Your role does not allow you to {what}.", step_ids=step_ids)
    return officer


def _reason(reason: str, field: str = "reason") -> str:
    reason = str(reason or "").strip()
    if not reason:
        raise InvalidInput("Give a reason.", fields={field: ["A reason is required."]})
    return reason


def _is_tl(officer: Officer | None) -> bool:
    return officer is not None and officer.role in TEAM_LEADER_ROLES


def _tl_areas(officer: Officer | None) -> frozenset[str]:
    """CMA-1.6: the areas this officer leads as a Team Leader (their own position's area), for "a Team Leader of
    the areas concerned"."""
    if not _is_tl(officer) or officer.business_area is None:
        return frozenset()
    return frozenset({officer.business_area.code})


def team_leader_areas(officer: Officer | None) -> frozenset[str]:
    """The areas whose ownership disputes this Team Leader decides (CMA-1.6)."""
    return _tl_areas(officer)


def _area_code(officer: Officer | None) -> str | None:
    return officer.business_area.code if officer is not None and officer.business_area is not None else None


def _ps_exit_guard(customer: Customer, facts: selectors.LockFacts | None = None) -> None:
    """PS-FIN-3 / PS-ACT-5: a customer with an active PS record leaves PS (unlock, transfer, the ownership rules)
    only through an approved PS finalisation; the refusal is the readiness policy's own clause."""
    if selectors.ps_record_active(customer=customer, facts=facts):
        decision = policy.unlock_readiness(
            policy.UnlockReadinessFacts(decision_explained=False, contact_attempted=False, ps_record_active=True)
        )
        raise TransitionRefused(decision.reason, step_ids=decision.step_ids)


def _lock_snapshot(lock: Lock | None, holder: selectors.LockHolder | None = None) -> dict[str, Any] | None:
    """A lock as its audit events record it. ``holder``: its area, position and officer already read as values
    (the automatic-unlock sweep, issue 15); else read from the lock's related rows."""
    if lock is None:
        return None
    if holder is None:
        holder = selectors.LockHolder.of(lock)
    return {
        "lock_id": lock.pk,
        "area": holder.area_code,
        "officer": holder.officer_username if lock.officer_id else None,
        "position": holder.position_code if lock.position_id else None,
        "kind": lock.kind,
        "is_active": lock.is_active,
        "issue": lock.issue_id,
    }


def _holder_extra(lock: Lock) -> dict[str, Any]:
    return {
        "holder": {
            "label": lock.holder_label,
            "area": lock.area.code,
            "officer": lock.officer.user.username if lock.officer_id else None,
            "position": lock.position.code if lock.position_id else None,
            "since": lock.started_at.isoformat(),
        }
    }


def _target(to_officer: Officer | None, to_position: Position | None) -> tuple[BusinessArea, Position | None]:
    if to_officer is not None:
        if not to_officer.is_active or to_officer.position_id is None:
            raise InvalidInput(
                "That officer is not active in a position, so the customer cannot be locked to them.",
                fields={"to_officer": ["Not an active officer with a position."]},
            )
        return to_officer.position.business_area, to_officer.position
    if not to_position.is_active:
        raise InvalidInput("That position is not active.", fields={"to_position": ["Not an active position."]})
    return to_position.business_area, to_position


def area_position(area: BusinessArea, *, prefer_office=None) -> Position:
    """The position that receives work addressed to an area: a team-less "intake" position, ideally in the given
    office, else in the same state or territory, else any (by code)."""
    qs = Position.objects.filter(business_area=area, is_active=True).select_related("business_area", "office")
    for candidate_qs in (
        qs.filter(team__isnull=True, office=prefer_office) if prefer_office is not None else qs.none(),
        # Same state or territory next: work addressed to an area stays in the caller's jurisdiction.
        qs.filter(team__isnull=True, office__state=prefer_office.state) if prefer_office is not None else qs.none(),
        qs.filter(team__isnull=True),
        qs,
    ):
        position = candidate_qs.order_by("code").first()
        if position is not None:
            return position
    raise InvalidInput(
        f"{area.name} has no active position to receive the customer.", fields={"to_area": ["No active position."]}
    )


def _open_error_previous_officers(customer: Customer, facts: selectors.LockFacts | None = None) -> frozenset[int]:
    if facts is not None and not facts.errors_open:
        return frozenset()
    return frozenset(
        ErrorReport.objects.filter(customer=customer, is_open=True, previous_officer__isnull=False).values_list(
            "previous_officer_id", flat=True
        )
    )


def _end_lock(lock: Lock, *, actor: Any, end_kind: str, reason: str, step_ids: Iterable[str]) -> None:
    """The one place a lock ends (its protected transition ``Lock.end``); the calling service has applied its rule."""
    lock.end()
    lock.ended_at = clock.now()
    lock.ended_by = actor if getattr(actor, "is_authenticated", False) else None
    from casework.core.context import system_actor_var

    lock.ended_by_label = "" if lock.ended_by else (system_actor_var.get() or "system")
    lock.end_kind = end_kind
    lock.end_reason = reason
    lock.end_step_ids = list(step_ids)
    lock.save(update_fields=["is_active", "ended_at", "ended_by", "ended_by_label", "end_kind", "end_reason",
                             "end_step_ids"])
    # Whatever was pending on the lock no longer applies.
    _cancel_auto_unlocks(lock, actor=actor)
    _notify_lock_holders(actor=actor, lock=lock, gained=False)


def _holder_officers(lock: Lock) -> list[Officer]:
    """Who holds a lock: its officer, or the active officers in its position."""
    if lock.officer_id is not None:
        return [lock.officer]
    return list(Officer.objects.filter(position_id=lock.position_id, is_active=True).select_related("user"))


def _notify_lock_holders(*, actor: Any, lock: Lock, gained: bool) -> None:
    """Issue 11: a customer locked to or taken from an officer tells them (``LOCK_GAINED`` / ``LOCK_LOST``), never
    the officer who acted. Sent where every lock change is recorded — a lock row starting (``_insert_lock``) or
    ending (``_end_lock``) — so every path (lock, take-over, apply-rules, transfer, reallocation, dispute decision,
    referral, error, unlock, automatic unlock) tells them once; the key is the lock row and the event, so nothing is
    sent twice."""
    from casework.notifications.services import notification_send

    recipients = _holder_officers(lock)
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    if all(o.user_id == actor_id for o in recipients):
        return  # nobody to tell but the officer who acted (issue 15: no empty send)
    kind, key, steps, text = _lock_holder_message(lock, gained=gained)
    customer = lock.customer
    notification_send(recipients=recipients, kind=kind, text=text[:300], key=key,
                      link=f"/customers/{customer.csid}/", customer=customer, step_ids=steps,
                      exclude=[actor] if getattr(actor, "is_authenticated", False) else [])


def _lock_holder_message(lock: Lock, *, gained: bool) -> tuple[str, str, Iterable[str], str]:
    """(kind, key, step IDs, text) of the notification telling a lock's holders it started or ended."""
    customer = lock.customer
    return _holder_message(lock, gained=gained, who=f"{customer.full_name} ({customer.csid})",
                           label=None if lock.officer_id else lock.holder_label)


def _holder_message(lock: Lock, *, gained: bool, who: str, label: str | None) -> tuple[str, str, Iterable[str], str]:
    """``_lock_holder_message`` from the lock's own columns, ``who`` (the customer's name and CSID) and ``label``
    (its ``holder_label``; not read for a lock held by an officer, who is told "you")."""
    if gained:
        kind, key, steps = NotificationKind.LOCK_GAINED, f"lock:{lock.pk}:gained", lock.step_ids or ()
        text = f"{who} is now locked to {'you' if lock.officer_id else label}: {lock.reason}"
    else:
        kind, key, steps = NotificationKind.LOCK_LOST, f"lock:{lock.pk}:lost", lock.end_step_ids or ()
        verb = {EndKind.REPLACED: "was taken from", EndKind.UNLOCKED: "was unlocked from",
                EndKind.AUTO_UNLOCKED: "was unlocked automatically from"}.get(lock.end_kind, "is no longer locked to")
        text = f"{who} {verb} {'you' if lock.officer_id else label}: {lock.end_reason}"
    return kind, key, steps, text


def _cancel_auto_unlocks(lock: Lock, *, actor: Any) -> None:
    """Set-based transition: every automatic unlock still scheduled on an ended lock is cancelled, one audited
    transition per row (CMA-3.4)."""
    if getattr(lock, "auto_unlock_scheduled", None) is False:
        return  # read with the lock (``selectors.active_lock(with_auto_unlock=True)``): nothing scheduled
    for auto in AutoUnlock.objects.select_for_update().filter(lock=lock, status=AutoUnlockStatus.SCHEDULED):
        auto.cancel()
        auto.completed_at = lock.ended_at
        auto.save(update_fields=["status", "completed_at"])
        audit_record(actor=actor if getattr(actor, "is_authenticated", False) else None,
                     action="ownership.auto_unlock_cancel", target=auto, before={"status": AutoUnlockStatus.SCHEDULED},
                     after={"status": auto.status}, reason="The lock ended before the automatic unlock was due.",
                     step_ids=("CMA-3.4",), customer=lock.customer_id)


def routing_rebuild(*, customer_ids: Iterable[int] | None = None, chunk: int = 2000) -> int:
    """Recompute the routing rows from the locks (``manage.py routing_rebuild``; after renaming an area or moving
    an officer, whose names are copied into the rows). Every customer with an active lock gets its row; rows of
    customers no longer locked say so. Returns the number of rows written."""
    locks = Lock.objects.filter(is_active=True).select_related("area", "position", "officer__user",
                                                               "officer__position")
    routes = CustomerRoute.objects.all()
    if customer_ids is not None:
        customer_ids = list(customer_ids)
        locks, routes = locks.filter(customer_id__any_of=customer_ids), routes.filter(customer_id__any_of=customer_ids)
    scheduled = AutoUnlock.objects.filter(status=AutoUnlockStatus.SCHEDULED, lock__is_active=True)
    if customer_ids is not None:
        scheduled = scheduled.filter(customer_id__any_of=customer_ids)
    due = dict(scheduled.values_list("lock_id", "due_at").order_by("lock_id", "-due_at"))
    written = 0
    now = clock.now()
    with transaction.atomic():
        locked = set()
        batch: list[CustomerRoute] = []

        def flush():
            CustomerRoute.objects.bulk_create(batch, update_conflicts=True, unique_fields=["customer"],
                                              update_fields=[*selectors.ROUTE_FIELDS, "auto_unlock_due_at",
                                                             "updated_at"])
            batch.clear()

        for lock in locks.order_by("customer_id").iterator(chunk_size=chunk):
            locked.add(lock.customer_id)
            batch.append(CustomerRoute(customer_id=lock.customer_id, updated_at=now,
                                       auto_unlock_due_at=due.get(lock.pk), **selectors.route_values(lock)))
            written += 1
            if len(batch) >= chunk:
                flush()
        stale = [cid for cid in routes.exclude(lock=None).values_list("customer_id", flat=True) if cid not in locked]
        batch.extend(CustomerRoute(customer_id=cid, updated_at=now, **selectors.route_values(None)) for cid in stale)
        written += len(stale)
        flush()
    return written


ONE_ACTIVE_LOCK = "ownership_one_active_lock_per_customer"


def _insert_lock(*, savepoint: bool = True, **fields: Any) -> Lock:
    """Insert the lock (the partial unique index ``ownership_one_active_lock_per_customer`` is the last word).
    ``savepoint=False`` (``customer_lock`` on PostgreSQL, issue 15: two statements fewer): no savepoint around the
    insert, so a race lost to the index is a 409 that cannot name the holder (the transaction is aborted); with it
    (elsewhere, and on SQLite) the 409 names the holder."""
    customer = fields["customer"]
    if not savepoint:
        try:
            lock = Lock.objects.create(started_at=clock.now(), **fields)
        except IntegrityError as exc:
            if getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) != ONE_ACTIVE_LOCK:
                raise
            raise Conflict("Already locked to another officer: reload the customer to see who holds it.",
                           step_ids=("CMA-2.10",)) from exc
        return _lock_inserted(fields, lock)
    try:
        with transaction.atomic():
            lock = Lock.objects.create(started_at=clock.now(), **fields)
    except IntegrityError as exc:
        holder = Lock.objects.filter(customer=customer, is_active=True).select_related(
            "area", "officer__user", "position"
        ).first()
        if holder is None:
            raise
        raise Conflict(
            f"Already locked to {holder.holder_label}.", step_ids=("CMA-2.10",), extra=_holder_extra(holder)
        ) from exc
    return _lock_inserted(fields, lock)


def _lock_inserted(fields: dict[str, Any], lock: Lock) -> Lock:
    customer = fields["customer"]
    _notify_lock_holders(actor=fields.get("started_by"), lock=lock, gained=True)
    # Issue 11 (CMA-1.2): every way a customer comes to be locked to a specialist area (lock, take-over, priority,
    # referral, transfer, dispute decision, re-lock, collaborative owner) takes on the outstanding common work.
    _take_on_common_work(actor=fields.get("started_by"), customer=customer, lock=lock,
                         step_ids=fields.get("step_ids") or ())
    return lock


def _notify(*, actor: Any, type_code: str, customer: Customer, subject: str, details: str, to_lock: Lock | None,
            officer: Officer | None = None, position: Position | None = None, reason: str = "",
            step_ids: Iterable[str] = ()):
    """Create an intray (contract B) for a lock holder, or an explicit officer/position."""
    from casework.intrays.services import intray_create

    if to_lock is not None:
        officer, position = to_lock.officer, (None if to_lock.officer_id else to_lock.position)
    return intray_create(
        actor=actor,
        type_code=type_code,
        customer=customer,
        subject=subject,
        assignee_officer=officer,
        assignee_position=None if officer is not None else position,
        details=details,
        reason=reason,
        step_ids=tuple(step_ids),
    )


def _record_lock_change(
    *, actor: Any, action: str, customer: Customer, lock: Lock, previous: Lock | None, reason: str,
    step_ids: Iterable[str], details: str, subject: str = "", rule: Decision | None = None,
) -> None:
    """Audit a new lock (with what it replaced) and tell the previous holder by a *Lock taken over* intray
    (CMA-2.10). The officers' ``lock_gained`` / ``lock_lost`` notifications (issue 11) are sent below this, by
    ``_insert_lock`` and ``_end_lock``, so the paths that do not come through here send them too."""
    after = _lock_snapshot(lock)
    if rule is not None:
        after = {**after, "rule": rule.as_dict()}
    audit_record(actor=actor, action=action, target=lock, before=_lock_snapshot(previous), after=after,
                 reason=reason, step_ids=step_ids, customer=customer)
    if previous is not None:
        _notify(
            actor=actor,
            type_code="lock_taken_over",
            customer=customer,
            subject=subject or f"Customer {customer.csid} now owned by {lock.holder_label}",
            details=details,
            to_lock=previous,
            reason=reason,
            step_ids=step_ids,
        )


def _ps_guard(actor: Any, customer: Customer, what: str) -> None:
    """PS-SPE-1: acting on a customer owned by Personalised Services needs a consultation with the Case Manager,
    and the Case Manager is told of the action (PS-ROLE, issue 11). Called inside the service's transaction."""
    specialist_action_guard(actor=actor, customer=customer)
    specialist_action_notify(actor=actor, customer=customer, what=what)


def _lock_customer_row(customer: Customer) -> Customer:
    """Serialise lockers of one customer: a row lock on the customer (no-op on SQLite, whose writes serialise)."""
    return Customer.objects.select_for_update().get(pk=customer.pk)


# ---------------------------------------------------------------- lock


def customer_lock(
    *,
    actor: Any,
    customer: Customer,
    to_officer: Officer | None = None,
    to_position: Position | None = None,
    reason: str,
    step_ids: Iterable[str] = (),
    issue=None,
    kind: str = LockKind.LOCK,
    ps_procedure: bool = False,
) -> Lock:
    """Lock the customer to yourself (default), to a position, or (Team Leader) to another officer (CMA-2.10).

    Already locked to someone else → ``Conflict`` (409) naming the holder, unless the CMA-1.5 priority order gives
    ownership to the target's area, in which case the lock moves and the previous holder is notified. That move is
    the rules applied again, with apply-rules' checks (review 11, finding 1): asked by an officer or Team Leader of
    an area concerned, never over a CMA-1.6 agreement or Team Leader decision, and never taking a customer with an
    active PS record out of PS (PS-FIN-3, PS-ACT-5).

    ``ps_procedure``: set only by ``casework.ps.integration.lock_to``, the lock moves of the PS procedure's own
    steps (PS-REF-2 allocation into PS); the PS services check those steps.
    """
    officer = _officer(actor, "ownership.lock_customer", "lock customers", ("CMA-2.10",))
    if to_officer is not None and to_position is not None:
        raise InvalidInput(
            "Lock to an officer or to a position, not both.",
            fields={"to_position": ["Give either an officer or a position."]},
        )
    reason = _reason(reason)
    if to_officer is None and to_position is None:
        to_officer = officer
    if to_officer is not None and to_officer.pk != officer.pk and not actor.has_perm("ownership.lock_for_other"):
        raise NotPermitted(
            "Only a Team Leader may lock a customer to another officer; lock to yourself or to a position.",
            step_ids=("CMA-2.10",),
        )
    area, position = _target(to_officer, to_position)
    if issue is not None and issue.customer_id != customer.pk:
        raise InvalidInput("That presenting issue belongs to another customer.", fields={"issue": ["Not this customer's."]})
    target = policy.HolderFact(
        area=area.code,
        area_kind=area.kind,
        officer_id=to_officer.pk if to_officer is not None else None,
        position_id=None if to_officer is not None else position.pk,
    )
    with transaction.atomic():
        # Issue 15: the row lock and the facts in one query, the current lock in one more, the rule once.
        facts = selectors.lock_facts(customer=customer)
        current = selectors.active_lock(customer=customer, with_auto_unlock=True)
        rule = selectors.rule_owner(customer=customer, facts=facts)
        decision = policy.lock_decision(
            current=selectors.holder_fact(current),
            target=target,
            actor_officer_id=officer.pk,
            actor_is_team_leader=_is_tl(officer),
            rule_owner_area=rule.facts.get("area"),
            error_previous_officer_ids=_open_error_previous_officers(customer, facts),
            actor_area=_area_code(officer),
            actor_tl_areas=_tl_areas(officer),
            # PS-REF-2 allocation into PS (CMA-1.5 priority 2, CMA-1.7) is decided by the PS services.
            agreed_area=None if ps_procedure else selectors.agreed_area(customer=customer, facts=facts),
        )
        steps = _steps(step_ids, decision.step_ids)
        if decision.outcome == "refused":
            raise TransitionRefused(decision.reason, step_ids=decision.step_ids)
        if decision.outcome == "not_permitted":
            raise NotPermitted(decision.reason, step_ids=decision.step_ids, extra=_holder_extra(current))
        if decision.outcome in ("conflict", "agreed"):
            raise Conflict(decision.reason, step_ids=decision.step_ids, extra=_holder_extra(current))
        if decision.outcome == "already":
            return current
        previous = current
        if decision.outcome == "priority":
            if not ps_procedure:
                _ps_exit_guard(customer, facts)
            _end_lock(current, actor=actor, end_kind=EndKind.REPLACED, reason=decision.reason, step_ids=steps)
            kind = LockKind.PRIORITY
        lock = _insert_lock(
            customer=customer,
            area=area,
            position=position,
            officer=to_officer,
            kind=kind,
            issue=issue,
            reason=reason,
            step_ids=list(steps),
            started_by=actor,
            # Issue 15: on PostgreSQL no savepoint (the row lock serialises lockers; a race lost to the partial
            # unique index is still a 409, without the holder's name).
            savepoint=connection.vendor != "postgresql",
        )
        _record_lock_change(actor=actor, action="ownership.lock", customer=customer, lock=lock, previous=previous,
                            reason=reason, step_ids=steps, details=decision.reason, rule=rule)
    return lock


def lock_take_over(*, actor: Any, customer: Customer, reason: str, step_ids: Iterable[str] = ("CMA-2.10",)) -> Lock:
    """CMA-2.10: lock the customer to yourself where that gives a better outcome; the previous holder is notified
    by a *Lock taken over* intray. Never over a CMA-1.6 agreement or Team Leader decision, never for a customer with
    an active PS record (review 11, finding 2: ``policy.take_over_decision``)."""
    officer = _officer(actor, "ownership.take_over", "take over locks", ("CMA-2.10",))
    reason = _reason(reason)
    if officer.position_id is None:
        raise InvalidInput("You hold no position, so a customer cannot be locked to you.", fields={"actor": ["No position."]})
    with transaction.atomic():
        # Issue 15: the collapsed path (row lock and facts in one query, the rule evaluated once).
        facts = selectors.lock_facts(customer=customer)
        current = selectors.active_lock(customer=customer, with_auto_unlock=True)
        rule = selectors.rule_owner(customer=customer, facts=facts)
        decision = policy.take_over_decision(
            current=selectors.holder_fact(current),
            actor_officer_id=officer.pk,
            actor_area=officer.position.business_area.code,
            actor_tl_areas=_tl_areas(officer),
            rule_owner_area=rule.facts.get("area"),
            agreed_area=selectors.agreed_area(customer=customer, facts=facts),
            ps_record_active=selectors.ps_record_active(customer=customer, facts=facts),
        )
        if not decision.allowed:
            extra = _holder_extra(current) if current is not None else None
            error = Conflict if decision.outcome in ("agreed", "ps_managed") else TransitionRefused
            raise error(decision.reason, step_ids=decision.step_ids, extra=extra)
        _ps_guard(actor, customer, "took over the lock")
        if officer.pk in _open_error_previous_officers(customer, facts):
            raise TransitionRefused(
                "An error by you is being corrected on this customer: it is not locked back to you.",
                step_ids=("CMA-1.3",),
            )
        steps = _steps(step_ids, decision.step_ids)
        _end_lock(current, actor=actor, end_kind=EndKind.REPLACED, reason=reason, step_ids=steps)
        lock = _insert_lock(
            customer=customer,
            area=officer.position.business_area,
            position=officer.position,
            officer=officer,
            kind=LockKind.TAKE_OVER,
            reason=reason,
            step_ids=list(steps),
            started_by=actor,
        )
        _record_lock_change(actor=actor, action="ownership.take_over", customer=customer, lock=lock, previous=current,
                            reason=reason, step_ids=steps, details=reason,
                            subject=f"Lock on {customer.csid} taken over by {officer.display_name}")
    return lock


def customer_lock_apply_rules(*, actor: Any, customer: Customer, reason: str) -> Lock | None:
    """Apply CMA-1.5 again: when the rules name an owning area other than the current lock's, the customer moves to
    the officer managing that area's issue (or the area's position). Returns the (possibly unchanged) lock."""
    officer = _officer(actor, "ownership.lock_customer", "apply the ownership rules", ("CMA-1.5",))
    reason = _reason(reason)
    with transaction.atomic():
        # Issue 15: the collapsed path (row lock and facts in one query, the rule evaluated once).
        facts = selectors.lock_facts(customer=customer)
        current = selectors.active_lock(customer=customer, with_auto_unlock=True)
        rule = selectors.rule_owner(customer=customer, facts=facts)
        area_code = rule.facts.get("area")
        decision = policy.apply_rules_decision(
            current=selectors.holder_fact(current),
            rule_owner_area=area_code,
            actor_area=_area_code(officer),
            actor_tl_areas=_tl_areas(officer),
            agreed_area=selectors.agreed_area(customer=customer, facts=facts),
        )
        if decision.outcome == "not_permitted":
            raise NotPermitted(decision.reason, step_ids=decision.step_ids)
        if not decision.allowed:
            raise TransitionRefused(decision.reason, step_ids=decision.step_ids)
        if decision.outcome == "no_change":
            return current
        _ps_exit_guard(customer, facts)
        area = BusinessArea.objects.get(code=area_code)
        to_officer, to_position = _manager_of(customer, area, prefer_office=officer.office)
        if current is not None:
            _end_lock(current, actor=actor, end_kind=EndKind.REPLACED, reason=rule.reason, step_ids=rule.step_ids)
        lock = _insert_lock(
            customer=customer,
            area=area,
            position=to_officer.position if to_officer is not None else to_position,
            officer=to_officer,
            kind=LockKind.PRIORITY,
            issue_id=rule.facts.get("issue_id"),
            reason=f"{reason} — {rule.reason}",
            step_ids=list(rule.step_ids),
            started_by=actor,
        )
        _record_lock_change(actor=actor, action="ownership.lock", customer=customer, lock=lock, previous=current,
                            reason=reason, step_ids=rule.step_ids, details=rule.reason, rule=rule)
    return lock


def _manager_of(customer: Customer, area: BusinessArea, *, prefer_office=None) -> tuple[Officer | None, Position | None]:
    """CMA-3.3: the officer managing the customer's issue in ``area`` — the most recent officer who held a lock on
    this customer in that area — else the area's intake position."""
    excluded = _open_error_previous_officers(customer)
    recent = (
        Lock.objects.filter(customer=customer, area=area, officer__isnull=False, officer__is_active=True)
        .exclude(officer_id__in=excluded)
        .select_related("officer__position")
        .order_by("-started_at", "-id")
        .first()
    )
    if recent is not None and recent.officer.position_id and recent.officer.position.business_area_id == area.pk:
        return recent.officer, None
    return None, area_position(area, prefer_office=prefer_office)


# ---------------------------------------------------------------- referral of follow-up work


def follow_up_refer(
    *,
    actor: Any,
    customer: Customer,
    subject: str,
    details: str,
    step_ids: Iterable[str] = ("CMA-2.10",),
    associated_customer: Customer | None = None,
    to_area: BusinessArea | None = None,
):
    """CMA-2.10 / CMA-1.3: refer follow-up work by a *Client Contact Required* intray (2 working days) with a note
    of the follow-up needed.

    - no ``associated_customer``: the customer is locked to another officer/position → the intray goes to them;
    - with the ``associated_customer`` (the other parent): if they are locked to an officer, this customer is locked
      to the same officer; otherwise the intray goes to the owning area's position (``to_area`` when neither is
      locked) and this customer is locked to that position.
    """
    officer = _officer(actor, "ownership.refer_follow_up", "refer follow-up work", ("CMA-2.10",))
    subject = str(subject or "").strip()
    details = str(details or "").strip()
    problems = {}
    if not subject:
        problems["subject"] = ["A subject is required."]
    if not details:
        problems["details"] = ["Note the follow-up needed."]
    if problems:
        raise InvalidInput("Say what follow-up is needed.", fields=problems)
    steps = _steps(step_ids)
    with transaction.atomic():
        _lock_customer_row(customer)
        own = selectors.active_lock(customer=customer)
        new_lock = None
        if associated_customer is None:
            if own is None:
                raise TransitionRefused(
                    "The customer is not locked: lock them yourself to manage the issue instead of referring it.",
                    step_ids=("CMA-2.10",),
                )
            if own.officer_id == officer.pk:
                raise TransitionRefused("You hold this customer's lock: there is nobody to refer to.",
                                        step_ids=("CMA-2.10",))
            to_officer, to_position = own.officer, (None if own.officer_id else own.position)
        else:
            if associated_customer.pk == customer.pk:
                raise InvalidInput("The associated customer is another customer.",
                                   fields={"associated_customer": ["Choose the other parent."]})
            other = selectors.active_lock(customer=associated_customer)
            if other is not None and other.officer_id:
                to_officer, to_position, area = other.officer, None, other.area
            else:
                if other is not None:
                    area = other.area
                elif to_area is not None:
                    area = to_area
                else:
                    raise InvalidInput(
                        "Neither customer is locked: name the owning business area to refer to.",
                        fields={"to_area": ["Required when the other customer is not locked."]},
                    )
                to_officer, to_position = None, (other.position if other is not None else
                                                 area_position(area, prefer_office=officer.office))
            if own is None:
                new_lock = _insert_lock(
                    customer=customer,
                    area=area,
                    position=to_officer.position if to_officer is not None else to_position,
                    officer=to_officer,
                    kind=LockKind.REFERRAL,
                    reason=f"Follow-up referred: {subject}",
                    step_ids=list(steps),
                    started_by=actor,
                )
            elif not (
                (to_officer is not None and own.officer_id == to_officer.pk)
                or (to_officer is None and own.officer_id is None and own.position_id == to_position.pk)
            ):
                raise Conflict(
                    f"This customer is locked to {own.holder_label}: refer the follow-up to them.",
                    step_ids=("CMA-2.10",),
                    extra=_holder_extra(own),
                )
        intray = _notify(
            actor=actor,
            type_code="client_contact_required",
            customer=customer,
            subject=subject,
            details=details,
            to_lock=None,
            officer=to_officer,
            position=to_position,
            reason=subject,
            step_ids=steps,
        )
        _follow_up_note(actor=actor, customer=customer, subject=subject, details=details, intray=intray, steps=steps)
        # Issue 11: the receiver (the locked officer, or every officer holding the position) is told.
        _tell(actor=actor, kind=NotificationKind.WORK_RECEIVED, officer=to_officer, position=to_position,
              text=f"{customer.csid}: follow-up referred to you by {officer.display_name}: {subject}"[:300],
              key=f"intray:{intray.pk}:received", intray=intray, customer=customer, step_ids=steps)
        audit_record(
            actor=actor,
            action="ownership.follow_up_refer",
            target=intray,
            after={
                "intray": intray.pk,
                "to_officer": to_officer.user.username if to_officer is not None else None,
                "to_position": to_position.code if to_position is not None else None,
                "lock": _lock_snapshot(new_lock),
                "associated_customer": associated_customer.pk if associated_customer is not None else None,
            },
            reason=subject,
            step_ids=steps,
            customer=customer,
        )
        if new_lock is not None:
            audit_record(
                actor=actor,
                action="ownership.lock",
                target=new_lock,
                after=_lock_snapshot(new_lock),
                reason=new_lock.reason,
                step_ids=steps,
                customer=customer,
            )
    return intray


def _follow_up_note(*, actor, customer, subject, details, intray, steps) -> None:
    from casework.customers.services import note_add

    note_add(
        actor=actor,
        customer=customer,
        subject=f"Follow-up referred: {subject}"[:200],
        body=details,
        ref=intray,
        step_ids=steps,
    )


# ---------------------------------------------------------------- error identified (CMA-1.3)


def error_identified(
    *,
    actor: Any,
    customer: Customer,
    description: str,
    resolvable_in_real_time: bool,
    previous_officer: Officer | None = None,
    feedback: str = "",
) -> ErrorReport:
    """CMA-1.3: resolve in real time; else refer the follow-up to the locked officer, or lock to yourself (never
    back to the previous officer). Optional internal feedback to the previous officer is recorded."""
    officer = _officer(actor, "ownership.record_error", "record errors", ("CMA-1.3",))
    description = _reason(description, "description")
    with transaction.atomic():
        _lock_customer_row(customer)
        current = selectors.active_lock(customer=customer)
        decision = policy.error_handling(
            resolvable_in_real_time=resolvable_in_real_time,
            current=selectors.holder_fact(current),
            actor_officer_id=officer.pk,
            actor_area=_area_code(officer),
        )
        report = ErrorReport.objects.create(
            customer=customer,
            description=description,
            identified_by=officer,
            previous_officer=previous_officer,
            resolved_in_real_time=resolvable_in_real_time,
            outcome={"resolve": "resolved", "refer": "referred", "lock": "locked"}[decision.outcome],
            feedback=str(feedback or "").strip(),
            created_at=clock.now(),
            is_open=decision.outcome == "lock",
        )
        audit_record(
            actor=actor,
            action="ownership.error_identified",
            target=report,
            after={"outcome": decision.outcome, "previous_officer": previous_officer.pk if previous_officer else None,
                   "feedback_recorded": bool(report.feedback)},
            reason=description,
            step_ids=decision.step_ids,
            customer=customer,
        )
    if decision.outcome == "refer":
        follow_up_refer(actor=actor, customer=customer, subject="Error identified: follow-up needed",
                        details=description, step_ids=("CMA-1.3", "CMA-2.10"))
    elif decision.outcome == "lock":
        with transaction.atomic():
            lock = current if (current is not None and current.officer_id == officer.pk) else None
            if lock is None:
                if current is not None:
                    # Held by a position (not an officer): the identifying officer takes it over.
                    _end_lock(current, actor=actor, end_kind=EndKind.REPLACED, reason=description,
                              step_ids=("CMA-1.3",))
                lock = _insert_lock(
                    customer=customer,
                    area=officer.position.business_area,
                    position=officer.position,
                    officer=officer,
                    kind=LockKind.ERROR,
                    reason=f"Error identified: {description}",
                    step_ids=["CMA-1.3"],
                    started_by=actor,
                )
                audit_record(actor=actor, action="ownership.lock", target=lock, before=_lock_snapshot(current),
                             after=_lock_snapshot(lock), reason=description, step_ids=("CMA-1.3",),
                             customer=customer)
            report.lock = lock
            report.save(update_fields=["lock"])
    return report


# ---------------------------------------------------------------- transfer and disputes (CMA-1.6)


def _transfer_target(to_officer, to_position, to_area, prefer_office):
    if to_officer is not None or to_position is not None:
        area, position = _target(to_officer, to_position)
        return area, to_officer, (None if to_officer is not None else position)
    if to_area is None:
        raise InvalidInput("Name the area (or officer, or position) taking ownership.",
                           fields={"to_area": ["Required."]})
    return to_area, None, area_position(to_area, prefer_office=prefer_office)


def _considerations(expected_contact_volume: str, time_to_resolve: str) -> tuple[str, str]:
    problems = {}
    volume = str(expected_contact_volume or "").strip()
    time_ = str(time_to_resolve or "").strip()
    if not volume:
        problems["expected_contact_volume"] = ["Consider how much contact each issue will generate (CMA-1.6)."]
    if not time_:
        problems["time_to_resolve"] = ["Consider how long each issue will take to resolve (CMA-1.6)."]
    if problems:
        raise InvalidInput("Record the CMA-1.6 considerations.", fields=problems, step_ids=("CMA-1.6",))
    return volume, time_


def _move(*, actor, customer, current: Lock, area, to_officer, to_position, kind, reason, steps) -> Lock:
    _end_lock(current, actor=actor, end_kind=EndKind.REPLACED, reason=reason, step_ids=steps)
    return _insert_lock(
        customer=customer,
        area=area,
        position=to_officer.position if to_officer is not None else to_position,
        officer=to_officer,
        kind=kind,
        reason=reason,
        step_ids=list(steps),
        started_by=actor,
    )


def _tl_role(area: BusinessArea) -> str:
    """The Team Leader role of an area: PS is led by PS Team Leaders."""
    return Role.PS_TEAM_LEADER.value if area.code == selectors.PS_AREA else Role.TEAM_LEADER.value


def transfer_eligibility(area: BusinessArea):
    """Issue 11 / CMA-1.6: who accepts a transfer by agreement — a Team Leader of the other area (the area that did
    not ask)."""
    from casework.approvals.policy import Eligibility

    return Eligibility(role=_tl_role(area), area_codes=(area.code,), label=f"a Team Leader of {area.name}")


def dispute_eligibility(from_area: BusinessArea, to_area: BusinessArea):
    """Issue 11 / CMA-1.6: who decides an ownership dispute — a Team Leader of one of the two areas concerned (the
    current owner's area and the proposed area), never any Team Leader, never the officer who raised it."""
    from casework.approvals.policy import Eligibility

    roles = list(dict.fromkeys((_tl_role(from_area), _tl_role(to_area))))
    return Eligibility(role=roles[0], other_roles=tuple(roles[1:]), area_codes=(from_area.code, to_area.code),
                       label=f"a Team Leader of {from_area.name} or {to_area.name}")


def _worked_by(current: Lock, to_officer: Officer | None = None) -> list[int]:
    """Issue 11 rule 2 (review 11, finding 7): who worked a CMA-1.6 request, so does not decide it — the officer
    holding the customer's lock and the officer named to receive them."""
    return [o.user_id for o in (current.officer if current.officer_id else None, to_officer) if o is not None]


def _pending_transfer_guard(customer: Customer) -> None:
    open_row = OwnershipTransfer.objects.filter(
        customer=customer, status__in=(TransferStatus.PROPOSED, TransferStatus.ESCALATED)).first()
    if open_row is not None:
        what = ("A transfer of ownership" if open_row.status == TransferStatus.PROPOSED
                else "An ownership dispute")
        raise Conflict(f"{what} for this customer is already waiting for a Team Leader's decision.",
                       step_ids=("CMA-1.6",))


def ownership_transfer(
    *,
    actor: Any,
    customer: Customer,
    expected_contact_volume: str,
    time_to_resolve: str,
    reason: str,
    agreed_with: str = "",
    to_officer: Officer | None = None,
    to_position: Position | None = None,
    to_area: BusinessArea | None = None,
):
    """CMA-1.6: ask to transfer ownership between specialised areas by agreement (internal: never told to the
    customer). Issue 11: the agreement is the other area's — a request (``ownership_transfer`` kind) in the queue of
    that area's Team Leaders; nothing moves until one of them accepts it (``ownership_transfer_accept``). Returns
    the request for approval. ``agreed_with`` (optional): who the officer spoke to in the other area."""
    from casework.approvals.services import approval_request_create

    officer = _officer(actor, "ownership.transfer", "transfer ownership", ("CMA-1.6",))
    reason = _reason(reason)
    volume, time_ = _considerations(expected_contact_volume, time_to_resolve)
    spoke_with = str(agreed_with or "").strip()[:200]
    area, to_officer, to_position = _transfer_target(to_officer, to_position, to_area, officer.office)
    with transaction.atomic():
        _lock_customer_row(customer)
        current = selectors.active_lock(customer=customer)
        decision = policy.transfer_decision(
            current=selectors.holder_fact(current),
            to_area=selectors.area_fact(area),
            actor_area=officer.business_area.code if officer.business_area else None,
            actor_tl_areas=_tl_areas(officer),
        )
        if not decision.allowed:
            raise TransitionRefused(decision.reason, step_ids=decision.step_ids)
        _ps_guard(actor, customer, f"asked to transfer the customer to {area.name}")
        _ps_exit_guard(customer)
        _pending_transfer_guard(customer)
        # The agreement is the other area's: the sending area asks the receiving area (and vice versa).
        sending = current.area.code in ({_area_code(officer)} | _tl_areas(officer))
        accepting_area = area if sending else current.area
        transfer = OwnershipTransfer.objects.create(
            customer=customer, from_area=current.area, to_area=area, to_officer=to_officer, to_position=to_position,
            from_lock=current, status=TransferStatus.PROPOSED, expected_contact_volume=volume,
            time_to_resolve=time_, reason=reason, raised_at=clock.now(), raised_by=actor,
        )
        to_label = to_officer.display_name if to_officer is not None else (
            to_position.title if to_position is not None else area.name)
        audit_record(
            actor=actor, action="ownership.transfer_request", target=transfer, before=_lock_snapshot(current),
            after={"from_area": current.area.code, "to_area": area.code,
                   "to_officer": to_officer.pk if to_officer else None,
                   "to_position": to_position.code if to_position else None, "expected_contact_volume": volume,
                   "time_to_resolve": time_, "spoke_with": spoke_with, "accepting_area": accepting_area.code},
            reason=reason, step_ids=decision.step_ids, customer=customer,
        )
        approval = approval_request_create(
            actor=actor, kind="ownership_transfer", customer=customer, subject=transfer,
            summary=f"Transfer ownership of {customer.full_name} from {current.area.name} to {to_label}",
            reason=reason, eligibility=transfer_eligibility(accepting_area),
            payload={"from_area": current.area.code, "to_area": area.code,
                     "to_officer": to_officer.pk if to_officer else None,
                     "to_position": to_position.code if to_position else None, "expected_contact_volume": volume,
                     "time_to_resolve": time_, "spoke_with": spoke_with},
            worked_by=_worked_by(current, to_officer), step_ids=decision.step_ids)
    return approval


def _request_row(request) -> OwnershipTransfer:
    # Row lock on the transfer only (PostgreSQL refuses FOR UPDATE on the nullable side of the joined FKs).
    return OwnershipTransfer.objects.select_for_update(of=("self",)).select_related(
        "customer", "from_area", "to_area", "to_officer__position", "to_position").get(pk=int(request.subject_id))


def ownership_transfer_accept(*, request, actor: Any, data) -> Lock:
    """The ``ownership_transfer`` kind's effect (run inside ``approvals.services.approval_decide``): the other area's
    Team Leader accepted — the lock moves now and the agreement is recorded (``agreed``, binding: the CMA-1.5 rules
    applied again do not undo it, ``selectors.agreed_area``). Refused (nothing happens) when the customer's lock
    changed since the request or the customer now has an active PS record."""
    transfer = _request_row(request)
    customer = transfer.customer
    _lock_customer_row(customer)
    current = selectors.active_lock(customer=customer)
    if current is None or current.pk != transfer.from_lock_id:
        now = f"now locked to {current.holder_label}" if current is not None else "now not locked"
        raise TransitionRefused(f"The customer's ownership changed since this transfer was asked for ({now}): do not "
                                "accept it; the officer asks again if it still applies.", step_ids=("CMA-1.6",))
    _ps_exit_guard(customer)
    if transfer.to_officer_id is not None or transfer.to_position_id is not None:
        area_now, _position = _target(transfer.to_officer, transfer.to_position)  # still active, else 400
        if area_now.pk != transfer.to_area_id:
            raise TransitionRefused(f"The officer or position named has moved out of {transfer.to_area.name} since "
                                    "the transfer was asked for: do not accept it; the officer asks again.",
                                    step_ids=("CMA-1.6",))
    to_position = transfer.to_position
    if transfer.to_officer_id is None and to_position is None:
        to_position = area_position(transfer.to_area)
    decider = officer_of(actor)
    lock = _move(actor=actor, customer=customer, current=current, area=transfer.to_area,
                 to_officer=transfer.to_officer, to_position=None if transfer.to_officer_id else to_position,
                 kind=LockKind.TRANSFER, reason=transfer.reason, steps=("CMA-1.6",))
    transfer.accept()
    transfer.to_lock = lock
    transfer.decided_at, transfer.decided_by, transfer.decision = clock.now(), actor, "transfer"
    transfer.decision_reason = request.decision_reason
    transfer.agreed_with = (f"{decider.display_name} (Team Leader, {decider.business_area.name})"
                            if decider is not None and decider.business_area is not None else str(actor))[:200]
    transfer.save(update_fields=["status", "to_lock", "decided_at", "decided_by", "decision", "decision_reason",
                                 "agreed_with"])
    audit_record(
        actor=actor, action="ownership.transfer", target=transfer, before=_lock_snapshot(current),
        after={**_lock_snapshot(lock), "expected_contact_volume": transfer.expected_contact_volume,
               "time_to_resolve": transfer.time_to_resolve, "agreed_with": transfer.agreed_with,
               "requested_by": transfer.raised_by_id, "approval": request.pk},
        reason=transfer.reason, step_ids=("CMA-1.6",), customer=customer,
    )
    _notify(actor=actor, type_code="lock_taken_over", customer=customer,
            subject=f"Ownership of {customer.csid} transferred to {lock.holder_label}", details=transfer.reason,
            to_lock=current, reason=transfer.reason, step_ids=("CMA-1.6",))
    return lock


def ownership_transfer_decline(*, request, actor: Any, data) -> OwnershipTransfer:
    """The ``ownership_transfer`` kind on rejection: the other area did not accept (the reason is the decision's);
    nothing moves."""
    transfer = _request_row(request)
    transfer.decline()
    transfer.decided_at, transfer.decided_by, transfer.decision = clock.now(), actor, "keep"
    transfer.decision_reason = request.decision_reason
    transfer.save(update_fields=["status", "decided_at", "decided_by", "decision", "decision_reason"])
    audit_record(actor=actor, action="ownership.transfer_decline", target=transfer,
                 before={"status": TransferStatus.PROPOSED}, after={"status": transfer.status, "approval": request.pk},
                 reason=request.decision_reason, step_ids=("CMA-1.6",), customer=transfer.customer)
    return transfer


def ownership_request_withdrawn(*, request, actor: Any) -> OwnershipTransfer:
    """Both CMA-1.6 kinds when the officer who asked withdraws before a decision: nothing moves."""
    transfer = _request_row(request)
    before = transfer.status
    transfer.withdraw()
    transfer.decided_at, transfer.decided_by = clock.now(), actor
    transfer.decision_reason = request.decision_reason
    transfer.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    audit_record(actor=actor, action="ownership.transfer_withdraw", target=transfer, before={"status": before},
                 after={"status": transfer.status, "approval": request.pk}, reason=request.decision_reason,
                 step_ids=("CMA-1.6",), customer=transfer.customer)
    return transfer


def ownership_dispute_raise(
    *, actor: Any, customer: Customer, to_area: BusinessArea, expected_contact_volume: str, time_to_resolve: str,
    reason: str,
):
    """CMA-1.6: the areas could not agree who owns the customer → escalate to a Team Leader, who decides. Issue 11:
    the escalation is a request (``ownership_dispute`` kind) in the queue of the Team Leaders of the two areas
    concerned (not the raiser); the decision is taken on /approvals/<id>/. Returns the request for approval."""
    from casework.approvals.services import approval_request_create

    officer = _officer(actor, "ownership.raise_dispute", "escalate ownership disputes", ("CMA-1.6",))
    reason = _reason(reason)
    volume, time_ = _considerations(expected_contact_volume, time_to_resolve)
    with transaction.atomic():
        _lock_customer_row(customer)
        current = selectors.active_lock(customer=customer)
        decision = policy.transfer_decision(
            current=selectors.holder_fact(current), to_area=selectors.area_fact(to_area),
            actor_area=officer.business_area.code if officer.business_area else None,
            actor_tl_areas=_tl_areas(officer),
        )
        if not decision.allowed:
            raise TransitionRefused(decision.reason, step_ids=decision.step_ids)
        _ps_guard(actor, customer, "raised an ownership dispute")
        _pending_transfer_guard(customer)
        dispute = OwnershipTransfer.objects.create(
            customer=customer, from_area=current.area, to_area=to_area, from_lock=current,
            status=TransferStatus.ESCALATED, expected_contact_volume=volume, time_to_resolve=time_, reason=reason,
            raised_at=clock.now(), raised_by=actor,
        )
        audit_record(actor=actor, action="ownership.dispute_raise", target=dispute,
                     after={"from_area": current.area.code, "to_area": to_area.code,
                            "expected_contact_volume": volume, "time_to_resolve": time_},
                     reason=reason, step_ids=("CMA-1.6",), customer=customer)
        approval = approval_request_create(
            actor=actor, kind="ownership_dispute", customer=customer, subject=dispute,
            summary=f"Ownership dispute: {current.area.name} (owner) or {to_area.name} for {customer.full_name}",
            reason=f"{reason}\nContact volume: {volume}\nTime to resolve: {time_}",
            eligibility=dispute_eligibility(current.area, to_area),
            payload={"from_area": current.area.code, "to_area": to_area.code, "expected_contact_volume": volume,
                     "time_to_resolve": time_},
            worked_by=_worked_by(current), step_ids=("CMA-1.6",))
    return approval


def _officer_value(value: Any, field: str) -> Officer | None:
    if value in (None, "") or isinstance(value, Officer):
        return value or None
    qs = Officer.objects.select_related("user", "position__business_area", "position__office")
    found = qs.filter(pk=int(value)).first() if str(value).isdigit() else None
    found = found or qs.filter(user__username=str(value)).first()
    if found is None:
        raise InvalidInput("No such officer.", fields={field: ["Unknown officer (id or username)."]},
                           step_ids=("CMA-1.6",))
    return found


def _position_value(value: Any, field: str) -> Position | None:
    if value in (None, "") or isinstance(value, Position):
        return value or None
    qs = Position.objects.select_related("business_area", "office")
    found = qs.filter(pk=int(value)).first() if str(value).isdigit() else None
    found = found or qs.filter(code=str(value)).first()
    if found is None:
        raise InvalidInput("No such position.", fields={field: ["Unknown position (id or code)."]},
                           step_ids=("CMA-1.6",))
    return found


def dispute_clean_decision(*, request, approve: bool, data) -> dict[str, Any]:
    """The ``ownership_dispute`` decision: ``decision`` (transfer | keep) and, on transfer, optionally the officer or
    position of the proposed area who takes the customer (default: the area's intake position)."""
    data = dict(data or {})
    if not approve:
        return {"decision": "keep"}
    data["to_officer"] = _officer_value(data.get("to_officer"), "to_officer")
    data["to_position"] = _position_value(data.get("to_position"), "to_position")
    if data["decision"] == "keep":
        data["to_officer"] = data["to_position"] = None
    return data


def _close_legacy_dispute_intrays(*, actor: Any, customer: Customer, outcome: str) -> None:
    """Before issue 11 a dispute was an ``ownership_dispute`` intray in one Team Leader's queue (migration 0006 made
    each open dispute a request): the decision closes any such intray still open for the customer, so nothing stays
    open after the decision."""
    from casework.intrays.models import Intray
    from casework.intrays.services import intray_complete

    for intray in Intray.objects.filter(customer=customer, type__code="ownership_dispute",
                                        status__in=("open", "in_progress")):
        try:
            with transaction.atomic():
                intray_complete(actor=actor, intray=intray, outcome=outcome, step_ids=("CMA-1.6",))
        except DomainError:  # not closable by this Team Leader: it stays for its holder, the decision stands
            continue


def ownership_dispute_apply(*, request, actor: Any, data) -> OwnershipTransfer:
    """The ``ownership_dispute`` kind's effect (inside ``approvals.services.approval_decide``, which already checked
    the decider is a Team Leader of an area concerned and not the raiser): ``transfer`` moves the lock to the
    proposed area (or a named officer/position in it), ``keep`` leaves it; either way the decision is recorded and
    binding (``selectors.agreed_area``). The Team Leader's reason is required."""
    reason = str(request.decision_reason or "").strip()
    if not reason:  # the kind requires it (reason_required_to_approve); kept as the rule's own guard
        raise InvalidInput("Say why this area owns the customer (CMA-1.6).",
                           fields={"reason": ["A reason is required for an ownership dispute decision."]},
                           step_ids=("CMA-1.6",))
    decision = data.get("decision")
    dispute = _request_row(request)
    customer = dispute.customer
    if decision == "transfer":
        _ps_exit_guard(customer)
    _lock_customer_row(customer)
    current = selectors.active_lock(customer=customer)
    lock = None
    if decision == "transfer":
        officer = officer_of(actor)
        area, to_officer, to_position = _transfer_target(data.get("to_officer"), data.get("to_position"),
                                                         dispute.to_area, officer.office if officer else None)
        if area.pk != dispute.to_area_id:
            raise InvalidInput("The officer or position is not in the disputed area.",
                               fields={"to_officer": ["Not in the proposed area."]}, step_ids=("CMA-1.6",))
        if current is None:
            lock = _insert_lock(customer=customer, area=area,
                                position=to_officer.position if to_officer else to_position, officer=to_officer,
                                kind=LockKind.DISPUTE_DECISION, reason=reason, step_ids=["CMA-1.6"],
                                started_by=actor)
        elif current.area_id == area.pk:
            lock = current
        else:
            lock = _move(actor=actor, customer=customer, current=current, area=area, to_officer=to_officer,
                         to_position=to_position, kind=LockKind.DISPUTE_DECISION, reason=reason,
                         steps=("CMA-1.6",))
        dispute.to_officer, dispute.to_position, dispute.to_lock = to_officer, to_position, lock
    dispute.decide()
    dispute.decision = decision
    dispute.decision_reason = reason
    dispute.decided_at = clock.now()
    dispute.decided_by = actor
    dispute.save()
    audit_record(actor=actor, action="ownership.dispute_decide", target=dispute,
                 before=_lock_snapshot(current),
                 after={"decision": decision, "lock": _lock_snapshot(lock), "approval": request.pk,
                        "raised_by": dispute.raised_by_id},
                 reason=reason, step_ids=("CMA-1.6",), customer=customer)
    _close_legacy_dispute_intrays(actor=actor, customer=customer, outcome=f"Decided ({decision}): {reason}")
    if lock is not None and current is not None and lock.pk != current.pk:
        _notify(actor=actor, type_code="lock_taken_over", customer=customer,
                subject=f"Team Leader decision: {customer.csid} now owned by {lock.holder_label}",
                details=reason, to_lock=current, reason=reason, step_ids=("CMA-1.6",))
    return dispute


def ownership_dispute_keep(*, request, actor: Any, data) -> OwnershipTransfer:
    """The ``ownership_dispute`` kind on rejection: the Team Leader does not move the customer — decided ``keep``
    with the current owner (recorded and binding like an approval that keeps), with the rejection's reason."""
    dispute = _request_row(request)
    current = selectors.active_lock(customer=dispute.customer)
    dispute.decide()
    dispute.decision, dispute.decision_reason = "keep", request.decision_reason
    dispute.decided_at, dispute.decided_by = clock.now(), actor
    dispute.save(update_fields=["status", "decision", "decision_reason", "decided_at", "decided_by"])
    audit_record(actor=actor, action="ownership.dispute_decide", target=dispute, before=_lock_snapshot(current),
                 after={"decision": "keep", "lock": _lock_snapshot(current), "approval": request.pk,
                        "raised_by": dispute.raised_by_id},
                 reason=request.decision_reason, step_ids=("CMA-1.6",), customer=dispute.customer)
    _close_legacy_dispute_intrays(actor=actor, customer=dispute.customer,
                                  outcome=f"Decided (keep): {request.decision_reason}")
    return dispute


def ownership_dispute_decide(
    *, actor: Any, dispute: OwnershipTransfer, decision: str, reason: str, to_officer: Officer | None = None,
    to_position: Position | None = None,
) -> OwnershipTransfer:
    """Compatibility delegate (the /api/v1/ownership/disputes/<id>/decide/ endpoint): the Team Leader's decision is
    the dispute's request for approval, decided by ``approvals.services.approval_decide`` like any other (same
    eligibility, same queue, same effect)."""
    from casework.approvals.selectors import pending_for_subject
    from casework.approvals.services import approval_decide

    reason = _reason(reason)
    if decision not in ("transfer", "keep"):
        raise InvalidInput("Decide 'transfer' or 'keep'.", fields={"decision": ["transfer or keep"]},
                           step_ids=("CMA-1.6",))
    approval = pending_for_subject(subject=dispute, kind="ownership_dispute")
    if approval is None:
        raise TransitionRefused("This ownership dispute has already been decided.", step_ids=("CMA-1.6",))
    approval_decide(actor=actor, approval=approval, approve=True, reason=reason,
                    data={"decision": decision, "to_officer": to_officer, "to_position": to_position})
    dispute.refresh_from_db()
    return dispute


# ---------------------------------------------------------------- unlock (CMA-3.3, CMA-3.4)


def _may_unlock(officer: Officer, lock: Lock) -> bool:
    """The holder; a Team Leader **of the lock's area** (review 11, finding 3: not a Team Leader of any area); or,
    for a lock held by a position, an officer of that area."""
    if lock.officer_id == officer.pk:
        return True
    in_area = officer.business_area is not None and officer.business_area.pk == lock.area_id
    return in_area and (_is_tl(officer) or lock.officer_id is None)


def _unlock_and_apply_rules(*, actor, customer, lock: Lock, end_kind: str, reason: str, steps,
                            facts: selectors.LockFacts | None = None) -> Lock | None:
    """End the lock, then apply the ownership rules again: another outstanding specialised issue → lock to the
    officer managing it (CMA-3.3); otherwise unlocked (CMA-3.4). ``facts``: read once by the caller (issue 15)."""
    _end_lock(lock, actor=actor, end_kind=end_kind, reason=reason, step_ids=steps)
    if facts is None or facts.errors_open:
        ErrorReport.objects.filter(customer=customer, is_open=True, lock=lock).update(is_open=False,
                                                                                    closed_at=clock.now())
    rule = selectors.rule_owner(customer=customer, facts=facts)
    after = policy.unlock_decision(decision_explained=True, owner_after=rule, current_area=lock.area.code)
    new_lock = None
    if after.outcome == "relock":
        area = BusinessArea.objects.get(code=after.facts["area"])
        to_officer, to_position = _manager_of(customer, area, prefer_office=lock.position.office if lock.position_id else None)
        new_lock = _insert_lock(
            customer=customer, area=area, position=to_officer.position if to_officer else to_position,
            officer=to_officer, kind=LockKind.RELOCK, issue_id=rule.facts.get("issue_id"),
            reason=after.reason, step_ids=list(after.step_ids), started_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
    audit_record(
        actor=actor,
        action="ownership.unlock" if end_kind == EndKind.UNLOCKED else "ownership.auto_unlock",
        target=lock,
        before=_lock_snapshot(lock) | {"is_active": True},
        after={"relocked_to": _lock_snapshot(new_lock), "rule": rule.as_dict()},
        reason=reason,
        step_ids=_steps(steps, after.step_ids),
        customer=customer,
    )
    if new_lock is not None:
        audit_record(actor=actor, action="ownership.lock", target=new_lock, after=_lock_snapshot(new_lock),
                     reason=after.reason, step_ids=after.step_ids, customer=customer)
        _relock_hand_off(actor=actor, customer=customer, ended=lock, new_lock=new_lock, rule=rule)  # issue 11
    return new_lock


def _refuse_readiness(decision: Decision) -> None:
    if not decision.allowed:
        raise TransitionRefused(decision.reason, step_ids=decision.step_ids,
                                extra={"missing": decision.facts.get("missing", [])})


def _ps_finalisation_approved(customer: Customer, ps_finalisation) -> bool:
    """PS-ACT-5: the unlock is the action of this approved PS finalisation of this customer (or the associated
    customer)."""
    if ps_finalisation is None:
        return False
    from casework.ps.models import FinalisationRequest, FinalisationStatus  # PS builds on ownership: read lazily

    # The request being approved in the caller's transaction (PS-FIN-3 → PS-ACT-5): server code only.
    req = ps_finalisation
    return (
        isinstance(req, FinalisationRequest)
        and req.status == FinalisationStatus.APPROVED
        and customer.pk in (req.ps_record.customer_id, req.ps_record.associated_customer_id)
    )


def customer_unlock(
    *,
    actor: Any,
    customer: Customer,
    reason: str,
    decision_explained: bool,
    contact_attempted: bool,
    step_ids: Iterable[str] = ("CMA-3.4",),
    ps_finalisation=None,
) -> Lock | None:
    """CMA-3.4: unlock now. Every path (customer page, API, the contact's unlock step, PS finalisation) comes here
    and passes ONE readiness check (``policy.unlock_readiness``): MCA documented where required, every issue in
    scope finalised, the decision explained (stated explicitly by the officer, with whether contact was attempted),
    and no active PS record unless this is the action of an approved PS finalisation (``ps_finalisation``,
    PS-ACT-5). Then the ownership rules apply again (CMA-3.3: may re-lock to the officer of an outstanding
    specialised issue). Returns the new lock, or None when the customer is now unlocked. Not explained → refused:
    schedule the automatic unlock instead (``auto_unlock_schedule``)."""
    officer = _officer(actor, "ownership.unlock_customer", "unlock customers", ("CMA-3.4",))
    reason = _reason(reason)
    with transaction.atomic():
        # Issue 15: the row lock and the facts in one query, the current lock in one more, the rule once.
        facts = selectors.lock_facts(customer=customer, mca=True)  # with the MCA columns of the readiness check
        lock = selectors.active_lock(customer=customer, with_auto_unlock=True)
        if lock is None:
            raise TransitionRefused("The customer is not locked.", step_ids=("CMA-3.4",))
        if not _may_unlock(officer, lock):
            raise NotPermitted(
                f"Locked to {lock.holder_label}: only the holder, or a Team Leader of {lock.area.name}, may unlock.",
                step_ids=("CMA-3.4",),
            )
        readiness = policy.unlock_readiness(selectors.unlock_readiness_facts(
            customer=customer, lock=lock, decision_explained=bool(decision_explained),
            contact_attempted=bool(contact_attempted),
            ps_finalisation_approved=_ps_finalisation_approved(customer, ps_finalisation), facts=facts,
        ))
        _refuse_readiness(readiness)
        return _unlock_and_apply_rules(actor=actor, customer=customer, lock=lock, end_kind=EndKind.UNLOCKED,
                                       reason=reason, steps=_steps(step_ids, readiness.step_ids), facts=facts)


def auto_unlock_schedule(
    *,
    actor: Any,
    customer: Customer,
    letters: list,
    reason: str,
    contact_attempted: bool,
    impacted_customers: Sequence[Customer] | None = None,
    after_hours: int | None = None,
) -> AutoUnlock:
    """CMA-3.4, decision not explained: the same readiness check as ``customer_unlock`` with the officer's explicit
    statement that contact was attempted and a decision letter recorded for every impacted customer (default: this
    customer and the other parties on their cases); unlocks automatically ``AUTO_UNLOCK_AFTER_HOURS``
    (configurable) after the latest letter, once the job has checked the readiness again."""
    from casework.letters.models import Letter

    officer = _officer(actor, "ownership.unlock_customer", "schedule automatic unlocks", ("CMA-3.4",))
    reason = _reason(reason)
    ids = [getattr(x, "pk", x) for x in letters]
    rows = list(Letter.objects.filter(pk__in=ids, template_code="decision_letter"))
    if len(rows) != len(set(ids)):
        raise InvalidInput("Give decision letters recorded in the system.",
                           fields={"letters": ["Unknown letter, or not a decision letter."]}, step_ids=("CMA-3.4",))
    if impacted_customers is None:
        impacted = {customer.pk}
        for payer_id, payee_id in Case.objects.filter(Q(payer=customer) | Q(payee=customer)).values_list(
            "payer_id", "payee_id"
        ):
            impacted.update((payer_id, payee_id))
    else:
        impacted = {c.pk for c in impacted_customers} | {customer.pk}
    configured = settings.CASEWORK["AUTO_UNLOCK_AFTER_HOURS"]
    hours = after_hours if after_hours is not None else configured
    waiting = policy.auto_unlock_waiting_period(hours=hours, configured_hours=configured)
    if not waiting.allowed:
        raise InvalidInput(waiting.reason, fields={"after_hours": [f"At least {configured} hours."]},
                           step_ids=waiting.step_ids)
    with transaction.atomic():
        _lock_customer_row(customer)
        lock = selectors.active_lock(customer=customer)
        if lock is None:
            raise TransitionRefused("The customer is not locked.", step_ids=("CMA-3.4",))
        if not _may_unlock(officer, lock):
            raise NotPermitted(
                f"Locked to {lock.holder_label}: only the holder, or a Team Leader of {lock.area.name}, may unlock.",
                step_ids=("CMA-3.4",),
            )
        # CMA-3.4: only the letters of this decision count, i.e. issued while this lock is held (a letter from
        # before the lock is about an earlier decision).
        letters_check = policy.auto_unlock_letters_decision(
            impacted_customer_ids=frozenset(impacted),
            lettered_customer_ids=policy.decision_letters_of_this_lock(
                [(r.customer_id, r.issued_at) for r in rows], lock_started_at=lock.started_at),
            contact_attempted=True,
        )
        missing_ids = letters_check.facts.get("missing_customer_ids", [])
        missing_names = tuple(c.full_name for c in Customer.objects.filter(pk__in=missing_ids).order_by("pk"))
        readiness = policy.unlock_readiness(selectors.unlock_readiness_facts(
            customer=customer, lock=lock, decision_explained=False, contact_attempted=bool(contact_attempted),
            letters_missing_for=missing_names,
        ))
        if not readiness.allowed:
            raise TransitionRefused(readiness.reason, step_ids=readiness.step_ids,
                                    extra={"missing": readiness.facts.get("missing", []),
                                           "missing_customer_ids": list(missing_ids)})
        if AutoUnlock.objects.filter(lock=lock, status=AutoUnlockStatus.SCHEDULED).exists():
            raise Conflict("An automatic unlock is already scheduled for this lock.", step_ids=("CMA-3.4",))
        latest = max([r.issued_at for r in rows] + [clock.now()])
        auto = AutoUnlock.objects.create(
            customer=customer, lock=lock, due_at=latest + dt.timedelta(hours=hours),
            letter_ids=sorted(r.pk for r in rows), impacted_customer_ids=sorted(impacted), reason=reason,
            created_at=clock.now(), created_by=actor,
        )
        audit_record(actor=actor, action="ownership.auto_unlock_schedule", target=auto,
                     after={"due_at": auto.due_at, "letters": auto.letter_ids, "lock": lock.pk,
                            "impacted_customers": auto.impacted_customer_ids, "contact_attempted": True},
                     reason=reason, step_ids=readiness.step_ids, customer=customer)
    return auto


def auto_unlock_failure_record(*, auto: AutoUnlock, error: Exception) -> None:
    """The automatic unlock raised: audited ``ownership.auto_unlock_failed`` (the row stays scheduled and the next
    run retries it); the job goes on with the other customers (per-item isolation)."""
    with transaction.atomic():
        audit_record(actor=None, action="ownership.auto_unlock_failed", target=auto,
                     after={"error": f"{type(error).__name__}: {error}"[:500]},
                     reason="The automatic unlock failed; it stays scheduled for the next run.",
                     step_ids=("CMA-3.4",), customer=auto.customer)


def auto_unlock_run(*, auto: AutoUnlock) -> Lock | None:
    """Materialise one due automatic unlock (the job is the audited actor). Returns the re-lock, if any.

    CMA-3.4 is checked again now (``selectors.auto_unlock_readiness``, the same policy as every unlock): not ready
    (an issue in scope reopened or raised, MCA now required, an active PS record) → the automatic unlock is
    ``refused`` with the reason (audited ``ownership.auto_unlock_refused``), the lock stays, and the officer who
    scheduled it gets a *General Follow-up* intray saying why."""
    with transaction.atomic():
        auto = AutoUnlock.objects.select_for_update().select_related("customer", "created_by").get(pk=auto.pk)
        if auto.status != AutoUnlockStatus.SCHEDULED or auto.due_at > clock.now():
            return None
        customer = auto.customer
        _lock_customer_row(customer)
        lock = selectors.active_lock(customer=customer)
        if lock is None or lock.pk != auto.lock_id:
            auto.cancel()
            auto.completed_at = clock.now()
            auto.save(update_fields=["status", "completed_at"])
            return None
        readiness = selectors.auto_unlock_readiness(auto=auto, lock=lock)
        if not readiness.allowed:
            auto.refuse()
            auto.completed_at = clock.now()
            auto.outcome_reason = readiness.reason
            auto.save(update_fields=["status", "completed_at", "outcome_reason"])
            audit_record(actor=None, action="ownership.auto_unlock_refused", target=auto,
                         before={"status": AutoUnlockStatus.SCHEDULED},
                         after={"status": auto.status, "missing": readiness.facts.get("missing", []),
                                "lock": lock.pk},
                         reason=readiness.reason, step_ids=readiness.step_ids, customer=customer)
            scheduler = officer_of(auto.created_by)
            if scheduler is not None and scheduler.is_active:
                _notify(actor=None, type_code="general_follow_up", customer=customer,
                        subject=f"Automatic unlock of {customer.csid} not done",
                        details=f"{readiness.reason} The customer stays locked to {lock.holder_label}.",
                        to_lock=None, officer=scheduler, reason=readiness.reason, step_ids=readiness.step_ids)
            return None
        # Carried out first, so ending the lock below does not also cancel this (no longer scheduled) row.
        auto.carry_out()
        auto.completed_at = clock.now()
        auto.save(update_fields=["status", "completed_at"])
        new_lock = _unlock_and_apply_rules(
            actor=None, customer=customer, lock=lock, end_kind=EndKind.AUTO_UNLOCKED,
            reason=f"Automatic unlock after decision letter(s): {auto.reason}",
            steps=_steps(("CMA-3.4",), readiness.step_ids),
        )
    return new_lock


def _locks_changed(*, customer_ids: Iterable[int]) -> None:
    """Every set-based lock change (the automatic-unlock sweep) ends here, once per chunk, inside its transaction:
    the one place to keep a structure maintained with every lock change right for those customers. The bulk writes
    bypass ``Lock.save``, so the routing table's receivers (``routing.py``) did not see them: their rows are
    recomputed here (issue 15)."""
    customer_ids = list(customer_ids)
    if customer_ids:
        routing_rebuild(customer_ids=customer_ids)


def auto_unlocks_run(*, ids: Iterable[int], skip_locked: bool = True) -> dict[str, list[int]]:
    """Set-based ``auto_unlock_run`` for one chunk of due automatic unlocks (issue 15), in one transaction.

    The rows are read under a row lock in one query (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), their customers
    locked in one more, and their facts read set-based (``selectors.auto_unlock_chunk_facts``); each row is then
    decided by the same policy as one row alone (``policy.unlock_readiness``, ``policy.unlock_decision``). The
    plain unlocks (ready, no other specialised issue) are written set-based: the ``carry_out`` and ``Lock.end``
    transitions through ``core.fsm.bulk_transition``, the lock's other scheduled automatic unlocks cancelled, its
    error reports closed, one ``ownership.auto_unlock`` audit event per unlock and the holders' ``lock_lost``
    notifications bulk-inserted. A lock no longer the scheduled one → ``cancel`` (bulk). A refusal or a re-lock
    (rare: they create intrays and a new lock) goes through ``auto_unlock_run`` itself, in the same transaction.
    Returns the ids by outcome: ``{"unlocked", "refused", "cancelled", "relocked"}``."""
    from casework.core.audit import AuditTarget, audit_record_many
    from casework.core.context import system_actor_var
    from casework.core.fsm import bulk_transition
    from casework.notifications.services import notification_send_many

    out: dict[str, list[int]] = {"unlocked": [], "refused": [], "cancelled": [], "relocked": []}
    ids = list(ids)
    if not ids:
        return out
    with transaction.atomic():
        now = clock.now()
        autos = list(
            AutoUnlock.objects.select_for_update(of=("self",), skip_locked=skip_locked)
            # Not the customers (their CSID and name are read with their row lock below) nor the scheduler
            # (created_by: only for a refusal, which ``auto_unlock_run`` reads again).
            .filter(pk__any_of=ids, status=AutoUnlockStatus.SCHEDULED, due_at__lte=now)
            .order_by("due_at", "id")
        )
        if not autos:
            return out
        # Serialise with lockers of these customers; their CSID and name (the audit target's text, the notices).
        customers = {pk: (csid, f"{given} {family}".strip()) for pk, csid, given, family in (
            Customer.objects.select_for_update().filter(pk__any_of={a.customer_id for a in autos})
            .order_by("pk").values_list("pk", "csid", "given_names", "family_name"))}
        facts = selectors.auto_unlock_chunk_facts(autos=autos)
        cancel, unlock, one_by_one = [], [], []
        for auto in autos:
            f = facts[auto.pk]
            if f.readiness is None:
                cancel.append(auto)
                continue
            after = policy.unlock_decision(decision_explained=True, owner_after=f.rule,
                                           current_area=f.holder.area_code)
            if not f.readiness.allowed or after.outcome != "unlock":
                one_by_one.append((auto, "refused" if not f.readiness.allowed else "relocked"))
                continue
            unlock.append((auto, f, after))
        for auto in cancel:
            auto.completed_at = now
        bulk_transition(cancel, AutoUnlock.cancel, fields=["completed_at"])
        out["cancelled"] = [a.pk for a in cancel]

        carried = [auto for auto, _, _ in unlock]
        for auto in carried:
            auto.completed_at = now
        bulk_transition(carried, AutoUnlock.carry_out, fields=["completed_at"])
        label = system_actor_var.get() or "system"
        locks, events = [], []
        for auto, f, after in unlock:
            lock = f.lock
            steps = _steps(("CMA-3.4",), f.readiness.step_ids)
            lock.ended_at, lock.ended_by, lock.ended_by_label = now, None, label
            lock.end_kind = EndKind.AUTO_UNLOCKED
            lock.end_reason = f"Automatic unlock after decision letter(s): {auto.reason}"
            lock.end_step_ids = list(steps)
            locks.append(lock)
        bulk_transition(locks, Lock.end, fields=["ended_at", "ended_by", "ended_by_label", "end_kind", "end_reason",
                                                  "end_step_ids"])
        lock_ids = [lk.pk for lk in locks]
        # The lock's other automatic unlocks still scheduled no longer apply (as ``_cancel_auto_unlocks``).
        others = list(AutoUnlock.objects.select_for_update().filter(lock_id__any_of=lock_ids,
                                                                    status=AutoUnlockStatus.SCHEDULED))
        ended = {lk.pk: lk for lk in locks}
        for other in others:
            other.completed_at = ended[other.lock_id].ended_at
        bulk_transition(others, AutoUnlock.cancel, fields=["completed_at"])
        # The target as ``target=other`` gives (``AutoUnlock.__str__``), without reading its customer again.
        events += [{"actor": None, "action": "ownership.auto_unlock_cancel",
                    "target": AuditTarget("autounlock", other.pk, f"Auto-unlock of {customers[other.customer_id][0]} "
                                                                  f"at {other.due_at:%Y-%m-%d %H:%M}"),
                    "before": {"status": AutoUnlockStatus.SCHEDULED}, "after": {"status": other.status},
                    "reason": "The lock ended before the automatic unlock was due.", "step_ids": ("CMA-3.4",),
                    "customer": other.customer_id} for other in others]
        ErrorReport.objects.filter(is_open=True, lock_id__any_of=lock_ids).update(is_open=False, closed_at=now)
        for (auto, f, after), lock in zip(unlock, locks):
            # The lock is not versioned: its target as ``target=lock`` gives (``Lock.__str__``), from values.
            csid = customers[lock.customer_id][0]
            events.append({"actor": None, "action": "ownership.auto_unlock",
                           "target": AuditTarget("lock", lock.pk, f"{csid} locked to {f.holder.label}"),
                           "before": _lock_snapshot(lock, f.holder) | {"is_active": True},
                           "after": {"relocked_to": None, "rule": f.rule.as_dict()}, "reason": lock.end_reason,
                           "step_ids": _steps(lock.end_step_ids, after.step_ids), "customer": lock.customer_id})
        audit_record_many(events)
        # The holders are told (``lock_lost``), once per lock (as ``_notify_lock_holders``): the lock's officer, or
        # the active officers of its position, each an active user.
        by_position: dict[int, list[int]] = {}
        positions = {lk.position_id for lk in locks if lk.officer_id is None}
        for position_id, user_id, user_active in Officer.objects.filter(
                position_id__in=positions, is_active=True).values_list("position_id", "user_id", "user__is_active"):
            if user_id is not None and user_active:
                by_position.setdefault(position_id, []).append(user_id)
        notes = []
        for (auto, f, after), lock in zip(unlock, locks):
            holder = f.holder
            csid, name = customers[lock.customer_id]
            kind, key, steps, text = _holder_message(lock, gained=False, who=f"{name} ({csid})", label=holder.label)
            if lock.officer_id is not None:
                users = [holder.officer_user_id] if holder.officer_user_id is not None and holder.officer_user_active \
                    else []
            else:
                users = by_position.get(lock.position_id, [])
            link = f"/customers/{csid}/"
            notes += [(user_id, kind, text, link, lock.customer_id, key, steps, now) for user_id in dict.fromkeys(users)]
        notification_send_many(rows=notes)
        out["unlocked"] = [auto.pk for auto, _, _ in unlock]
        for auto, outcome in one_by_one:
            auto_unlock_run(auto=auto)
            out[outcome].append(auto.pk)
        _locks_changed(customer_ids=[lk.customer_id for lk in locks])
    return out


# ---------------------------------------------------------------- Personalised Services (PS-SPE-1/2)


def specialist_consultation_record(
    *,
    actor: Any,
    customer: Customer,
    ps_case_manager: Officer,
    summary: str,
    communication_approach: str,
    who_communicates: str,
    regular_updates: str = "",
    face_to_face: bool = False,
) -> SpecialistConsultation:
    """PS-SPE-1/2: the specialist consulted the PS Case Manager and they agreed how the decision is communicated."""
    officer = _officer(actor, "ownership.record_consultation", "record consultations", ("PS-SPE-1",))
    problems = {}
    for name, value in (("summary", summary), ("communication_approach", communication_approach),
                        ("who_communicates", who_communicates)):
        if not str(value or "").strip():
            problems[name] = ["Required (PS-SPE-2)."]
    if ps_case_manager is None or ps_case_manager.role not in PS_ROLES or not ps_case_manager.is_active:
        problems["ps_case_manager"] = ["Choose an active PS Case Manager."]
    if problems:
        raise InvalidInput("Record the consultation with the PS Case Manager.", fields=problems,
                           step_ids=("PS-SPE-1", "PS-SPE-2"))
    with transaction.atomic():
        lock = selectors.active_lock(customer=customer)
        if lock is None or lock.area.code != selectors.PS_AREA:
            raise TransitionRefused("This customer is not managed by Personalised Services: there is no Case Manager "
                                    "to consult.", step_ids=("PS-SPE-1",))
        if not (ps_case_manager.pk == lock.officer_id
                or (lock.officer_id is None and ps_case_manager.position_id == lock.position_id)):
            raise InvalidInput(
                f"Consult this customer's Case Manager ({lock.holder_label}), not another Case Manager.",
                fields={"ps_case_manager": ["Not this customer's Case Manager."]}, step_ids=("PS-SPE-1",),
            )
        consultation = SpecialistConsultation.objects.create(
            customer=customer, specialist=officer, ps_case_manager=ps_case_manager, summary=summary.strip(),
            communication_approach=communication_approach.strip(), who_communicates=who_communicates.strip(),
            regular_updates=str(regular_updates or "").strip(), face_to_face=bool(face_to_face),
            recorded_at=clock.now(),
        )
        audit_record(actor=actor, action="ownership.consultation_record", target=consultation,
                     after={"ps_case_manager": ps_case_manager.pk, "who_communicates": consultation.who_communicates,
                            "face_to_face": consultation.face_to_face},
                     reason=summary, step_ids=("PS-SPE-1", "PS-SPE-2"), customer=customer)
        # PS-SPE-1: the Case Manager controls activity on the case, so they are told of the consultation.
        _notify(actor=actor, type_code="general_follow_up", customer=customer,
                subject=f"Specialist consultation recorded for {customer.csid} by {officer.display_name}",
                details=f"{consultation.summary}\nCommunication approach: {consultation.communication_approach}\n"
                        f"Who communicates the decision: {consultation.who_communicates}",
                to_lock=None, officer=ps_case_manager, reason=summary, step_ids=("PS-SPE-1", "PS-SPE-2"))
    return consultation


def specialist_action_check(*, actor: Any, customer: Customer):
    """PS-SPE-1: the Decision for a specialist action on this customer by this officer (no writes)."""
    from .scope import consulted_case_manager, is_ps_lock

    officer = officer_of(actor)
    lock = selectors.active_lock(customer=customer)
    owner_is_ps = is_ps_lock(lock)
    # PS-SPE-1: the consultation counts only with *this customer's* Case Manager (the PS lock holder).
    consulted = consulted_case_manager(officer=officer, customer=customer, lock=lock)
    return policy.specialist_action_allowed(
        owner_is_ps=owner_is_ps,
        actor_is_ps=officer is not None and officer.role in PS_ROLES,
        consultation_recorded=consulted,
    )


def specialist_action_guard(*, actor: Any, customer: Customer) -> None:
    """Raise TransitionRefused (PS-SPE-1) unless a specialist action on this customer is allowed now."""
    decision = specialist_action_check(actor=actor, customer=customer)
    if not decision.allowed:
        raise TransitionRefused(decision.reason, step_ids=decision.step_ids)


def specialist_action_notify(*, actor: Any, customer: Customer, what: str) -> list:
    """PS-ROLE, PS-SPE-1 (issue 11): an action by an officer outside Personalised Services on a PS customer (allowed
    only after the recorded consultation, ``specialist_action_guard``) notifies the customer's Case Manager, naming
    the consultation the decision was discussed in first. Nothing for PS officers or customers not in PS. Call it
    inside the acting service's transaction, after the guard."""
    from casework.notifications.models import NotificationKind
    from casework.notifications.services import notification_send

    from .scope import is_ps_lock

    officer = officer_of(actor)
    if officer is None or officer.role in PS_ROLES:
        return []
    lock = selectors.active_lock(customer=customer)
    if not is_ps_lock(lock):
        return []
    consultations = SpecialistConsultation.objects.filter(customer=customer, specialist=officer,
                                                          recorded_at__gte=lock.started_at)
    recipients = [lock.officer] if lock.officer_id else list(
        Officer.objects.filter(position_id=lock.position_id, is_active=True, role__in=PS_ROLES))
    consultation = consultations.order_by("-recorded_at", "-pk").first()
    discussed = (f" Discussed with {consultation.ps_case_manager.display_name} first "
                 f"({clock.local_date(consultation.recorded_at, clock.office_of(officer)):%d/%m/%Y})."
                 if consultation is not None else "")
    now = clock.now()
    return notification_send(
        recipients=recipients, kind=NotificationKind.SPECIALIST_ACTION,
        text=f"{officer.display_name} ({officer.get_role_display()}) {what} on your PS customer {customer.csid}."
             f"{discussed}",
        key=f"specialist_action:{customer.pk}:{officer.pk}:{what[:40]}:{now.isoformat()}",
        link=f"/customers/{customer.csid}/", customer=customer, step_ids=("PS-SPE-1", "PS-ROLE"), exclude=[actor])


def specialist_action_allowed(*, actor: Any, customer: Customer) -> bool:
    return specialist_action_check(actor=actor, customer=customer).allowed


def open_issue_statuses() -> tuple[str, ...]:
    return (IssueStatus.OPEN, IssueStatus.REFERRED)


# ---------------------------------------------------------------- both parents (CMA-2.10) and reallocation


def parents_lock(
    *, actor: Any, customer: Customer, associated_customer: Customer, reason: str,
    step_ids: Iterable[str] = ("CMA-2.10",),
):
    """CMA-2.10: both parents need locking for one issue. One is locked to a specialist area → that area manages:
    the other parent is locked to the same holder; more than one specialist area → collaborative management (no
    lock changes, CMA-1.4); neither → the officer locks both. Returns (decision, [active lock of each])."""
    officer = _officer(actor, "ownership.lock_customer", "lock customers", ("CMA-2.10",))
    reason = _reason(reason)
    if associated_customer.pk == customer.pk:
        raise InvalidInput("The associated customer is another customer.",
                           fields={"associated_csid": ["Choose the other parent."]})
    with transaction.atomic():
        pair = sorted([customer, associated_customer], key=lambda c: c.pk)  # fixed order: no deadlocks
        for c in pair:
            _lock_customer_row(c)
        locks = [selectors.active_lock(customer=c) for c in (customer, associated_customer)]
        decision = policy.both_parents_manager(holders=[selectors.holder_fact(lk) for lk in locks])
        steps = _steps(step_ids, decision.step_ids)
        if decision.outcome == "lock_both":
            for c in (customer, associated_customer):
                customer_lock(actor=actor, customer=c, to_officer=officer, reason=reason, step_ids=steps)
        elif decision.outcome == "specialist_area":
            holder = next(lk for lk in locks if lk is not None and lk.area.code == decision.facts["area"])
            for c, lk in zip((customer, associated_customer), locks):
                if lk is not None and lk.area_id != holder.area_id:
                    raise Conflict(
                        f"{c.full_name} is locked to {lk.holder_label}: refer the follow-up to them.",
                        step_ids=("CMA-2.10",), extra=_holder_extra(lk),
                    )
            for c, lk in zip((customer, associated_customer), locks):
                if lk is None:
                    new = _insert_lock(customer=c, area=holder.area, position=holder.position, officer=holder.officer,
                                       kind=LockKind.LOCK, reason=reason, step_ids=list(steps), started_by=actor)
                    audit_record(actor=actor, action="ownership.lock", target=new, after=_lock_snapshot(new),
                                 reason=reason, step_ids=steps, customer=c)
                    _parents_work(actor=actor, customer=c, lock=new, reason=reason, steps=steps,
                                  other=associated_customer if c.pk == customer.pk else customer)
        elif decision.outcome == "collaborative":
            # CMA-1.4: no lock changes; each specialist area holding a parent gets a work item naming the other
            # parent's area, so both areas see the shared issue in their queues.
            for c, lk, other, other_lk in ((customer, locks[0], associated_customer, locks[1]),
                                           (associated_customer, locks[1], customer, locks[0])):
                _collaboration_notice(actor=actor, customer=c, lock=lk, other=other, other_lock=other_lk,
                                      reason=reason, steps=steps)
        result = [selectors.active_lock(customer=c) for c in (customer, associated_customer)]
    return decision, result


def lock_reassign(
    *, actor: Any, customer: Customer, to_officer: Officer, reason: str, step_ids: Iterable[str] = ("CMA-2.10",),
    notify: bool = True, ps_procedure: bool = False,
) -> Lock:
    """Reallocate a lock to another officer of the same business area: by the holder, an officer of the holding
    area, or a Team Leader of that area. The previous holder is notified unless ``notify=False`` (a planned hand-over
    the holder made themselves, e.g. a PS finalisation request, PS-FIN-2).

    A customer with an active PS record is refused (review 11, finding 3): they move between Case Managers only by
    an approved reallocation (PS-REV-2, PS-REV-3). ``ps_procedure``: set only by ``casework.ps.integration.lock_to``
    for the PS procedure's own moves (the approved reallocation's effect, the PS-FIN-2 hand-over to the Team Leader
    and back), which the PS services check."""
    officer = _officer(actor, "ownership.lock_customer", "reallocate locks", tuple(step_ids))
    reason = _reason(reason)
    area, position = _target(to_officer, None)
    with transaction.atomic():
        _lock_customer_row(customer)
        current = selectors.active_lock(customer=customer)
        if current is None:
            raise TransitionRefused("The customer is not locked: lock them instead.", step_ids=("CMA-2.10",))
        if current.officer_id == to_officer.pk:
            return current
        if not ps_procedure and selectors.ps_record_active(customer=customer):
            raise TransitionRefused(
                "This customer is managed by Personalised Services: they move to another Case Manager only by a "
                "reallocation request the PS Team Leaders approve (and leave PS only by an approved finalisation).",
                step_ids=("PS-REV-2", "PS-REV-3", "PS-FIN-3"), extra=_holder_extra(current),
            )
        if area.pk != current.area_id:
            raise TransitionRefused(
                f"Reallocation stays within {current.area.name}; between specialised areas ownership moves by "
                "agreement (CMA-1.6).", step_ids=("CMA-2.10", "CMA-1.6"),
            )
        if not (_may_unlock(officer, current) or (officer.business_area and officer.business_area.pk == area.pk)):
            raise NotPermitted(f"Locked to {current.holder_label}: only an officer or a Team Leader of "
                               f"{current.area.name} may reallocate.", step_ids=tuple(step_ids))
        if to_officer.pk in _open_error_previous_officers(customer):
            raise TransitionRefused("Not locked back to the previous officer while their error is corrected.",
                                    step_ids=("CMA-1.3",))
        steps = _steps(step_ids)
        lock = _move(actor=actor, customer=customer, current=current, area=area, to_officer=to_officer,
                     to_position=None, kind=LockKind.TRANSFER, reason=reason, steps=steps)
        audit_record(actor=actor, action="ownership.reassign", target=lock, before=_lock_snapshot(current),
                     after=_lock_snapshot(lock), reason=reason, step_ids=steps, customer=customer)
        if notify and current.officer_id is not None:
            _notify(actor=actor, type_code="lock_taken_over", customer=customer,
                    subject=f"Customer {customer.csid} reallocated to {to_officer.display_name}", details=reason,
                    to_lock=current, reason=reason, step_ids=steps)
    return lock


# ---------------------------------------------------------------- hand-offs that arrive (issue 11)
#
# Work handed on becomes someone's work: an intray in a named officer's or position's queue (due dates from
# intrays.services.intray_create, in the receiving office's calendar) and a notification to whoever receives it
# (the officer, or every active officer holding the position).

# Intrays that are notices about ownership or decisions rather than customer work: they never follow a lock.
NOT_CUSTOMER_WORK = frozenset({"lock_taken_over", "ownership_dispute", "sla_breach", "approval_decision"})


def _holder_of(lock: Lock) -> tuple[Officer | None, Position | None]:
    return (lock.officer, None) if lock.officer_id else (None, lock.position)


def _same_holder(a: Lock | None, b: Lock | None) -> bool:
    if a is None or b is None:
        return False
    if a.officer_id or b.officer_id:
        return a.officer_id == b.officer_id
    return a.position_id == b.position_id


def _recipients(officer: Officer | None, position: Position | None) -> list[Officer]:
    """Who is told about work for an officer or a position: the officer, or every active officer in the position."""
    if officer is not None:
        return [officer]
    if position is None:
        return []
    return list(Officer.objects.filter(position=position, is_active=True).select_related("user"))


def _tell(*, actor: Any, kind: str, officer: Officer | None, position: Position | None, text: str, key: str,
          intray=None, customer: Customer, step_ids: Iterable[str]) -> list:
    """Notify the receiver of a hand-off (never the officer who handed it on)."""
    from casework.notifications.services import notification_send

    return notification_send(
        recipients=_recipients(officer, position), kind=kind, text=text, key=key,
        link=f"/work/intrays/{intray.pk}/" if intray is not None else f"/customers/{customer.csid}/",
        customer=customer, step_ids=tuple(step_ids),
        exclude=[actor] if getattr(actor, "is_authenticated", False) else [],
    )


def _area_receiver(customer: Customer, area: BusinessArea, *, prefer_office=None
                   ) -> tuple[Officer | None, Position | None]:
    """Who receives work addressed to ``area`` for this customer (CMA-1.2, CMA-2.10): the lock holder when the
    customer is locked in that area (the locked officer, or the position), else the area's intake position."""
    lock = selectors.active_lock(customer=customer)
    if lock is not None and lock.area_id == area.pk:
        return _holder_of(lock)
    return None, area_position(area, prefer_office=prefer_office)


def _take_on_common_work(*, actor: Any, customer: Customer, lock: Lock, step_ids: Iterable[str] = ("CMA-1.2",)
                         ) -> list:
    """CMA-1.2: a specialist area takes on the outstanding common activities once the customer is locked to it —
    the customer's open intrays held in common (non-specialised) areas move to the new holder, each move audited
    on the intray (``intray.reassign``), and the new holder is told once."""
    from casework.intrays.models import Intray
    from casework.intrays.policy import OPEN_STATUSES
    from casework.intrays.services import intray_follow_lock
    from casework.org.models import AreaKind

    if lock.area.kind != AreaKind.SPECIALISED:
        return []
    to_officer, to_position = _holder_of(lock)
    common = Q(assignee_officer__position__business_area__kind=AreaKind.COMMON) | Q(
        assignee_officer__isnull=True, assignee_position__business_area__kind=AreaKind.COMMON
    )
    rows = Intray.objects.filter(customer=customer, status__in=OPEN_STATUSES).filter(common).exclude(
        type__code__in=NOT_CUSTOMER_WORK
    )
    moved = []
    steps = _steps(("CMA-1.2",), step_ids)
    for intray in rows.select_related("type").order_by("id"):
        if intray.type.receiver_areas or intray.type.receiver_roles:
            continue  # a type only some areas or roles receive (e.g. PS referrals) stays where it is
        done = intray_follow_lock(
            actor=actor, intray=intray, to_officer=to_officer, to_position=to_position,
            reason=f"Customer locked to {lock.holder_label}: the specialist area takes on the outstanding common "
                   "work (CMA-1.2).", step_ids=steps,
        )
        if done is not None:
            moved.append(done)
    if moved:
        audit_record(actor=actor, action="ownership.common_work_take_on", target=lock,
                     after={"intrays": [i.pk for i in moved], "to": lock.holder_label},
                     reason="A specialist area takes on the outstanding common activities once the customer is "
                            "locked to it.", step_ids=steps, customer=customer)
        _tell(actor=actor, kind=NotificationKind.WORK_RECEIVED, officer=to_officer, position=to_position,
              text=f"{len(moved)} open intray(s) of {customer.csid} moved to you with the lock (CMA-1.2)",
              key=f"lock:{lock.pk}:common_work", intray=moved[0] if len(moved) == 1 else None, customer=customer,
              step_ids=steps)
    return moved


def specialised_issues_hand_off(
    *, actor: Any, customer: Customer, issues: Sequence, notepad: str, step_ids: Iterable[str] = ("CMA-1.2",),
) -> list[dict[str, Any]]:
    """CMA-1.2 / CMA-1.4 / CMA-1.5: specialised presenting issues raised at the point of entry that another area
    handles become that area's work when the officer leaves them (contact finalised, transferred or referred for
    follow-up).

    - one specialist area involved → a *Specialised issue referral* intray (2 working days) to the area's intake
      position, or to the lock holder when the customer is locked in that area, with the notepad of what was done
      and what is outstanding; the issue is marked referred;
    - specialised issues in several areas (collaborative management, CMA-1.4) → the area that owns by CMA-1.5 gets
      the referral (and, when nobody holds the customer, the customer is locked to it: one owner), every other area
      a *Collaborative management* intray for its own issue, so each area sees the customer in its queue.

    Every receiver is notified (REFERRAL_RECEIVED / COLLABORATION). Returns one dict per issue: issue, area,
    intray, collaborative."""
    from casework.customers.services import note_add, presenting_issue_close
    from casework.intrays.services import intray_create

    officer = _officer(actor, "ownership.refer_follow_up", "refer work to another area", ("CMA-1.2",))
    notepad = str(notepad or "").strip()
    if not notepad:
        raise InvalidInput("Note what was done and what is outstanding.", fields={"notepad": ["Required."]},
                           step_ids=("CMA-1.2",))
    issues = [i for i in issues if i.customer_id == customer.pk]
    if not issues:
        return []
    steps = _steps(step_ids, ("CMA-1.2",))
    results: list[dict[str, Any]] = []
    with transaction.atomic():
        _lock_customer_row(customer)
        facts = selectors.issue_facts(customer=customer)
        specialised_areas = {f.handling_area for f in facts if f.outstanding and f.is_specialised}
        collaborative = len(specialised_areas) > 1
        owner_area = None
        lock = selectors.active_lock(customer=customer)
        if collaborative:
            rule = selectors.rule_owner(customer=customer)
            owner_area = BusinessArea.objects.filter(code=rule.facts.get("area")).first()
            if lock is None and owner_area is not None:
                # CMA-1.4 / CMA-1.5: one owner. Nobody holds the customer: lock to the owning area's receiver.
                to_officer, to_position = _area_receiver(customer, owner_area, prefer_office=officer.office)
                lock = _insert_lock(
                    customer=customer, area=owner_area,
                    position=to_officer.position if to_officer is not None else to_position, officer=to_officer,
                    kind=LockKind.PRIORITY, issue_id=rule.facts.get("issue_id"),
                    reason=f"Collaborative customer management: {rule.reason}", step_ids=["CMA-1.4", "CMA-1.5"],
                    started_by=actor,
                )
                audit_record(actor=actor, action="ownership.lock", target=lock, after=_lock_snapshot(lock),
                             reason=lock.reason, step_ids=("CMA-1.4", "CMA-1.5"), customer=customer)
        from .scope import is_ps_lock

        ps_lock = lock if is_ps_lock(lock) else None
        for issue in issues:
            area = issue.issue_type.handling_area
            if ps_lock is not None:
                # CMA-1.7 / PS-SPE-1: Personalised Services coordinates liaison with the other areas: the work goes
                # to the Case Manager, and the issue moves only through PS.
                to_officer, to_position = _holder_of(ps_lock)
            else:
                to_officer, to_position = _area_receiver(customer, area, prefer_office=officer.office)
            partner = collaborative and owner_area is not None and area.pk != owner_area.pk and ps_lock is None
            if partner:
                type_code, kind = "collaborative_management", NotificationKind.COLLABORATION
                item_steps = _steps(("CMA-1.4", "CMA-1.5"), steps)
                subject = (f"Collaborative management: {issue.issue_type.name} for {customer.csid} "
                           f"(owned by {owner_area.name})")
                text = (f"{customer.csid}: {issue.issue_type.name} is yours under collaborative management; "
                        f"{owner_area.name} owns the customer (CMA-1.4)")
            else:
                type_code, kind = "specialised_referral", NotificationKind.REFERRAL_RECEIVED
                item_steps = steps
                subject = f"{issue.issue_type.name} referred by {officer.business_area.name} for {customer.csid}"
                text = f"{customer.csid}: {issue.issue_type.name} referred to you by {officer.display_name} (CMA-1.2)"
            others = [f for f in facts if f.outstanding and f.is_specialised and f.id != issue.pk]
            details = notepad
            if others:
                details += "\n\nOther specialised issues outstanding: " + "; ".join(
                    f"{f.type_code} ({f.handling_area})" for f in others)
            intray = intray_create(
                actor=actor, type_code=type_code, customer=customer, subject=subject, case=issue.case,
                assignee_officer=to_officer, assignee_position=None if to_officer is not None else to_position,
                issues=[issue], details=details, reason=subject, step_ids=item_steps,
            )
            if ps_lock is None:
                presenting_issue_close(
                    actor=actor, issue=issue, status=IssueStatus.REFERRED,
                    outcome=f"Referred to {area.name}: {intray.type.name} intray {intray.pk}", step_ids=item_steps,
                )
            note_add(actor=actor, customer=customer, case=issue.case, subject=f"Referred: {subject}"[:200],
                     body=details, ref=intray, step_ids=item_steps)
            _tell(actor=actor, kind=kind, officer=to_officer, position=to_position, text=text,
                  key=f"intray:{intray.pk}:received", intray=intray, customer=customer, step_ids=item_steps)
            audit_record(
                actor=actor, action="ownership.issue_refer", target=intray,
                after={"issue": issue.pk, "issue_type": issue.issue_type.code, "area": area.code,
                       "to_officer": to_officer.user.username if to_officer is not None else None,
                       "to_position": to_position.code if to_officer is None and to_position is not None else None,
                       "collaborative": partner, "owner_area": owner_area.code if owner_area is not None else None},
                reason=subject, step_ids=item_steps, customer=customer,
            )
            results.append({"issue": issue, "area": ps_lock.area if ps_lock is not None else area, "intray": intray,
                            "collaborative": partner})
    return results


def _relock_hand_off(*, actor: Any, customer: Customer, ended: Lock, new_lock: Lock, rule: Decision) -> None:
    """CMA-3.3: re-locking to the officer managing an outstanding specialised issue gives them the work — a
    *Specialised issue referral* intray for the issue, and they are notified; where both parents were held together
    for the issue (the other party's lock held by the same officer or position that just let go), the other parent
    moves to the same holder too. The specialist area takes on the outstanding common work (CMA-1.2)."""
    from casework.customers.models import PresentingIssue
    from casework.intrays.services import intray_create

    steps = ("CMA-3.3", "CMA-1.5")
    issue = PresentingIssue.objects.filter(pk=rule.facts.get("issue_id")).select_related("issue_type", "case").first()
    to_officer, to_position = _holder_of(new_lock)
    what = issue.issue_type.name if issue is not None else "Outstanding specialised issue"
    intray = intray_create(
        actor=actor if getattr(actor, "is_authenticated", False) else None, type_code="specialised_referral",
        customer=customer, subject=f"{what} outstanding: {customer.csid} locked to you (CMA-3.3)",
        case=issue.case if issue is not None else None,
        assignee_officer=to_officer, assignee_position=None if to_officer is not None else to_position,
        issues=[issue] if issue is not None else [],
        details=f"{ended.holder_label} finished their work and unlocked the customer; the ownership rules lock "
                f"them to you for the outstanding specialised issue.\n{rule.reason}",
        reason=rule.reason, step_ids=steps,
    )
    _tell(actor=actor, kind=NotificationKind.WORK_RECEIVED, officer=to_officer, position=to_position,
          text=f"{customer.csid} locked to you for the outstanding {what} (CMA-3.3)",
          key=f"lock:{new_lock.pk}:relock", intray=intray, customer=customer, step_ids=steps)
    # Both parents: the other party on the issue's case (or on the customer's cases) held by the same holder.
    cases = [issue.case] if issue is not None and issue.case_id else list(
        Case.objects.filter(Q(payer=customer) | Q(payee=customer)))
    others = {c.payee_id if c.payer_id == customer.pk else c.payer_id for c in cases} - {customer.pk}
    for other in Customer.objects.filter(pk__in=others).order_by("pk"):
        _lock_customer_row(other)
        other_lock = selectors.active_lock(customer=other)
        if not _same_holder(other_lock, ended) or _same_holder(other_lock, new_lock):
            continue
        moved = _move(actor=actor, customer=other, current=other_lock, area=new_lock.area, to_officer=to_officer,
                      to_position=to_position, kind=LockKind.RELOCK,
                      reason=f"Both parents move with the outstanding specialised issue ({what}) (CMA-3.3)",
                      steps=steps)
        audit_record(actor=actor, action="ownership.lock", target=moved, before=_lock_snapshot(other_lock),
                     after=_lock_snapshot(moved), reason=moved.reason, step_ids=steps, customer=other)
        _tell(actor=actor, kind=NotificationKind.WORK_RECEIVED, officer=to_officer, position=to_position,
              text=f"{other.csid} (the other parent) also locked to you for the outstanding {what} (CMA-3.3)",
              key=f"lock:{moved.pk}:relock", intray=intray, customer=other, step_ids=steps)


def _parents_work(*, actor: Any, customer: Customer, lock: Lock, other: Customer, reason: str, steps) -> None:
    """CMA-2.10: a parent locked to the specialist holder of the other parent's issue — that holder receives the
    work (a *Client Contact Required* intray, 2 working days) and is told; the common work follows (CMA-1.2)."""
    from casework.intrays.services import intray_create

    to_officer, to_position = _holder_of(lock)
    intray = intray_create(
        actor=actor, type_code="client_contact_required", customer=customer,
        subject=f"{customer.csid} locked to you with the other parent {other.csid} (CMA-2.10)",
        assignee_officer=to_officer, assignee_position=None if to_officer is not None else to_position,
        details=reason, reason=reason, step_ids=steps,
    )
    _tell(actor=actor, kind=NotificationKind.WORK_RECEIVED, officer=to_officer, position=to_position,
          text=f"{customer.csid} locked to you: both parents for one issue (CMA-2.10)",
          key=f"intray:{intray.pk}:received", intray=intray, customer=customer, step_ids=steps)


def _collaboration_notice(*, actor: Any, customer: Customer, lock: Lock | None, other: Customer,
                          other_lock: Lock | None, reason: str, steps) -> None:
    from casework.intrays.services import intray_create

    if lock is None or other_lock is None:
        return
    to_officer, to_position = _holder_of(lock)
    intray = intray_create(
        actor=actor, type_code="collaborative_management", customer=customer,
        subject=f"Collaborative management with {other_lock.area.name} for {customer.csid} and {other.csid}",
        assignee_officer=to_officer, assignee_position=None if to_officer is not None else to_position,
        details=f"{reason}\nThe other parent ({other.csid}) is managed by {other_lock.holder_label}.",
        reason=reason, step_ids=_steps(("CMA-1.4",), steps),
    )
    _tell(actor=actor, kind=NotificationKind.COLLABORATION, officer=to_officer, position=to_position,
          text=f"{customer.csid}: collaborative management with {other_lock.area.name} (CMA-1.4)",
          key=f"intray:{intray.pk}:received", intray=intray, customer=customer, step_ids=("CMA-1.4",))
