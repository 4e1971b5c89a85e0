"""The connection pool's health check, without a round trip on every checkout (issue 15).

Django's ``CONN_HEALTH_CHECKS`` with a pool makes psycopg_pool run ``check_connection`` (an empty query: one round
trip to PostgreSQL) every time a request takes a connection from the pool; with a loaded database server that round
trip was one of the five or six every small page paid. ``check_if_idle`` asks the server only when the connection
has not been handed out for ``DB_POOL_CHECK_IDLE_SECONDS`` (default 30; 0 = check on every checkout, as before), or
when psycopg already knows it is closed or broken. A connection the server dropped within that window (a restart
or failover) fails the one request that uses it; Django then closes it and the pool discards it, so the next
request gets a healthy one. A connection idle longer than the window (the case after a night, an idle-session kill
or a failover noticed late) is checked as before.
"""

from __future__ import annotations

import os
import threading
import time
import weakref

_seen: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def idle_seconds() -> float:
    return float(os.environ.get("DB_POOL_CHECK_IDLE_SECONDS", "30"))


def check_if_idle(conn) -> None:
    """psycopg_pool ``check`` callback: raise if the connection is not usable, else return quietly."""
    from psycopg_pool import ConnectionPool

    now = time.monotonic()
    with _lock:
        last = _seen.get(conn)
        _seen[conn] = now
    window = idle_seconds()
    if last is not None and window > 0 and now - last < window and not conn.closed and not conn.broken:
        return
    ConnectionPool.check_connection(conn)
