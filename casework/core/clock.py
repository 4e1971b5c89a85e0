"""The one source of "now". Time-based state (due, overdue, auto-unlock) is computed from this when read.

Tests move time with ``freeze(...)``; production code never calls ``timezone.now()`` directly for procedure time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

_frozen: list[dt.datetime] = []


def now() -> dt.datetime:
    if _frozen:
        return _frozen[-1]
    return timezone.now()


@contextlib.contextmanager
def freeze(moment: dt.datetime) -> Iterator[dt.datetime]:
    if timezone.is_naive(moment):
        raise ValueError("freeze() needs an aware datetime")
    _frozen.append(moment)
    try:
        yield moment
    finally:
        _frozen.pop()
