"""Scheduled jobs (django-q2). They only materialise time-based state that is already correct when read."""

from __future__ import annotations

from casework.core import clock
from casework.core.context import job_context

from .models import AutoUnlock, AutoUnlockStatus


def auto_unlock_due() -> int:
    """CMA-3.4: unlock every customer whose automatic unlock is due, as the job ``job:auto_unlock``. Idempotent.
    Returns how many customers were unlocked."""
    from .services import auto_unlock_run

    done = 0
    with job_context("auto_unlock"):
        for auto in AutoUnlock.objects.filter(status=AutoUnlockStatus.SCHEDULED, due_at__lte=clock.now()).order_by(
            "due_at", "id"
        ):
            auto_unlock_run(auto=auto)
            auto.refresh_from_db()
            done += auto.status == AutoUnlockStatus.DONE
    return done
