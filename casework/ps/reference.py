"""PS reference data: the django-q2 schedule of the overdue-plan notification (PS-PSP-1). Idempotent."""

from __future__ import annotations

SCHEDULE_NAME = "ps.plan_overdue"
SCHEDULE_FUNC = "casework.ps.jobs.plan_overdue_job"


def load(*, actor=None) -> int:
    from django_q.models import Schedule

    _, created = Schedule.objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={"func": SCHEDULE_FUNC, "schedule_type": Schedule.HOURLY, "repeats": -1},
    )
    return int(created)
