"""PS reference data: the django-q2 schedule of the overdue-plan notification (PS-PSP-1) and the PS intray type
*Finalisation not approved* (PS-ACT-3/5, issue 11: the Case Manager's work when a Team Leader rejects a
finalisation, due in working days on their office's calendar). Idempotent."""

from __future__ import annotations

SCHEDULE_NAME = "ps.plan_overdue"
SCHEDULE_FUNC = "casework.ps.jobs.plan_overdue_job"

# code, name, SLA working days, receiver areas, step IDs (the PS-ACT-3 discussion with the Case Manager; the
# procedures give no number of days, so the decider-queue convention of 2 working days is used).
PS_INTRAY_TYPES = [
    ("ps_finalisation_not_approved", "Finalisation not approved", 2, ["PS"], ["PS-ACT-3", "PS-ACT-5"]),
]


def load(*, actor=None) -> int:
    from django_q.models import Schedule

    from casework.intrays.models import IntrayType
    from casework.org.services import reference_upsert

    changed = 0
    for code, name, sla, areas, steps in PS_INTRAY_TYPES:
        _, did = reference_upsert(
            actor=actor, model=IntrayType, lookup={"code": code},
            values={"name": name, "sla_working_days": sla, "creator_roles": [], "receiver_roles": [],
                    "receiver_areas": areas, "closer_roles": [], "is_correspondence": False, "step_ids": steps},
            reason="Reference data load (PS intray types: PS-ACT-3, PS-ACT-5)")
        changed += did
    _, created = Schedule.objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={"func": SCHEDULE_FUNC, "schedule_type": Schedule.HOURLY, "repeats": -1},
    )
    return changed + int(created)
