"""Reports and dashboards read from a PostgreSQL streaming replica when one is configured (``DATABASE_REPLICA_URL``).

Only code that runs inside ``reporting_reads()`` is routed there: a dashboard, an export, a management report. Every
other read, and every write, goes to the primary, so an officer always reads what they have just written. Without a
replica alias the context changes nothing.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from django.conf import settings

_reporting: contextvars.ContextVar[bool] = contextvars.ContextVar("reporting_reads", default=False)

REPLICA = "replica"


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def reporting_reads() -> Iterator[str]:
    """Route the reads inside this block to the replica (if configured). Yields the alias used."""
    token = _reporting.set(True)
    try:
        yield REPLICA if replica_configured() else "default"
    finally:
        _reporting.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reporting.get() and replica_configured():
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: same rows

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"
