"""Calls into the other modules PS builds on, by their contracts (A customers, B intrays, C ownership, D letters).

Kept in one place so that the PS services read as the procedure. Every function here runs inside the caller's
transaction (the contracts' services open nested atomic blocks), so a refusal rolls the whole PS action back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from casework.core import clock
from casework.org.models import Officer, Position


def local_today(officer: Officer | None) -> dt.date:
    """Today in the officer's office time zone (Perth is not Sydney); the agency's day without one."""
    return clock.today_for(officer)


# --- C. ownership ----------------------------------------------------------------------------------------------


def _ownership():
    from casework.ownership import services

    return services


def lock_to(*, actor, customer, officer: Officer, reason: str, step_ids=(), issue=None) -> Any:
    """Lock ``customer`` to ``officer`` (PS-REF-2, PS-REV-3) through the ownership service (contract C): with the
    outstanding 'personalised_services' issue, PS owns the customer under the CMA-1.5 priority order, so a lock held
    by a lower-priority area moves; a higher-priority holder is a Conflict naming them. Within PS (reallocation
    between Case Managers, hand-over to the Team Leader at finalisation and back) the lock is reallocated within the
    area (``ownership.services.lock_reassign``) without a *Lock taken over* intray: each of those moves is a planned
    step recorded on the PS record (PS-REV-3, PS-FIN-2, PS-ACT-5), and such an intray would itself count as
    outstanding work against finalisation (PS-FIN-1). ``ps_procedure=True`` marks these as the PS procedure's own
    moves: the ownership services refuse every other path that would reallocate a PS customer or move them out of
    PS (review 11, findings 1-3)."""
    own = _ownership()
    current = active_lock(customer)
    if current is not None and current.officer_id == officer.pk:
        return current
    if current is not None and current.area.code == "PS" and officer.position_id:
        return own.lock_reassign(actor=actor, customer=customer, to_officer=officer, reason=reason,
                                 step_ids=tuple(step_ids) or ("PS-REV-3",), notify=False, ps_procedure=True)
    return own.customer_lock(actor=actor, customer=customer, to_officer=officer, reason=reason,
                             step_ids=tuple(step_ids), issue=issue, ps_procedure=True)


def unlock(*, actor, customer, reason: str, finalisation, step_ids=()) -> Any:
    """PS-ACT-5 / CMA-3.4: unlock through the ownership rules (may re-lock to another specialised owner). Only as the
    action of an approved finalisation request (``finalisation``): the ownership service refuses any other unlock
    of a customer with an active PS record; PS-FIN-1 readiness was checked when the request was approved."""
    return _ownership().customer_unlock(actor=actor, customer=customer, reason=reason, decision_explained=True,
                                        contact_attempted=True, step_ids=tuple(step_ids),
                                        ps_finalisation=finalisation)


def active_lock(customer) -> Any:
    """The customer's active lock (contract C: ``ownership.selectors.active_lock``)."""
    from casework.ownership.selectors import active_lock as ownership_active_lock

    return ownership_active_lock(customer=customer)


# --- B. intrays ------------------------------------------------------------------------------------------------


def intray_create(**kwargs) -> Any:
    from casework.intrays import services

    return services.intray_create(**kwargs)


def intray_complete(*, actor, intray, outcome: str, step_ids=()) -> Any:
    from casework.intrays import services

    return services.intray_complete(actor=actor, intray=intray, outcome=outcome, step_ids=tuple(step_ids))


def intray_may_complete(*, actor, intray) -> bool:
    """Whether the intray rules let ``actor`` complete ``intray`` (contract B: ``intrays.policy.may_complete``)."""
    from casework.intrays import policy
    from casework.intrays.services import actor_facts, intray_facts

    return policy.may_complete(intray_facts(intray, with_matters=True), actor_facts(actor)).allowed


def intray_get(pk) -> Any:
    from casework.intrays.models import Intray

    return Intray.objects.select_related("type", "customer").filter(pk=pk).first()


def open_intrays(customer) -> list:
    from casework.intrays.models import IS_OPEN, Intray

    return list(
        Intray.objects.filter(IS_OPEN, customer=customer).select_related(
            "type", "assignee_position__business_area", "assignee_officer__position__business_area"
        )
    )


def open_referral_intrays(codes) -> Any:
    from casework.intrays.models import IS_OPEN, Intray

    return (
        Intray.objects.filter(IS_OPEN, type__code__in=list(codes))
        .select_related("type", "customer", "assignee_position", "assignee_officer__user")
        .order_by("due_date", "id")
    )


def ps_intake_position(preferred_office=None) -> Position | None:
    """Where a referral lands by default (PS-REF-1): a PS team's intake position, else a PS Team Leader's seat
    (the Team Leader assigns it, PS-REF-2)."""
    from casework.org.roles import Role

    qs = Position.objects.filter(business_area__code="PS", is_active=True, code__endswith="-intake",
                                 team__isnull=False)
    if preferred_office is not None:
        qs = qs.filter(office=preferred_office)
    hit = qs.order_by("code").first()
    if hit is not None:
        return hit
    tl = Officer.objects.filter(role=Role.PS_TEAM_LEADER, is_active=True, position__isnull=False)
    if preferred_office is not None and tl.filter(position__office=preferred_office).exists():
        tl = tl.filter(position__office=preferred_office)
    tl = tl.select_related("position").order_by("id").first()
    return tl.position if tl is not None else None


def intray_reassign(**kwargs) -> Any:
    from casework.intrays import services

    return services.intray_reassign(**kwargs)


# --- D. letters ------------------------------------------------------------------------------------------------


def letter_preview(**kwargs) -> Any:
    from casework.letters import services

    return services.letter_preview(**kwargs)


def letter_issue(**kwargs) -> Any:
    from casework.letters import services

    return services.letter_issue(**kwargs)


# --- A. customers ----------------------------------------------------------------------------------------------


def presenting_issue_add(**kwargs):
    from casework.customers import services

    return services.presenting_issue_add(**kwargs)


def presenting_issue_close(**kwargs):
    from casework.customers import services

    return services.presenting_issue_close(**kwargs)


def note_add(**kwargs):
    from casework.customers import services

    return services.note_add(**kwargs)


def sensitive_indicator_add(**kwargs):
    from casework.customers import services

    return services.sensitive_indicator_add(**kwargs)
