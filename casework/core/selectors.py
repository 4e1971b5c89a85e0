"""Reads of core records: the failed job items (issue 13) for the jobs and the operator view."""

from __future__ import annotations

from .models import JobItemFailure


def job_item_failures_open(*, job: str | None = None, item_type: str | None = None):
    """Open (unresolved) failures, soonest next attempt first; optionally of one job / item type."""
    qs = JobItemFailure.objects.filter(resolved_at__isnull=True)
    if job is not None:
        qs = qs.filter(job=job)
    if item_type is not None:
        qs = qs.filter(item_type=item_type)
    return qs.order_by("next_attempt_at", "id")


def job_item_failure_get(*, pk: int) -> JobItemFailure | None:
    return JobItemFailure.objects.filter(pk=pk).first()
