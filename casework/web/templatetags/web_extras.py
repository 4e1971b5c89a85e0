"""Small display helpers for the officer UI."""

from __future__ import annotations

import datetime as dt

from django import template

from casework.core import clock

register = template.Library()


@register.filter
def age(born: dt.date | None) -> str:
    """Whole years between ``born`` and today (the officer's "now")."""
    if not born:
        return ""
    today = clock.now().date()
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return str(years)


@register.filter
def money(value) -> str:
    if value is None or value == "":
        return ""
    return f"${value:,.2f}"


@register.filter
def steps(step_ids) -> str:
    return ", ".join(step_ids or ())
