"""The ownership side of ``customers.scope``: facts for ``policy.issue_change_scope`` and the PS-SPE-1 check,
registered at start-up (``apps.OwnershipConfig.ready``) so the customers and letters transitions call them."""

from __future__ import annotations

from typing import Any

from casework.core.context import system_actor_var
from casework.core.policy import Decision
from casework.customers import scope as customer_scope
from casework.customers.models import Customer, PresentingIssue
from casework.org.models import IssueType, Officer
from casework.org.roles import PS_ROLES
from casework.org.rules import officer_of

from . import policy, selectors
from .models import Lock, SpecialistConsultation


def actor_fact(actor: Any) -> policy.ActorFact:
    officer = officer_of(actor) if actor is not None else None
    if officer is None:
        return policy.ActorFact(officer_id=None, is_system=actor is None and bool(system_actor_var.get()))
    area = officer.business_area
    return policy.ActorFact(
        officer_id=officer.pk, position_id=officer.position_id, area=area.code if area else None,
        area_kind=area.kind if area else None, is_ps=officer.role in PS_ROLES,
    )


def is_ps_lock(lock: Lock | None) -> bool:
    return lock is not None and lock.area.code == selectors.PS_AREA


def consulted_case_manager(*, officer: Officer | None, customer: Customer, lock: Lock | None) -> bool:
    """PS-SPE-1: this officer recorded a consultation with *this customer's* Case Manager (the officer, or the
    position, the customer is locked to in Personalised Services) since the current PS lock began."""
    if officer is None or not is_ps_lock(lock):
        return False
    qs = SpecialistConsultation.objects.filter(customer=customer, specialist=officer,
                                               recorded_at__gte=lock.started_at)
    if lock.officer_id is not None:
        qs = qs.filter(ps_case_manager_id=lock.officer_id)
    else:
        qs = qs.filter(ps_case_manager__position_id=lock.position_id)
    return qs.exists()


def _issue_fact(*, customer: Customer, issue: PresentingIssue | None, issue_type: IssueType | None):
    if issue is not None:
        return next((f for f in selectors.issue_facts(customer=customer) if f.id == issue.pk), None)
    return policy.IssueFact(id=0, type_code=issue_type.code, kind=issue_type.kind,
                            handling_area=issue_type.handling_area.code, received_area="",
                            received_at=None, outstanding=True)


_UNREAD: Any = object()


def issue_change_check(*, actor: Any, customer: Customer, action: str, issue: PresentingIssue | None = None,
                       issue_type: IssueType | None = None, status: str = "", via: str = customer_scope.VIA_GENERIC
                       ) -> Decision:
    """Facts for ``policy.issue_change_scope`` read from the record (CMA-1.2, 1.4, 3.2, PS-SPE-1, PS-ACT-5)."""
    if issue is not None:
        return issue_change_checks(actor=actor, customer=customer, action=action, issues=(issue,), status=status,
                                   via=via)[issue.pk]
    who = actor_fact(actor)
    lock = selectors.active_lock(customer=customer)
    return policy.issue_change_scope(
        action=action, issue=_issue_fact(customer=customer, issue=None, issue_type=issue_type),
        status=str(getattr(status, "value", status) or ""), actor=who, handling=None,
        holder=selectors.holder_fact(lock), ps_owned=is_ps_lock(lock),
        consulted_case_manager=consulted_case_manager(officer=officer_of(actor) if actor is not None else None,
                                                      customer=customer, lock=lock),
        via_ps=via == customer_scope.VIA_PS,
    )


def issue_change_checks(*, actor: Any, customer: Customer, action: str, issues: Any, status: str = "",
                        via: str = customer_scope.VIA_GENERIC, lock: Any = _UNREAD,
                        rows: list[PresentingIssue] | None = None) -> dict[int, Decision]:
    """``issue_change_check`` for each of ``issues`` (issue id -> decision), with the facts they share read ONCE
    (issue 15: the contact page checks every open issue): the active lock, the customer's presenting issues and the
    PS consultation. ``lock``/``rows``: already read by the caller (the request's customer record)."""
    who = actor_fact(actor)
    if lock is _UNREAD:
        lock = selectors.active_lock(customer=customer)
    facts = selectors.issue_facts(customer=customer, rows=rows)
    by_id = {f.id: f for f in facts}
    handling: dict[Any, Decision] = {}
    if any(i.pk in by_id for i in issues):
        handling = {d.facts.get("issue_id"): d for d in policy.issue_handling(
            issues=facts, point_of_entry=who.area or "",
            locked_area=selectors.area_fact(lock.area) if lock is not None else None, areas=selectors.area_facts(),
        )}
    holder = selectors.holder_fact(lock)
    consulted = consulted_case_manager(officer=officer_of(actor) if actor is not None else None, customer=customer,
                                       lock=lock)
    status = str(getattr(status, "value", status) or "")
    return {
        issue.pk: policy.issue_change_scope(
            action=action, issue=by_id.get(issue.pk), status=status, actor=who,
            handling=handling.get(issue.pk) if issue.pk in by_id else None, holder=holder, ps_owned=is_ps_lock(lock),
            consulted_case_manager=consulted, via_ps=via == customer_scope.VIA_PS,
        )
        for issue in issues
    }


def ps_customer_action_check(*, actor: Any, customer: Customer, via: str = customer_scope.VIA_GENERIC) -> Decision:
    """PS-SPE-1 for an action or notification (e.g. a letter) on the customer; the PS services pass ``VIA_PS``."""
    if via == customer_scope.VIA_PS:
        return Decision.yes("Through Personalised Services.", "PS-SPE-1", "CMA-1.7", outcome="through_ps")
    if actor is None and system_actor_var.get():
        return Decision.yes("Scheduled work running under the job.", "PS-SPE-1", outcome="system")
    from .services import specialist_action_check

    return specialist_action_check(actor=actor, customer=customer)


def ps_customer_action_done(*, actor: Any, customer: Customer, what: str,
                            via: str = customer_scope.VIA_GENERIC) -> None:
    """PS-ROLE, PS-SPE-1: tell the Case Manager of an act by an officer outside PS (not through the PS services)."""
    if via == customer_scope.VIA_PS or actor is None:
        return
    from .services import specialist_action_notify

    specialist_action_notify(actor=actor, customer=customer, what=what)


def register() -> None:
    customer_scope.register(issue_change=issue_change_check, ps_customer_action=ps_customer_action_check,
                            ps_customer_action_done=ps_customer_action_done)
