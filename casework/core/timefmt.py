"""How a moment or a date is shown to an officer (issue 14): en-AU dates, times in the officer's office zone and
labelled with it ("16:14 AEDT" in Sydney, "15:14 AEST" in Brisbane for the same event).

Templates use the one filter ``when`` (``casework.core.templatetags.casework_time``, a template builtin, so no
``{% load %}`` is needed); CSV exports and other Python callers use ``shown()``. The zone is the one the request
shows times in (``OfficerTimezoneMiddleware`` activates the signed-in officer's office zone; the agency's zone outside
a request) unless one is passed. ``tests/test_time_display.py`` scans every template for a moment shown without it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone

#: ``style`` -> (date part, time part) as strftime formats; the zone label is added after any time.
STYLES = {
    "datetime": ("%d/%m/%Y", "%H:%M"),
    "seconds": ("%d/%m/%Y", "%H:%M:%S"),
    "time": ("", "%H:%M"),
    "date": ("%d/%m/%Y", ""),
    "long": ("{day} %B %Y", "%H:%M"),
    "longdate": ("{day} %B %Y", ""),
    "day": ("%a {day} %b", ""),
}


def zone_label(moment: dt.datetime) -> str:
    """The zone's abbreviation at that moment (AEST/AEDT, ACST, AWST...), else its IANA name."""
    abbreviation = moment.tzname() or ""
    if abbreviation and not abbreviation.startswith(("+", "-")):
        return abbreviation
    key = getattr(moment.tzinfo, "key", "")
    return key or abbreviation


def shown(value, style: str = "datetime", tz: zoneinfo.ZoneInfo | None = None) -> str:
    """``value`` (an aware datetime, a date, or nothing) as an officer reads it: dates dd/mm/yyyy (or "30 November
    2026"), times in ``tz`` (default: the current zone) with the zone's label. A date has no time and no zone."""
    if value is None or value == "":
        return ""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}: one of {', '.join(STYLES)}")
    date_fmt, time_fmt = STYLES[style]
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            raise ValueError("shown() needs an aware datetime (times are stored in UTC)")
        value = value.astimezone(tz or timezone.get_current_timezone())
    elif isinstance(value, dt.date):
        time_fmt = ""
        date_fmt = date_fmt or "%d/%m/%Y"
    else:
        return str(value)
    parts = []
    if date_fmt:
        parts.append(value.strftime(date_fmt.replace("{day}", str(value.day))))
    if time_fmt:
        parts.append(f"{value.strftime(time_fmt)} {zone_label(value)}")
    return (", " if style == "long" else " ").join(parts)
