"""Reference data of ownership: the django-q2 schedule of the automatic-unlock job (CMA-3.4). Idempotent."""

from __future__ import annotations

from django_q.models import Schedule

from casework.org.services import reference_upsert

AUTO_UNLOCK_SCHEDULE = "ownership.auto_unlock"
AUTO_UNLOCK_FUNC = "casework.ownership.jobs.auto_unlock_due"
AUTO_UNLOCK_EVERY_MINUTES = 15


def load(*, actor=None) -> int:
    _, changed = reference_upsert(
        actor=actor,
        model=Schedule,
        lookup={"name": AUTO_UNLOCK_SCHEDULE},
        values={
            "func": AUTO_UNLOCK_FUNC,
            "schedule_type": Schedule.MINUTES,
            "minutes": AUTO_UNLOCK_EVERY_MINUTES,
            "repeats": -1,
        },
        reason="Automatic unlock of customers after decision letters (CMA-3.4)",
    )
    return int(changed)
