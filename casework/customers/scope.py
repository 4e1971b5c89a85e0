"""Who may change a customer's presenting issues, notes and letters: checks that need the ownership rules.

The ownership rules (locks, CMA-1.2 handling, CMA-1.5 owner, PS-SPE-1 consultations) live in a higher layer
(``casework.ownership``), which registers its checks here when Django starts (``OwnershipConfig.ready``). The
transitions in this app and in ``letters`` call them, so every path that changes an issue (customer API, contacts,
PS, any view) goes through the same guard, without this app importing the layer above it. No check registered →
refused (fail closed).

``via`` names the service a change comes through; it is a server constant, never taken from a request:
``VIA_GENERIC`` (customer API, contacts, letters endpoint, screens) or ``VIA_PS`` (the Personalised Services
services: referral, stacking document, UQ140 letters, finalisation approval).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from casework.core.policy import Decision

VIA_GENERIC = "generic"
VIA_PS = "personalised_services"

ISSUE_ADD, ISSUE_CLOSE = "add", "close"

# check(actor=, customer=, issue=None, issue_type=None, action=, status="", via=) -> Decision
IssueCheck = Callable[..., Decision]
# check(actor=, customer=, via=) -> Decision (PS-SPE-1)
CustomerActionCheck = Callable[..., Decision]

# done(actor=, customer=, what=, via=) -> None (PS-ROLE, PS-SPE-1: tell the Case Manager; issue 11)
CustomerActionDone = Callable[..., Any]

_checks: dict[str, Callable[..., Any]] = {}


def register(*, issue_change: IssueCheck, ps_customer_action: CustomerActionCheck,
             ps_customer_action_done: CustomerActionDone | None = None) -> None:
    """Called once by the ownership app at start-up."""
    _checks["issue_change"] = issue_change
    _checks["ps_customer_action"] = ps_customer_action
    if ps_customer_action_done is not None:
        _checks["ps_customer_action_done"] = ps_customer_action_done


def _missing(step: str) -> Decision:
    return Decision.no("The ownership rules are not loaded: this change cannot be checked, so it is refused.", step)


def issue_change_check(
    *, actor: Any, customer: Any, action: str, issue: Any = None, issue_type: Any = None, status: str = "",
    via: str = VIA_GENERIC,
) -> Decision:
    """CMA-1.2, CMA-1.4, CMA-3.2, PS-SPE-1, PS-ACT-5: may this officer add / close this presenting issue now."""
    check = _checks.get("issue_change")
    if check is None:
        return _missing("CMA-3.2")
    return check(actor=actor, customer=customer, action=action, issue=issue, issue_type=issue_type, status=status,
                 via=via)


def ps_customer_action_check(*, actor: Any, customer: Any, via: str = VIA_GENERIC) -> Decision:
    """PS-SPE-1: an action or notification on a customer managed by Personalised Services."""
    check = _checks.get("ps_customer_action")
    if check is None:
        return _missing("PS-SPE-1")
    return check(actor=actor, customer=customer, via=via)


def ps_customer_action_done(*, actor: Any, customer: Any, what: str, via: str = VIA_GENERIC) -> None:
    """PS-ROLE, PS-SPE-1 (issue 11): an act the checks above allowed on a customer managed by Personalised Services
    was done: the Case Manager is told (when an officer outside PS did it). Call it inside the acting service's
    transaction, after the write. Nothing registered → nobody is told (a notification, not a guard)."""
    done = _checks.get("ps_customer_action_done")
    if done is not None:
        done(actor=actor, customer=customer, what=what, via=via)
