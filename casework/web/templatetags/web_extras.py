"""Small display helpers for the officer UI."""

from __future__ import annotations

import datetime as dt

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from casework.core import audit_display, clock

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
    """(field label, before, after) rows of an audit event in words (issue 14), values shortened for the table."""
    return [(row.label, _short(row.before) if row.before else "", _short(row.after) if row.after else "")
            for row in audit_display.change_rows(event)]


@register.filter
def audit_action(action: str) -> str:
    return audit_display.action_label(action)


@register.filter
def audit_target(event) -> str:
    return audit_display.target_label(event.target_type, event.target_id, event.target_repr)


@register.simple_tag
def why(*step_ids, text: str = "", label: str = "", testid: str = ""):
    """The explanation of a decision behind a "Why?" disclosure (issue 14), one markup everywhere (``web/_why.html``):
    ``{% why "CMA-1.1" %}``, ``{% why decision.step_ids %}``, ``{% why "PS-PSP-1" text="..." label="plans" %}``
    (``text``: the rule in words; ``label``: what the disclosure is about, for screen readers). Put it in a block
    (div, li, td, section), never inside a heading or a ``<p>``."""
    ids: list[str] = []
    for s in step_ids:
        if isinstance(s, str):
            ids.extend(x.strip() for x in s.split(","))
        elif s:
            ids.extend(str(x) for x in s)
    ids = [s for s in ids if s]
    if not ids and not text:
        return ""
    # simple_tag escapes a plain str: the template's output is already escaped, so it is marked safe as rendered.
    return mark_safe(render_to_string(  # noqa: S308
        "web/_why.html", {"steps": ids, "why": text, "label": label, "testid": testid}).strip())