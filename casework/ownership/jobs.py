"""Scheduled jobs (django-q2). They only materialise time-based state that is already correct when read."""

from __future__ import annotations

import logging

from casework.core import clock
from casework.core.context import job_context
from casework.core.services import job_items

from .models import AutoUnlock, AutoUnlockStatus

log = logging.getLogger(__name__)


def auto_unlock_due() -> int:
    """CMA-3.4: materialise every due automatic unlock, as the job ``job:auto_unlock``. Idempotent. Each one runs
    in its own transaction (``services.auto_unlock_run`` re-checks readiness): one that fails is rolled back,
    recorded (``core.JobItemFailure``, audited ``core.job_item_failed`` and ``ownership.auto_unlock_failed``, logged)
    and left scheduled; it is retried once its backoff time has passed (skipped before), and the rest are still
    processed. Returns how many customers were unlocked; ``auto_unlock_due_report`` gives the detail."""
    return auto_unlock_due_report()["unlocked"]


def auto_unlock_due_report() -> dict:
    """The run of ``auto_unlock_due`` with its report: ``{"unlocked", "refused", "cancelled", "failed": [{"id",
    "csid", "error"}], "waiting"}`` (``waiting``: failed before and not yet due for a retry)."""
    from . import services

    report: dict = {"unlocked": 0, "refused": 0, "cancelled": 0, "failed": [], "waiting": 0}
    with job_context("auto_unlock"):
        items = job_items(job="auto_unlock", item_type="autounlock", step_ids=("CMA-3.4",))
        due = list(
            AutoUnlock.objects.filter(status=AutoUnlockStatus.SCHEDULED, due_at__lte=clock.now())
            .select_related("customer")
            .order_by("due_at", "id")
        )
        for auto in due:
            outcome = items.run(auto.pk, lambda auto=auto: services.auto_unlock_run(auto=auto),
                                customer_id=auto.customer_id, customer_csid=auto.customer.csid)
            if outcome.skipped:  # failed before: not retried before its backoff time (core.JobItemFailure)
                report["waiting"] += 1
                continue
            if not outcome.ok:
                exc = outcome.error
                report["failed"].append({"id": auto.pk, "csid": auto.customer.csid, "error": str(exc)})
                try:
                    services.auto_unlock_failure_record(auto=auto, error=exc)
                except Exception:  # recording the failure must not stop the run either
                    log.exception("could not audit the failed auto_unlock %s", auto.pk)
                continue
            auto.refresh_from_db(fields=["status"])
            if auto.status == AutoUnlockStatus.DONE:
                report["unlocked"] += 1
            elif auto.status == AutoUnlockStatus.REFUSED:
                report["refused"] += 1
            elif auto.status == AutoUnlockStatus.CANCELLED:
                report["cancelled"] += 1
        # A failed automatic unlock that another path has since cancelled or done needs no retry.
        items.resolve_gone(lambda ids: AutoUnlock.objects.filter(
            pk__in=[int(i) for i in ids], status=AutoUnlockStatus.SCHEDULED).values_list("pk", flat=True))
    return report
