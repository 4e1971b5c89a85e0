"""Pages a lower app re-renders after a refusal, registered by the app that owns them (issue 14).

The customer page belongs to ``web`` (the top layer), but its panels' forms post to the apps below it (ownership,
...). On a refusal such a view re-renders the customer page with its form still bound and status 400/409 instead of
redirecting (which would lose what was typed): it calls ``customer_page(request, csid, form_key=..., form=...,
status=...)``, which ``web`` registered at start-up (``web.apps``), so no lower app imports ``web``. The panel finds
its bound form with ``bound_form(request, key)``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse

_CUSTOMER_PAGE: list[Callable[..., HttpResponse]] = []


def register_customer_page(render: Callable[..., HttpResponse]) -> None:
    _CUSTOMER_PAGE[:] = [render]


def customer_page(request, csid: str, *, form_key: str, form, status: int) -> HttpResponse:
    """The customer page, with ``form`` (refused, still holding what was typed) shown where ``form_key``'s panel puts
    it and its errors summarised at the top."""
    request.casework_bound_form = (form_key, form)
    return _CUSTOMER_PAGE[0](request, csid, status=status, error_form=form)


def bound_form(request, key: str):
    """The refused form of ``key`` on this request, or ``None``."""
    posted = getattr(request, "casework_bound_form", None)
    return posted[1] if posted and posted[0] == key else None
