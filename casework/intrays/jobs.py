"""Scheduled by django-q2 (reference.py creates the Schedule row). Materialises SLA breaches, which are already
visible when read (a worklist computes "overdue" from the due date and today), and notifies the Team Leader."""

from __future__ import annotations

from casework.core import clock
from casework.core.context import job_context
from casework.core.services import job_items

from . import selectors, services
from .models import Intray


def _customer_of(pk: int) -> tuple[int | None, str]:
    row = Intray.objects.filter(pk=pk).values_list("customer_id", "customer__csid").first()
    return (row[0], row[1] or "") if row else (None, "")


def sla_breach_job(batch: int = 500) -> int:
    """Record every SLA breach once (idempotent: rows already recorded are outside the scanned index) and create an
    ``sla_breach`` intray for the Team Leader. Returns the number of breaches recorded in this run. One intray that
    raises never stops the others (``core.services.job_items``: recorded, retried with backoff)."""
    recorded = 0
    with job_context("intrays.sla_breach"):
        items = job_items(job="intrays.sla_breach", item_type="intray")
        # The latest office-local date anywhere; each row is then checked against its own office's day by the policy.
        before = clock.latest_today()
        after = None
        while True:
            rows = selectors.sla_candidates(before=before, batch=batch, after=after)
            if not rows:
                break
            for _, pk in rows:
                # Per-item isolation (issue 13): one intray that raises is recorded (core.JobItemFailure), skipped
                # until its backoff time, and never stops the sweep; a later success resolves the record.
                outcome = items.run(pk, lambda pk=pk: services.intray_sla_breach_record(intray=Intray(pk=pk)),
                                    who=lambda pk=pk: _customer_of(pk))
                if outcome.ok:
                    recorded += outcome.result[0]
            after = rows[-1]
        # A failed intray that was closed or recorded since needs no retry.
        items.resolve_gone(lambda ids: selectors.sla_pending_ids(ids=[int(i) for i in ids]))
    return recorded
