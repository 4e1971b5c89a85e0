"""Shared vocabulary of the policy layer: a decision always names the procedure steps behind it.

Policy functions are pure: plain data in, a ``Decision`` (or a richer frozen dataclass) out, no database access.
A ``Decision`` refuses to be built with a step ID that is not in the procedures' catalogue (``casework.core.steps``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import steps


@dataclass(frozen=True)
class Decision:
    """A yes/no (or which-way) answer with the officer-facing reason and the step IDs it implements."""

    allowed: bool
    reason: str
    step_ids: tuple[str, ...]
    outcome: str = ""
    facts: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "step_ids", steps.require_all(self.step_ids))

    @classmethod
    def yes(cls, reason: str, *step_ids: str, outcome: str = "", **facts: Any) -> "Decision":
        return cls(True, reason, tuple(step_ids), outcome, facts)

    @classmethod
    def no(cls, reason: str, *step_ids: str, outcome: str = "", **facts: Any) -> "Decision":
        return cls(False, reason, tuple(step_ids), outcome, facts)

    def explain(self) -> str:
        steps = ", ".join(self.step_ids)
        return f"{self.reason} ({steps})" if steps else self.reason

    def as_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "outcome": self.outcome,
            "reason": self.reason,
            "step_ids": list(self.step_ids),
            "facts": self.facts,
        }


# --- failed job items (issue 13) ------------------------------------------------------------------------------------

JOB_RETRY_BASE_SECONDS = 5 * 60
JOB_RETRY_CAP_SECONDS = 24 * 60 * 60


def job_retry_delay_seconds(attempts: int) -> int:
    """Exponential backoff for a failed job item: 5 min after the first failure, then 10, 20, 40 min... (5 min ×
    2^(attempts−1)), never more than 24 h."""
    exponent = max(attempts, 1) - 1
    if exponent >= 20:  # 5 min × 2^20 is far beyond the cap; avoid huge integers
        return JOB_RETRY_CAP_SECONDS
    return min(JOB_RETRY_BASE_SECONDS * 2**exponent, JOB_RETRY_CAP_SECONDS)
