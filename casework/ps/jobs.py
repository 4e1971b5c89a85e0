"""django-q2 scheduled work for PS. Overdue plans are already shown as overdue when read (dashboards compute it from
the due date and today); this job only notifies: a *General Follow-up* intray to the Team Leader for each plan that
passed its 21 days unapproved (PS-PSP-1), once."""

from __future__ import annotations

from django.db import transaction

from casework.core import clock
from casework.core.audit import audit_record
from casework.core.context import job_context
from casework.core.errors import DomainError

from . import integration, policy
from .models import Plan
from .services import _team_leader_for


def plan_overdue_job(batch: int = 500) -> int:
    notified = 0
    with job_context("ps.plan_overdue"):
        plans = (Plan.objects.filter(approved_at__isnull=True, overdue_notified_at__isnull=True,
                                     ps_record__is_active=True, due_on__lt=clock.now().date())
                 .select_related("ps_record__customer", "ps_record__case_manager__position__office",
                                 "ps_record__case_manager__position__team__leader")[:batch])
        for plan in plans:
            rec = plan.ps_record
            today = integration.local_today(rec.case_manager)
            state = policy.plan_due_state(due_on=plan.due_on, today=today, approved=False)
            if state.outcome != "overdue":
                continue
            tl = _team_leader_for(rec.case_manager)
            if tl is None:
                continue
            try:
                with transaction.atomic():
                    locked = Plan.objects.select_for_update().get(pk=plan.pk)
                    if locked.overdue_notified_at is not None:
                        continue
                    intray = integration.intray_create(
                        actor=None, type_code="general_follow_up", customer=rec.customer,
                        subject=f"PSP overdue: {rec.customer.full_name} ({rec.case_manager.display_name})",
                        details=state.reason, assignee_officer=tl, reason="PS plan overdue (PS-PSP-1)",
                        step_ids=("PS-PSP-1",))
                    locked.overdue_notified_at = clock.now()
                    locked.save(update_fields=["overdue_notified_at"])
                    audit_record(actor=None, action="ps_plan.overdue_notify", target=locked,
                                 after={"intray": intray.pk, "team_leader": tl.pk, "due_on": locked.due_on},
                                 step_ids=("PS-PSP-1",), customer=rec.customer_id)
                    notified += 1
            except DomainError:
                continue
    return notified
