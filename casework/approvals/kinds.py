"""The registry of request kinds. Each app that owns what a kind changes registers it at start-up (its
``approval_kinds`` module, imported by its AppConfig.ready), so this app never imports the apps above it.

A kind says who asks, who decides and what takes effect (docs/approvals.md lists them all), and gives the callbacks
``approvals.services`` runs inside the decision's transaction:

- ``on_approve(request=, actor=, data=)`` makes the effect happen (it may raise a refusal: then nothing happens);
- ``on_reject(request=, actor=, data=)`` puts things back where they were (optional);
- ``on_withdraw(request=, actor=)`` the same when the requester withdraws (optional, defaults to ``on_reject``);
- ``clean_decision(request=, approve=, data=)`` validates what the decider must add (e.g. the PS-FIN-3 reason),
  returning the cleaned data or raising ``InvalidInput`` with field messages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from casework.core import steps as step_registry

from . import policy


@dataclass(frozen=True)
class DecisionField:
    """Something the decider gives with the decision (rendered on the decision form; ``data`` in the API)."""

    name: str
    label: str
    kind: str = "text"  # text | choice | bool | officer | position
    required_on: str = "approve"  # approve | reject | both | never
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    # For officer/position fields: the people or seats that make sense for this request, as a filter on Officer /
    # Position (e.g. {"position__business_area__code": "PS"}), or a function of the request's payload returning one.
    # Without it the picker would list every active officer in the country.
    options: Mapping[str, Any] | Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None

    def option_filter(self, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        if self.options is None:
            return {}
        return self.options(payload) if callable(self.options) else self.options


@dataclass(frozen=True)
class Kind:
    code: str
    step_ids: tuple[str, ...]
    who_asks: str
    who_decides: str
    takes_effect: str
    on_approve: Callable[..., Any]
    on_reject: Callable[..., Any] | None = None
    on_withdraw: Callable[..., Any] | None = None
    clean_decision: Callable[..., Mapping[str, Any]] | None = None
    decision_fields: tuple[DecisionField, ...] = field(default_factory=tuple)
    due_working_days: int = 2
    # Whether the decider must give a reason when approving too (a reason is always required when not approving).
    reason_required_to_approve: bool = False

    @property
    def label(self) -> str:
        return policy.KINDS[self.code]


REGISTRY: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if kind.code not in policy.KINDS:
        raise ValueError(f"unknown approval kind {kind.code!r}: add it to approvals.policy.KINDS")
    step_registry.require_all(kind.step_ids)
    REGISTRY[kind.code] = kind
    return kind


def get(code: str) -> Kind:
    try:
        return REGISTRY[code]
    except KeyError:
        raise LookupError(f"approval kind {code!r} is not registered") from None
