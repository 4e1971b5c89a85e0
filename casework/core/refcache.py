"""Reference rows cached per process, invalidated on change (issue 15).

Each request used to read the same small reference tables again and again (business areas for every ownership
decision, the intray types, issue types and active areas of the forms, ...). ``cached(key, loader)`` keeps the loaded value in this process and reloads it when the key's
*version* has moved; the services that change the rows call ``invalidate(key)`` in their transaction (on commit).

The version lives in Django's cache framework (``django.core.cache.cache``). With the embedded default (locmem, one
process: ``make run``) a change is seen by the next read in that process. With several processes (gunicorn workers,
several app servers) configure a shared cache (Redis, ``CACHES``) so every process sees the bumped version on its
next read; without one, another process sees a change after ``REFCACHE_MAX_AGE`` seconds at the latest (default 60,
the bound on staleness of reference rows that change only through reference loads and administration).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

_lock = threading.Lock()
_local: dict[str, tuple[Any, float, Any]] = {}  # key -> (version, loaded at, value)
_checked: dict[str, float] = {}  # key -> when its version was last read from the cache (``recheck``)


def _version_key(key: str) -> str:
    return f"casework:refcache:{key}:version"


def _max_age() -> float:
    return float(getattr(settings, "REFCACHE_MAX_AGE", None) or os.environ.get("REFCACHE_MAX_AGE", 60))


def cached(key: str, loader: Callable[[], T], *, recheck: float = 0.0) -> T:
    """The value of ``loader()`` for ``key``, loaded once per process and again when the key's version moved (or
    after ``REFCACHE_MAX_AGE`` seconds). ``recheck`` (seconds; issue 15, call routing): the cheap recheck of a hot
    path, which reads the key's version from the cache at most that often instead of on every call (a cache read
    per call was 7 % of ``route_call``); a change made in this process is still seen at once (``invalidate`` drops
    the entry here), another process's after at most ``recheck`` seconds more."""
    now = time.monotonic()
    entry = _local.get(key)
    if recheck and entry is not None and now - _checked.get(key, -recheck) < recheck:
        return entry[2]
    version = cache.get(_version_key(key), 0)
    if entry is not None and entry[0] == version and now - entry[1] < _max_age():
        _checked[key] = now
        return entry[2]
    value = loader()
    with _lock:
        _local[key] = (version, now, value)
        _checked[key] = now
    return value


def _bump(key: str) -> None:
    try:
        cache.incr(_version_key(key))
    except ValueError:
        cache.set(_version_key(key), int(time.time() * 1000), None)
    with _lock:
        _local.pop(key, None)
        _checked.pop(key, None)


def invalidate(*keys: str) -> None:
    """The rows behind ``keys`` changed: every process reloads them on its next read (after this transaction
    commits; at once outside a transaction)."""
    for key in keys:
        _bump(key)
        transaction.on_commit(lambda key=key: _bump(key))


def watch(key: str, *models: type) -> None:
    """Invalidate ``key`` whenever a row of one of ``models`` is saved or deleted, whoever writes it (a service, the
    admin, a data migration, a test factory): ``post_save``/``post_delete`` receivers, connected once per key and
    model (idempotent). Bulk writes that bypass ``save()`` (``update()``, ``bulk_create``) must call
    ``invalidate(key)`` themselves, as ``org.services.reference_upsert`` does."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        uid = f"casework.refcache:{key}:{model._meta.label_lower}"

        def receiver(sender, key=key, **kwargs):
            invalidate(key)

        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}:save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}:delete")


def clear() -> None:
    """Forget every cached value in this process (tests: each test starts from its own rows)."""
    with _lock:
        _local.clear()
        _checked.clear()
