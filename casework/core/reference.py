"""Core reference data: the django-q2 schedule of the audit chain's catch-up seal (issue 15). Idempotent."""

from __future__ import annotations

SEAL_SCHEDULE_NAME = "core.audit_chain_seal"
SEAL_SCHEDULE_FUNC = "casework.core.jobs.audit_chain_seal_job"
SEAL_EVERY_MINUTES = 1


def load(*, actor=None) -> int:  # noqa: ARG001 (the loader's signature)
    from casework.core.queue import schedule_every_minutes

    return schedule_every_minutes(name=SEAL_SCHEDULE_NAME, func=SEAL_SCHEDULE_FUNC, minutes=SEAL_EVERY_MINUTES)
