"""Per-request (or per-job) context that the audit trail records: request id and a non-human actor label."""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Iterator

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
system_actor_var: contextvars.ContextVar[str] = contextvars.ContextVar("system_actor", default="")


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


def job_context(job_name: str) -> contextlib.AbstractContextManager[str]:
    """Run scheduled work with the job as the audited actor (e.g. ``job:auto_unlock``)."""
    return _actor_context(f"job:{job_name}")


def system_context(name: str) -> contextlib.AbstractContextManager[str]:
    """Run a system process (e.g. the bulk import) with ``system:<name>`` as the audited actor."""
    return _actor_context(f"system:{name}")
