"""Scheduled jobs (django-q2). They only materialise time-based state that is already correct when read."""

from __future__ import annotations

import logging

from django.db.models import Q

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


CHUNK = 1000


def auto_unlock_due_report(batch: int = CHUNK) -> dict:
    """The run of ``auto_unlock_due`` with its report: ``{"unlocked", "refused", "cancelled", "failed": [{"id",
    "csid", "error"}], "waiting"}`` (``waiting``: failed before and not yet due for a retry).

    Set-based (issue 15): chunks of ``batch`` due rows in (due_at, id) keyset order, one query to find each chunk and
    one transaction to do it (``services.auto_unlocks_run``: SKIP LOCKED, the same policy per row, bulk writes, one
    audited ``ownership.auto_unlock`` per unlock). Resumable: a killed run leaves whole chunks done and the next run
    carries on with what is still scheduled. A chunk that raises is rolled back and done again one automatic unlock
    at a time (``JobItems.run_chunk`` → ``services.auto_unlock_run``): the failing one is recorded and retried later,
    the others are done."""
    from . import services

    report: dict = {"unlocked": 0, "refused": 0, "cancelled": 0, "failed": [], "waiting": 0}
    with job_context("auto_unlock"):
        items = job_items(job="auto_unlock", item_type="autounlock", step_ids=("CMA-3.4",))
        now = clock.now()
        after = None
        while True:
            qs = AutoUnlock.objects.filter(status=AutoUnlockStatus.SCHEDULED, due_at__lte=now)
            if after is not None:
                qs = qs.filter(Q(due_at__gt=after[0]) | Q(due_at=after[0], id__gt=after[1]))
            rows = list(qs.order_by("due_at", "id").values_list("due_at", "id", "customer_id",
                                                                  "customer__csid")[:batch])
            if not rows:
                break
            after = (rows[-1][0], rows[-1][1])
            live = [r for r in rows if not items.waiting(r[1])]  # failed before: not retried before its backoff
            report["waiting"] += len(rows) - len(live)
            result, outcomes = items.run_chunk(
                [pk for _, pk, _, _ in live],
                lambda ids: services.auto_unlocks_run(ids=ids),
                lambda pk: services.auto_unlock_run(auto=AutoUnlock(pk=pk)),
                who=lambda pk: next((cid, csid) for _, i, cid, csid in live if i == pk),
            )
            if result is not None:
                for key in ("unlocked", "refused", "cancelled"):
                    report[key] += len(result[key])
                report["unlocked"] += len(result["relocked"])  # done, with a re-lock (as one at a time)
                continue
            done = [pk for (_, pk, _, _), o in zip(live, outcomes) if o.ok]
            statuses = dict(AutoUnlock.objects.filter(pk__in=done).values_list("pk", "status"))
            for (_, pk, _, csid), outcome in zip(live, outcomes):
                if outcome.ok:
                    status = statuses.get(pk)
                    if status == AutoUnlockStatus.DONE:
                        report["unlocked"] += 1
                    elif status == AutoUnlockStatus.REFUSED:
                        report["refused"] += 1
                    elif status == AutoUnlockStatus.CANCELLED:
                        report["cancelled"] += 1
                    continue
                exc = outcome.error
                report["failed"].append({"id": pk, "csid": csid, "error": str(exc)})
                try:
                    services.auto_unlock_failure_record(auto=AutoUnlock.objects.select_related("customer").get(pk=pk),
                                                        error=exc)
                except Exception:  # recording the failure must not stop the run either
                    log.exception("could not audit the failed auto_unlock %s", pk)
        # A failed automatic unlock that another path has since cancelled or done needs no retry.
        items.resolve_gone(lambda ids: AutoUnlock.objects.filter(
            pk__in=[int(i) for i in ids], status=AutoUnlockStatus.SCHEDULED).values_list("pk", flat=True))
    return report
