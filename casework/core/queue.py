"""Slow side effects after commit (issue 15): a django-q2 task queued only once the service's transaction commits.

``enqueue_after_commit("casework.<app>.jobs.<func>", *args)`` registers ``transaction.on_commit(..., robust=True)``
(like the audit chain's seal): a rolled-back transaction queues nothing, and a broker that cannot take the task
never fails the officer's request (the task's scheduled sweep picks the work up). With ``Q_CLUSTER["sync"]``
(``Q_SYNC``, and always under the tests) the function runs right after the commit, in the same process, instead of
through the broker; the value is read when the task is queued, so a test or a setting override takes effect.
"""

from __future__ import annotations

import logging
import pydoc
from typing import Any

from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)


def _dispatch(func: str, args: tuple[Any, ...], task_name: str | None) -> None:
    if settings.Q_CLUSTER.get("sync"):
        target = pydoc.locate(func)
        if not callable(target):
            raise ValueError(f"No task function {func}")
        target(*args)
        return
    from django_q.tasks import async_task

    kwargs = {"task_name": task_name} if task_name else {}
    async_task(func, *args, **kwargs)


def enqueue_after_commit(func: str, *args: Any, task_name: str | None = None) -> None:
    """Queue ``func(*args)`` (a dotted path) for the job worker once the current transaction commits."""
    transaction.on_commit(lambda: _dispatch(func, args, task_name), robust=True)


def schedule_every_minutes(*, name: str, func: str, minutes: int) -> int:
    """One django-q2 Schedule row running ``func`` every ``minutes`` (created once, never duplicated; an existing
    row is left as an administrator may have tuned it). Returns 1 when it was created."""
    from django_q.models import Schedule

    _, created = Schedule.objects.get_or_create(
        name=name, defaults={"func": func, "schedule_type": Schedule.MINUTES, "minutes": minutes, "repeats": -1})
    return int(created)
