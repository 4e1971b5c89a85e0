"""django-q2 scheduled work for PS. Overdue plans are already shown as overdue when read (dashboards compute it from
the due date and today); this job only notifies: a *General Follow-up* intray to the Team Leader for each plan that
passed its 21 days unapproved (PS-PSP-1), once. Every write is ``services.plan_overdue_notify``."""

from __future__ import annotations

from casework.core import clock
from casework.core.context import job_context
from casework.core.errors import DomainError
from casework.core.services import job_items

from . import services
from .models import Plan


def _notify(plan: Plan) -> int:
    try:
        return services.plan_overdue_notify(plan=plan)
    except DomainError:
        return 0


def _customer_of(plan: Plan) -> tuple[int | None, str]:
    row = Plan.objects.filter(pk=plan.pk).values_list("ps_record__customer_id", "ps_record__customer__csid").first()
    return (row[0], row[1] or "") if row else (None, "")


def plan_overdue_job(batch: int = 500) -> int:
    notified = 0
    with job_context("ps.plan_overdue"):
        items = job_items(job="ps.plan_overdue", item_type="plan", step_ids=("PS-PSP-1",))
        # Candidates are due before the latest office day anywhere (09:00 in Sydney is still yesterday in UTC);
        # the service decides each plan on its Case Manager's office day.
        plans = Plan.objects.filter(approved_at__isnull=True, overdue_notified_at__isnull=True,
                                    ps_record__is_active=True, due_on__lt=clock.latest_today()).order_by("id")[:batch]
        for plan in plans:
            # Per-item isolation (issue 13): a refusal (DomainError) is an answer, not a failure; anything else is
            # recorded (core.JobItemFailure), skipped until its backoff time and never stops the other plans.
            outcome = items.run(plan.pk, lambda plan=plan: _notify(plan), who=lambda plan=plan: _customer_of(plan))
            if outcome.ok:
                notified += outcome.result
        # A failed plan that was approved, notified or closed since needs no retry.
        items.resolve_gone(lambda ids: Plan.objects.filter(
            pk__in=[int(i) for i in ids], approved_at__isnull=True, overdue_notified_at__isnull=True,
            ps_record__is_active=True).values_list("pk", flat=True))
    return notified
