"""``{{ moment|when }}``: the one way a template shows a time or a date (``casework.core.timefmt``; issue 14).

A template builtin (settings.TEMPLATES), so every template has it without ``{% load %}``. Styles: ``when``
(30/11/2026 16:14 AEDT), ``when:"seconds"``, ``when:"time"`` (16:14 AEDT), ``when:"date"`` (30/11/2026),
``when:"long"`` (30 November 2026, 16:14 AEDT), ``when:"longdate"`` (30 November 2026), ``when:"day"`` (Mon 30 Nov).
"""

from __future__ import annotations

from django import template

from casework.core.timefmt import shown

register = template.Library()


@register.filter(expects_localtime=False)
def when(value, style: str = "datetime") -> str:
    return shown(value, style or "datetime")
