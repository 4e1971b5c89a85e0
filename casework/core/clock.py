"""The one clock: "now" and every date derived from it. Time-based state (due, overdue, auto-unlock) is computed from
this when read.

Rules (docs/architecture.md, "Time"):

* ``now()`` is an aware datetime **in UTC**, in production and in tests alike: ``freeze(moment)`` stores the moment
  converted to UTC, so a test frozen at 09:00 Sydney sees 22:00 UTC the day before, as production would.
* A *date* is always the local day of an office: ``local_today(office)``, ``local_now(office)``,
  ``local_date(moment, office)``, in ``office_zone(office)`` (the office's IANA zone, else its state's). Which office:
  the receiving position's office (intrays, correspondence), the officer's office (letters, decisions, records an
  officer makes: ``today_for(actor)``), the case manager's office (PS). ``office=None`` means the agency's zone
  (``settings.TIME_ZONE``, Canberra time).
* Never ``now().date()``, ``timezone.localdate()`` or ``date.today()`` outside this module (a test greps for them).
* Working-day arithmetic (public holidays, cut-off, due dates) is ``casework/intrays/calendar.py``, which takes its
  local day from here.

Pure apart from reading settings: no database (offices are passed in, duck-typed: ``.timezone``/``.state``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import zoneinfo
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.utils import timezone

#: A state's zone, for an office that has none recorded.
STATE_TIMEZONES = {
    "NSW": "Australia/Sydney",
    "VIC": "Australia/Melbourne",
    "QLD": "Australia/Brisbane",
    "WA": "Australia/Perth",
    "SA": "Australia/Adelaide",
    "TAS": "Australia/Hobart",
    "ACT": "Australia/Sydney",
    "NT": "Australia/Darwin",
}

_frozen: list[dt.datetime] = []


def now() -> dt.datetime:
    """The current moment, aware, in UTC."""
    if _frozen:
        return _frozen[-1]
    return timezone.now().astimezone(dt.UTC)


@contextlib.contextmanager
def freeze(moment: dt.datetime) -> Iterator[dt.datetime]:
    """Tests: make ``now()`` return ``moment`` (converted to UTC, as production stores and returns it)."""
    if timezone.is_naive(moment):
        raise ValueError("freeze() needs an aware datetime")
    utc = moment.astimezone(dt.UTC)
    _frozen.append(utc)
    try:
        yield utc
    finally:
        _frozen.pop()


@functools.lru_cache(maxsize=64)
def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def agency_zone() -> zoneinfo.ZoneInfo:
    return zone(settings.TIME_ZONE)


def office_zone(office: Any | None) -> zoneinfo.ZoneInfo:
    """The office's zone (``Office.timezone``, else its state's); the agency's zone when there is no office."""
    if office is None:
        return agency_zone()
    name = getattr(office, "timezone", "") or STATE_TIMEZONES.get(getattr(office, "state", ""), "")
    return zone(name) if name else agency_zone()


def local_now(office: Any | None) -> dt.datetime:
    """Now, as the office's wall clock shows it."""
    return now().astimezone(office_zone(office))


def local_date(moment: dt.datetime, office: Any | None) -> dt.date:
    """The office-local date of an aware moment."""
    if timezone.is_naive(moment):
        raise ValueError("local_date() needs an aware datetime")
    return moment.astimezone(office_zone(office)).date()


def local_today(office: Any | None) -> dt.date:
    """Today in the office's time zone (Perth is not Sydney, and neither is UTC)."""
    return local_date(now(), office)


def office_of(actor: Any | None) -> Any | None:
    """The office of a user, officer, position or office (duck-typed; ``None`` when there is none)."""
    obj = actor
    if obj is not None and not hasattr(obj, "position_id") and not hasattr(obj, "office_id") \
            and not hasattr(obj, "timezone"):
        obj = getattr(obj, "officer", None)  # a user (a missing officer raises an AttributeError subclass)
    if obj is not None and hasattr(obj, "position_id"):  # an officer
        obj = obj.position if obj.position_id else None
    if obj is not None and hasattr(obj, "office_id"):  # a position or team
        obj = obj.office if obj.office_id else None
    return obj if obj is not None and hasattr(obj, "timezone") else None


def today_for(actor: Any | None) -> dt.date:
    """Today where the officer works (their position's office); the agency's day for a job or an officer without a
    position."""
    return local_today(office_of(actor))


def viewer_today() -> dt.date:
    """Today in the zone the current request shows times in (``OfficerTimezoneMiddleware`` activates the signed-in
    officer's office zone); the agency's day outside a request. For display only."""
    return now().astimezone(timezone.get_current_timezone()).date()


def latest_today() -> dt.date:
    """The latest office-local date anywhere the agency has an office: an upper bound for a scheduled job's first
    query, each row then being checked against its own office's day."""
    moment = now()
    return max(moment.astimezone(zone(name)).date() for name in {*STATE_TIMEZONES.values(), settings.TIME_ZONE})
