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


CHUNK = 1000


def sla_breach_job(batch: int = CHUNK) -> int:
    """Record every SLA breach once (idempotent: rows already recorded are outside the scanned index) and create an
    ``sla_breach`` intray for the Team Leader. Returns the number of breaches recorded in this run.

    Set-based (issue 15): chunks of ``batch`` intrays in (due date, id) keyset order, each chunk one query to find
    it and one transaction (``services.intray_sla_breaches_record``: row locks with SKIP LOCKED, one update, bulk
    audit events and notice intrays). Resumable: a killed run leaves whole chunks committed and the next run carries
    on from what is still pending. One intray that raises never stops the others (``JobItems.run_chunk``: the chunk
    is retried one intray at a time; the failing one is recorded and retried with backoff)."""
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
            result, outcomes = items.run_chunk(
                [pk for _, pk in rows],
                lambda ids: services.intray_sla_breaches_record(ids=ids),
                lambda pk: services.intray_sla_breach_record(intray=Intray(pk=pk)),
                who=_customer_of,
            )
            if result is not None:
                recorded += len(result[0])
            recorded += sum(o.result[0] for o in outcomes if o.ok)
            after = rows[-1]
        # A failed intray that was closed or recorded since needs no retry.
        items.resolve_gone(lambda ids: selectors.sla_pending_ids(ids=[int(i) for i in ids]))
    return recorded
