"""Working days on Australian state calendars (pure policy; the one DB read is isolated in ``office_corrections``).

Convention (documented in docs/intrays.md, tested in tests/test_calendar.py):

* The calendar is the **receiving position's office**: its state's public holidays (national + state/territory,
  from the ``holidays`` package, observed/substitute days included), minus weekends, adjusted by corrections kept as
  data (``OfficeClosure``: a day closed for the office or the whole state, or a day open despite the package).
* The local day is the office's time zone. An intray created on a non-working day, or at/after the cut-off hour
  (``CASEWORK["INTRAY_CUTOFF_HOUR"]``, default 17:00 local), counts from the **next working day**; otherwise from the
  day it was created.
* Due date = that start day advanced by N working days ("due in 2 working days": created Monday 10:00 -> due
  Wednesday). N = 0 means due on the start day.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Iterable

import holidays

from casework.core import clock
from casework.core.clock import STATE_TIMEZONES


@functools.lru_cache(maxsize=256)
def _public_holidays(state: str, year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("AU", subdiv=state, years=year).keys())


def public_holiday_name(day: dt.date, *, state: str) -> str:
    return holidays.country_holidays("AU", subdiv=state, years=day.year).get(day) or ""


def is_working_day(day: dt.date, *, state: str, closures: Iterable[dt.date] = (), openings: Iterable[dt.date] = ()) -> bool:
    """Weekends and public holidays are not working days; ``closures`` close a day, ``openings`` re-open one
    (a correction to the package). A closure wins over an opening of the same day."""
    if day in set(closures):
        return False
    if day.weekday() >= 5:
        return False
    if day in set(openings):
        return True
    return day not in _public_holidays(state, day.year)


def next_working_day(day: dt.date, *, state: str, closures: Iterable[dt.date] = (), openings: Iterable[dt.date] = ()) -> dt.date:
    """The first working day strictly after ``day``."""
    closed, opened = frozenset(closures), frozenset(openings)
    day += dt.timedelta(days=1)
    while not is_working_day(day, state=state, closures=closed, openings=opened):
        day += dt.timedelta(days=1)
    return day


def add_working_days(
    start: dt.date, n: int, *, state: str, closures: Iterable[dt.date] = (), openings: Iterable[dt.date] = ()
) -> dt.date:
    """``start`` advanced by ``n`` working days. ``start`` itself need not be a working day (then the first step
    lands on the next working day). ``n`` = 0 returns ``start``. Pure: no database."""
    if n < 0:
        raise ValueError("n must be zero or more working days")
    closed, opened = frozenset(closures), frozenset(openings)
    day = start
    for _ in range(n):
        day = next_working_day(day, state=state, closures=closed, openings=opened)
    return day


def start_day(
    local_moment: dt.datetime,
    *,
    state: str,
    cutoff_hour: int,
    closures: Iterable[dt.date] = (),
    openings: Iterable[dt.date] = (),
) -> dt.date:
    """The working day an intray created at ``local_moment`` (office-local time) counts from."""
    closed, opened = frozenset(closures), frozenset(openings)
    day = local_moment.date()
    if is_working_day(day, state=state, closures=closed, openings=opened) and local_moment.hour < cutoff_hour:
        return day
    return next_working_day(day, state=state, closures=closed, openings=opened)


def due_date_for(
    created_at: dt.datetime,
    n: int,
    *,
    state: str,
    tz: str,
    cutoff_hour: int,
    closures: Iterable[dt.date] = (),
    openings: Iterable[dt.date] = (),
) -> dt.date:
    """Pure due-date rule: ``created_at`` (aware) in the office's zone -> start day -> + n working days."""
    if created_at.tzinfo is None:
        raise ValueError("created_at must be an aware datetime")
    local = created_at.astimezone(zoneinfo.ZoneInfo(tz or STATE_TIMEZONES[state]))
    closed, opened = frozenset(closures), frozenset(openings)
    first = start_day(local, state=state, cutoff_hour=cutoff_hour, closures=closed, openings=opened)
    return add_working_days(first, n, state=state, closures=closed, openings=opened)


def local_today(office, moment: dt.datetime) -> dt.date:
    """The office-local date of an aware moment (``clock.local_date``; kept under this name for the intray code)."""
    return clock.local_date(moment, office)


def cutoff_hour() -> int:
    from django.conf import settings

    return int(settings.CASEWORK.get("INTRAY_CUTOFF_HOUR", 17))


def office_corrections(office, *, start: dt.date, end: dt.date) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(closures, openings) kept as data for the office and its state between two dates (one indexed query)."""
    from django.db.models import Q

    from .models import CalendarDayKind, OfficeClosure

    rows = OfficeClosure.objects.filter(
        Q(office=office) | Q(office__isnull=True, state=office.state),
        is_active=True,
        date__gte=start,
        date__lte=end,
    ).values_list("date", "kind")
    closed = frozenset(d for d, k in rows if k == CalendarDayKind.CLOSED)
    opened = frozenset(d for d, k in rows if k == CalendarDayKind.OPEN)
    return closed, opened


def working_days_due(created_at: dt.datetime, n: int, *, office) -> dt.date:
    """Due date of an intray created at ``created_at`` for a position in ``office``: the office's state calendar,
    its time zone, the configured cut-off and the closures/corrections recorded for it."""
    local = local_today(office, created_at)
    # n working days never span more than ~ 2n + 30 calendar days, even over Christmas with closures.
    closed, opened = office_corrections(office, start=local, end=local + dt.timedelta(days=2 * n + 45))
    return due_date_for(
        created_at,
        n,
        state=office.state,
        tz=office.timezone,
        cutoff_hour=cutoff_hour(),
        closures=closed,
        openings=opened,
    )
