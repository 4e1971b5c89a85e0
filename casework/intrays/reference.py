"""Intray types as data (admin-editable, audited) and the django-q2 schedule of the SLA job. Idempotent."""

from __future__ import annotations

from casework.org.roles import Role
from casework.org.services import reference_upsert

from .models import IntrayType
from .policy import TYPE_STEPS

TL = [Role.TEAM_LEADER.value, Role.PS_TEAM_LEADER.value]

# code, name, SLA working days, creator roles, receiver roles, receiver areas, closer roles, is correspondence
INTRAY_TYPES = [
    ("correspondence_received", "Correspondence received", None, [], [], [], [], True),
    ("client_contact_required", "Client Contact Required", 2, [], [], [], [], False),
    ("crg_referral_to_ps", "CRG Referral to PS", 2, [], [], ["PS"], [], False),
    ("ps_referral_tl_only", "PS Referral (TL only)", 2, TL, [], ["PS"], [], False),
    ("complaints_referral_to_ps", "Complaints referral to PS", 7, [], [], ["PS"], [], False),
    ("customer_assigned_to_ps", "Customer Assigned to PS", 7, [], [], ["PS"], [], False),
    ("client_call_back", "Client Call-back", None, [], [], [], [], False),
    ("estimate_review_required", "Estimate Review Required", None, [], [], [], [], False),
    ("general_follow_up", "General Follow-up", None, [], [], [], [], False),
    ("lock_taken_over", "Lock taken over", None, [], [], [], [], False),
    ("ownership_dispute", "Ownership dispute", None, [], TL, [], TL, False),
    ("sla_breach", "SLA breach", None, [], TL, [], [], False),
    # Issue 11: a request waiting for the eligible decider (closed by the decision, never by hand).
    ("approval_decision", "Decision requested", 2, [], [], [], [], False),
    # Issue 11: work handed on becomes someone's work. A specialised issue raised at the front line goes to its
    # area (CMA-1.2); every other area of a collaboratively managed customer gets a work item (CMA-1.4); re-locking
    # to the officer of an outstanding specialised issue gives them the work (CMA-3.3).
    ("specialised_referral", "Specialised issue referral", 2, [], [], [], [], False),
    ("collaborative_management", "Collaborative management", 2, [], [], [], [], False),
]

SLA_SCHEDULE_NAME = "intrays.sla_breach"
SLA_SCHEDULE_FUNC = "casework.intrays.jobs.sla_breach_job"
SLA_SCHEDULE_MINUTES = 15


def load(*, actor=None) -> int:
    changed = 0
    for code, name, sla, creators, receivers, areas, closers, corr in INTRAY_TYPES:
        _, did = reference_upsert(
            actor=actor,
            model=IntrayType,
            lookup={"code": code},
            values={
                "name": name,
                "sla_working_days": sla,
                "creator_roles": creators,
                "receiver_roles": receivers,
                "receiver_areas": areas,
                "closer_roles": closers,
                "is_correspondence": corr,
                "step_ids": list(TYPE_STEPS.get(code, ())),
            },
            reason="Reference data load (intray types: CMA-1.1, CMA-2.10, PS-REF-1/2, PS-CON-5, PS-REV-3)",
        )
        changed += did
    changed += schedule_load()
    return changed


def schedule_load() -> int:
    """One django-q2 Schedule row for the SLA job (created once; never duplicated)."""
    from casework.core.queue import schedule_every_minutes

    return schedule_every_minutes(name=SLA_SCHEDULE_NAME, func=SLA_SCHEDULE_FUNC, minutes=SLA_SCHEDULE_MINUTES)
