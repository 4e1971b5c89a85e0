"""Sections of the customer page contributed by other apps.

Each app listed in ``PANEL_APPS`` may define ``casework.<app>.panels.customer_panel(request, customer) -> dict``;
its result is the context of ``<app>/_customer_panel.html``, rendered in this order on the customer page. A panel
that takes a ``record`` argument is given the request's customer record (``ownership.selectors.CustomerRecord``,
issue 15: the customer's facts and the ownership decision read once per request) instead of reading them again.
A panel module may also define ``customer_reads(request, customer) -> dict[str, QuerySet]``: its own reads, which
the page runs in the same statement as the customer's record (``customer_record(also=...)``, ``core.batch``); the
panel finds their rows in ``record.reads[name]`` (names are "<app>.<what>").
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from typing import Any

PANEL_APPS = ("ownership", "contacts", "customers", "intrays", "ps")


@dataclass
class Panel:
    app: str
    template: str
    context: dict[str, Any]


def _panel_modules():
    for app in PANEL_APPS:
        try:
            module = importlib.import_module(f"casework.{app}.panels")
        except ModuleNotFoundError as exc:
            if exc.name != f"casework.{app}.panels":
                raise
            continue
        yield app, module


def customer_panel_reads(request, customer) -> dict:
    """Every panel's ``customer_reads`` (name -> queryset), for ``customer_record(also=...)``."""
    reads: dict = {}
    for _app, module in _panel_modules():
        if hasattr(module, "customer_reads"):
            reads.update(module.customer_reads(request, customer) or {})
    return reads


def customer_panels(request, customer, record=None) -> list[Panel]:
    panels = []
    for app, module in _panel_modules():
        if record is not None and "record" in inspect.signature(module.customer_panel).parameters:
            context = module.customer_panel(request, customer, record=record)
        else:
            context = module.customer_panel(request, customer)
        if context is not None:
            panels.append(Panel(app, f"{app}/_customer_panel.html", context))
    return panels


@dataclass
class RenderedPanel:
    app: str
    html: str


def render_customer_panels(request, customer, record=None) -> list[RenderedPanel]:
    """Each panel rendered with its own context (plus ``customer``), through the request's context processors."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    rendered = []
    for panel in customer_panels(request, customer, record):
        context = {"customer": customer, **panel.context}
        html = render_to_string(panel.template, context, request=request)
        if html.strip():
            rendered.append(RenderedPanel(panel.app, mark_safe(html)))  # noqa: S308 - rendered by our templates
    return rendered
