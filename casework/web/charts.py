"""Server-rendered charts (pygal → inline SVG): no JavaScript, no CDN. Each chart is shown with a table of the same
numbers for screen readers (the template puts it right after the figure)."""

from __future__ import annotations

import re

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

_STYLE_ARGS = dict(
    background="#ffffff", plot_background="#ffffff", foreground="#1b1b1b", foreground_strong="#1b1b1b",
    foreground_subtle="#5a5a5a", font_family="DejaVu Sans, Arial, sans-serif", label_font_size=15,
    major_label_font_size=15, legend_font_size=15, title_font_size=17, value_font_size=13, tooltip_font_size=13,
)
_STYLE = Style(colors=("#1d5d90", "#2e7d32"), **_STYLE_ARGS)  # created (blue), closed (green)
_WORKLOAD_STYLE = Style(colors=("#b3261e", "#1d5d90"), **_STYLE_ARGS)  # overdue (red), the rest (blue)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_COMMON = dict(style=_STYLE, js=[], disable_xml_declaration=True, legend_at_bottom=True, print_values=False,
               show_y_guides=True, explicit_size=False, width=720, height=360, truncate_label=24,
               x_label_rotation=0, margin=12)


def _svg(chart, *, desc_id: str) -> SafeString:
    svg = chart.render(is_unicode=True)
    # No script at all (pygal still writes its config in an inline <script> when js=[]), no generator comments.
    svg = _SCRIPT.sub("", svg)
    svg = _COMMENT.sub("", svg)
    # The table after the chart carries the numbers: tell assistive technology which one.
    svg = svg.replace("<svg ", f'<svg role="img" aria-describedby="{desc_id}" ', 1)
    return mark_safe(svg)  # noqa: S308 — pygal escapes labels and values (lxml/ElementTree)


def workload_chart(rows: list[dict], *, desc_id: str = "workload-table") -> SafeString:
    """Open intrays per officer, stacked: overdue and not overdue."""
    chart = pygal.StackedBar(title="Open work per officer", x_title="Officer", y_title="Open intrays",
                             **{**_COMMON, "style": _WORKLOAD_STYLE, "x_label_rotation": 20 if len(rows) > 6 else 0})
    chart.x_labels = [r["label"] for r in rows]
    chart.add("Overdue", [r["overdue"] for r in rows])
    chart.add("Open, not overdue", [r["not_overdue"] for r in rows])
    return _svg(chart, desc_id=desc_id)


def trend_chart(weeks: list[dict], *, desc_id: str = "trend-table") -> SafeString:
    """Intrays created and closed per week."""
    chart = pygal.Bar(title="Intrays created and closed per week", x_title="Week starting", y_title="Intrays",
                      **_COMMON)
    chart.x_labels = [w["week"].strftime("%d/%m") for w in weeks]
    chart.add("Created", [w["created"] for w in weeks])
    chart.add("Closed", [w["closed"] for w in weeks])
    return _svg(chart, desc_id=desc_id)
