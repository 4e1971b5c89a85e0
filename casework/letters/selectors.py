"""Letters reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from casework.core.errors import NotFound, NotPermitted

from .models import Letter


def letters_for_customer(*, user, customer) -> list[Letter]:
    if not user.has_perm("letters.view_letter"):
        raise NotPermitted("Your role cannot view letters.")
    return list(Letter.objects.filter(customer=customer).select_related("case", "issued_by", "signed_by").defer("pdf", "html"))


def letter_get(*, user, letter_id: int) -> Letter:
    if not user.has_perm("letters.view_letter"):
        raise NotPermitted("Your role cannot view letters.")
    letter = Letter.objects.select_related("customer", "case", "issued_by", "signed_by").filter(pk=letter_id).first()
    if letter is None:
        raise NotFound("No such letter.")
    return letter


# CMA-1.2: when the customer was last spoken to. The apps that record conversations (contacts: a call or visit whose
# POI was confirmed; ps: a PS contact) register a source at start-up, so letters need not import them.
_REACHED_SOURCES: list[Callable[..., dt.datetime | None]] = []


def last_reached_source_register(source: Callable[..., dt.datetime | None]) -> None:
    if source not in _REACHED_SOURCES:
        _REACHED_SOURCES.append(source)


def customer_last_reached(customer) -> dt.datetime | None:
    """The latest moment any registered source says the customer was spoken to (None: never)."""
    moments = [m for m in (source(customer) for source in _REACHED_SOURCES) if m is not None]
    return max(moments, default=None)
