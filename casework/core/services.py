"""Core writes: the record of failed job items (issue 13, "jobs isolate failures per item").

A scheduled job that works item by item runs each item through ``job_items(...).run(...)``: an item that raises is
recorded (``JobItemFailure``, audited ``core.job_item_failed``) in its own transaction — the item's own work was
already rolled back — and the job goes on with the others. The item is then skipped until ``next_attempt_at``
(exponential backoff, ``policy.job_retry_delay_seconds``) and retried; a later success resolves the record (audited
``core.job_item_resolved``); so does an item that no longer needs the job (``resolve_gone``, ``item_gone``). An
administrator may bring the next attempt forward (``job_item_retry_now``)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from . import clock, selectors
from .audit import audit_record
from .errors import NotFound, NotPermitted
from .models import JobItemFailure
from .policy import job_retry_delay_seconds

log = logging.getLogger(__name__)

OPS_PERMISSION = "org.manage_reference"  # Administrators (the rule lives in org.rules; core checks it by name)


def _error_text(error: BaseException) -> tuple[str, str]:
    cls = type(error)
    name = cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    return name[:200], str(error)[:300]


def job_item_failure_record(
    *,
    job: str,
    item_type: str,
    item_id: Any,
    error: BaseException,
    customer_id: int | None = None,
    customer_csid: str = "",
    step_ids: Iterable[str] = (),
) -> JobItemFailure:
    """Record (or count again) one failed item, in its own transaction; audited ``core.job_item_failed``."""
    now = clock.now()
    error_class, message = _error_text(error)
    with transaction.atomic():
        failure = (JobItemFailure.objects.select_for_update()
                   .filter(job=job, item_type=item_type, item_id=str(item_id), resolved_at__isnull=True).first())
        before = None
        if failure is None:
            failure = JobItemFailure(job=job, item_type=item_type, item_id=str(item_id), first_failed_at=now)
        else:
            before = {"attempts": failure.attempts, "next_attempt_at": failure.next_attempt_at}
        failure.attempts += 1
        failure.customer_id = customer_id if customer_id is not None else failure.customer_id
        failure.customer_csid = str(customer_csid or failure.customer_csid or "")[:32]
        failure.error_class = error_class
        failure.error_message = message
        failure.last_failed_at = now
        failure.next_attempt_at = now + dt.timedelta(seconds=job_retry_delay_seconds(failure.attempts))
        failure.save()
        audit_record(actor=None, action="core.job_item_failed", target=failure, before=before,
                     after={"job": job, "item": f"{item_type}:{item_id}", "attempts": failure.attempts,
                            "error": f"{error_class}: {message}", "next_attempt_at": failure.next_attempt_at},
                     reason="A job item failed; the job went on with the others and retries this one later.",
                     step_ids=step_ids, customer=failure.customer_id)
    return failure


def job_item_failure_resolve(*, failure: JobItemFailure, how: str = "succeeded",
                             step_ids: Iterable[str] = ()) -> JobItemFailure | None:
    """A later run did the item: the open record is resolved; audited ``core.job_item_resolved``."""
    with transaction.atomic():
        failure = JobItemFailure.objects.select_for_update().filter(pk=failure.pk, resolved_at__isnull=True).first()
        if failure is None:
            return None
        failure.resolved_at = clock.now()
        failure.resolved_how = how
        failure.save(update_fields=["resolved_at", "resolved_how"])
        audit_record(actor=None, action="core.job_item_resolved", target=failure,
                     before={"resolved_at": None}, after={"resolved_at": failure.resolved_at, "how": how,
                                                          "attempts": failure.attempts},
                     reason="The failed job item was done on a later run.", step_ids=step_ids,
                     customer=failure.customer_id)
    return failure


def job_item_retry_now(*, actor: Any, failure_id: int) -> JobItemFailure:
    """An administrator brings the next attempt of an open failure forward to now (the next run of the job retries
    it); audited ``core.job_item_retry_now``."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.has_perm(OPS_PERMISSION):
        raise NotPermitted("Only an administrator may retry a failed job item.")
    with transaction.atomic():
        failure = JobItemFailure.objects.select_for_update().filter(pk=failure_id, resolved_at__isnull=True).first()
        if failure is None:
            raise NotFound("No such open failed job item.")
        before = {"next_attempt_at": failure.next_attempt_at}
        failure.next_attempt_at = clock.now()
        failure.save(update_fields=["next_attempt_at"])
        audit_record(actor=actor, action="core.job_item_retry_now", target=failure, before=before,
                     after={"next_attempt_at": failure.next_attempt_at},
                     reason="An administrator asked for the failed job item to be retried on the next run.",
                     customer=failure.customer_id)
    return failure


@dataclass
class JobItemOutcome:
    ok: bool
    result: Any = None
    error: BaseException | None = None
    skipped: bool = False


class JobItems:
    """Per-item isolation for one run of one job (see the module docstring). Build it with ``job_items``."""

    def __init__(self, *, job: str, item_type: str, step_ids: Iterable[str] = ()) -> None:
        self.job, self.item_type, self.step_ids = job, item_type, tuple(step_ids)
        self.open = {f.item_id: f for f in selectors.job_item_failures_open(job=job, item_type=item_type)}

    def waiting(self, item_id: Any) -> bool:
        """True while the item's failure record says not before ``next_attempt_at``."""
        failure = self.open.get(str(item_id))
        return failure is not None and failure.next_attempt_at > clock.now()

    def waiting_ids(self) -> set[str]:
        now = clock.now()
        return {item_id for item_id, f in self.open.items() if f.next_attempt_at > now}

    def run(self, item_id: Any, work: Callable[[], Any], *, customer_id: int | None = None,
            customer_csid: str = "", who: Callable[[], tuple[int | None, str]] | None = None) -> JobItemOutcome:
        """Run ``work()`` for one item. Skipped (not run) while the item waits for its backoff. Raises nothing:
        an exception is logged and recorded. ``who`` may give (customer id, CSID) lazily, only on failure."""
        if self.waiting(item_id):
            return JobItemOutcome(ok=False, skipped=True)
        try:
            result = work()
        except Exception as exc:  # per-item isolation: one item never stops the others
            log.exception("job %s: %s %s failed", self.job, self.item_type, item_id)
            try:
                if who is not None and customer_id is None:
                    customer_id, customer_csid = who()
                self.open[str(item_id)] = job_item_failure_record(
                    job=self.job, item_type=self.item_type, item_id=item_id, error=exc, customer_id=customer_id,
                    customer_csid=customer_csid, step_ids=self.step_ids)
            except Exception:  # recording the failure must not stop the run either
                log.exception("job %s: could not record the failure of %s %s", self.job, self.item_type, item_id)
            return JobItemOutcome(ok=False, error=exc)
        failure = self.open.pop(str(item_id), None)
        if failure is not None:
            job_item_failure_resolve(failure=failure, step_ids=self.step_ids)
        return JobItemOutcome(ok=True, result=result)

    def run_chunk(self, item_ids: Iterable[Any], work: Callable[[list[Any]], Any], one: Callable[[Any], Any], *,
                  who: Callable[[Any], tuple[int | None, str]] | None = None) -> tuple[Any, list[JobItemOutcome]]:
        """A set-based job's chunk (issue 15): ``work(ids)`` does every item not waiting for its backoff in one
        transaction. When it raises, nothing of the chunk was written, and each item is done again alone through
        ``one(id)`` under ``run`` (so the failing item is recorded and skipped and the rest commit). Returns
        (``work``'s result or None when it failed, the outcomes of the items run one by one)."""
        ids = [i for i in item_ids if not self.waiting(i)]
        if not ids:
            return None, []
        try:
            result = work(ids)
        except Exception:  # the chunk was rolled back as a whole: isolate the failing item(s)
            log.warning("job %s: a chunk of %d %s failed; retrying its items one by one", self.job, len(ids),
                        self.item_type, exc_info=True)
            outcomes = [self.run(i, lambda i=i: one(i), who=(lambda i=i: who(i)) if who is not None else None)
                        for i in ids]
            return None, outcomes
        for i in ids:  # an item that failed before and was done now
            failure = self.open.pop(str(i), None)
            if failure is not None:
                job_item_failure_resolve(failure=failure, step_ids=self.step_ids)
        return result, []

    def resolve_gone(self, still_pending: Callable[[set[str]], Iterable[Any]]) -> int:
        """Resolve (``item_gone``) the open failures whose item no longer needs this job (done or cancelled by
        another path). ``still_pending(ids)`` returns which of the given item ids the job would still work on."""
        if not self.open:
            return 0
        pending = {str(i) for i in still_pending(set(self.open))}
        gone = [f for item_id, f in list(self.open.items()) if item_id not in pending]
        for failure in gone:
            try:
                job_item_failure_resolve(failure=failure, how="item_gone", step_ids=self.step_ids)
                self.open.pop(failure.item_id, None)
            except Exception:
                log.exception("job %s: could not resolve the failure of %s %s", self.job, self.item_type,
                              failure.item_id)
        return len(gone)


def job_items(*, job: str, item_type: str, step_ids: Iterable[str] = ()) -> JobItems:
    return JobItems(job=job, item_type=item_type, step_ids=step_ids)
