"""Per-request (or per-job) context that the audit trail records: request id and a non-human actor label."""

from __future__ import annotations

import contextlib
import contextvars
import logging
import uuid
from collections.abc import Iterator

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
system_actor_var: contextvars.ContextVar[str] = contextvars.ContextVar("system_actor", default="")
# Inside a job the audit chain is sealed once, when the job ends, not after every chunk's commit (issue 15).
seal_deferred_var: contextvars.ContextVar[bool] = contextvars.ContextVar("seal_deferred", default=False)


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextlib.contextmanager
def _actor_context(actor: str) -> Iterator[str]:
    """A fresh request id and a non-human audited actor for the block."""
    rid = new_request_id()
    t1 = request_id_var.set(rid)
    t2 = system_actor_var.set(actor)
    try:
        yield rid
    finally:
        request_id_var.reset(t1)
        system_actor_var.reset(t2)


@contextlib.contextmanager
def job_context(job_name: str) -> Iterator[str]:
    """Run scheduled work with the job as the audited actor (e.g. ``job:auto_unlock``). The audit chain is sealed
    once when the job ends (also when it fails: what it committed is chained), not after each of its commits."""
    t = seal_deferred_var.set(True)
    try:
        with _actor_context(f"job:{job_name}") as rid:
            yield rid
    finally:
        seal_deferred_var.reset(t)
        if not seal_deferred_var.get():  # the outermost job seals
            _seal_now_or_at_commit()


def _seal_now_or_at_commit() -> None:
    from django.db import connection, transaction

    from casework.core.audit import CATCH_UP_WINDOW, audit_chain_seal

    def seal() -> None:  # a job commits thousands of events: look back past them, not only the commit window
        audit_chain_seal(window=CATCH_UP_WINDOW)

    if connection.in_atomic_block:  # a job run inside a caller's transaction: seal when that commits
        transaction.on_commit(seal, robust=True)
        return
    try:
        seal()
    except Exception:  # never hide the job's own outcome; the scheduled seal and audit_verify chain what is left
        logging.getLogger(__name__).exception("audit chain seal after the job failed")


def system_context(name: str) -> contextlib.AbstractContextManager[str]:
    """Run a system process (e.g. the bulk import) with ``system:<name>`` as the audited actor."""
    return _actor_context(f"system:{name}")
