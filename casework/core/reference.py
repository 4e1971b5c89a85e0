"""Core reference data: the django-q2 schedule of the audit chain's catch-up seal (issue 15). Idempotent."""

from __future__ import annotations

SEAL_SCHEDULE_NAME = "core.audit_chain_seal"
SEAL_SCHEDULE_FUNC = "casework.core.jobs.audit_chain_seal_job"
SEAL_EVERY_MINUTES = 1


def load(*, actor=None) -> int:  # noqa: ARG001 (the loader's signature)
    from django_q.models import Schedule

    _, created = Schedule.objects.get_or_create(
        name=SEAL_SCHEDULE_NAME,
        defaults={"func": SEAL_SCHEDULE_FUNC, "schedule_type": Schedule.MINUTES, "minutes": SEAL_EVERY_MINUTES,
                  "repeats": -1},
    )
    return int(created)
