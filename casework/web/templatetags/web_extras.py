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
    today = clock.viewer_today()
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


@register.filter
def care_of(care, child) -> list:
    """The care arrangements (latest per carer, as summarised) for one child."""
    return [a for a in care if a.child_id == child.pk]


def _short(value, width: int = 60) -> str:
    text = "—" if value is None or value == "" else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


@register.filter
def changes(event) -> list[tuple[str, str, str]]:
    """(field, before, after) rows of an audit event, values shortened for the table."""
    before = event.before if isinstance(event.before, dict) else ({} if event.before is None else {"": event.before})
    after = event.after if isinstance(event.after, dict) else ({} if event.after is None else {"": event.after})
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return [
        (key, _short(before[key]) if key in before else "", _short(after.get(key)) if key in after else "")
        for key in keys
    ]
