"""Letters reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

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
# POI was confirmed; ps: a PS contact) register a source at start-up, so letters need not import them. A source takes
# the customer's id (an ``OuterRef``) and returns a one-column queryset of moments, latest first; every source is
# read in ONE query (issue 15: one subquery each, on the customer's row).
_REACHED_SOURCES: list[Callable[[Any], QuerySet]] = []


def last_reached_source_register(source: Callable[[Any], QuerySet]) -> None:
    if source not in _REACHED_SOURCES:
        _REACHED_SOURCES.append(source)


def customer_last_reached(customer) -> dt.datetime | None:
    """The latest moment any registered source says the customer was spoken to (None: never)."""
    if not _REACHED_SOURCES:
        return None
    from casework.customers.models import Customer

    columns = {f"reached_{i}": Subquery(source(OuterRef("pk"))[:1]) for i, source in enumerate(_REACHED_SOURCES)}
    row = Customer.objects.filter(pk=getattr(customer, "pk", customer)).values(**columns).first() or {}
    return max((m for m in row.values() if m is not None), default=None)
