"""Domain errors raised by services. The API maps them to HTTP; the UI shows ``message`` to the officer.

Every refusal says why in the officer's words and names the step ID(s) of the rule that refused it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class DomainError(Exception):
    http_status = 400
    default_code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        step_ids: Iterable[str] = (),
        code: str | None = None,
        fields: Mapping[str, list[str]] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.step_ids = tuple(step_ids)
        self.code = code or self.default_code
        self.fields = dict(fields or {})
        self.extra = dict(extra or {})

    @classmethod
    def from_decision(cls, decision: Any, **kwargs: Any) -> "DomainError":
        return cls(decision.reason, step_ids=decision.step_ids, **kwargs)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"detail": self.message, "code": self.code, "step_ids": list(self.step_ids)}
        if self.fields:
            body["fields"] = self.fields
            body.update(self.fields)
        body.update(self.extra)
        return body

    def __str__(self) -> str:
        steps = ", ".join(self.step_ids)
        return f"{self.message} ({steps})" if steps else self.message


class InvalidInput(DomainError):
    """Bad input: 400 with per-field messages."""

    http_status = 400
    default_code = "invalid"


class TransitionRefused(DomainError):
    """The state machine refuses this transition now (a guard said no): 409."""

    http_status = 409
    default_code = "refused"


class Conflict(DomainError):
    """Someone else got there first (a lock is held, a stale version was saved): 409."""

    http_status = 409
    default_code = "conflict"


class NotPermitted(DomainError):
    """The officer's role or position does not allow this action: 403 with the reason."""

    http_status = 403
    default_code = "not_permitted"


class NotFound(DomainError):
    http_status = 404
    default_code = "not_found"
