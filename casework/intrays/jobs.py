"""Scheduled by django-q2 (reference.py creates the Schedule row). Materialises SLA breaches, which are already
visible when read (a worklist computes "overdue" from the due date and today), and notifies the Team Leader."""

from __future__ import annotations

from casework.core import clock
from casework.core.context import job_context

from . import selectors, services
from .models import Intray


def sla_breach_job(batch: int = 500) -> int:
    """Record every SLA breach once (idempotent: rows already recorded are outside the scanned index) and create an
    ``sla_breach`` intray for the Team Leader. Returns the number of breaches recorded in this run."""
    recorded = 0
    with job_context("intrays.sla_breach"):
        # The latest office-local date anywhere; each row is then checked against its own office's day by the policy.
        before = clock.latest_today()
        after = None
        while True:
            rows = selectors.sla_candidates(before=before, batch=batch, after=after)
            if not rows:
                break
            for _, pk in rows:
                did, _notice = services.intray_sla_breach_record(intray=Intray(pk=pk))
                recorded += did
            after = rows[-1]
    return recorded
