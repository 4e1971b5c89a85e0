"""Letters reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from django.db.models import CharField, Exists, OuterRef, QuerySet
from django.db.models.functions import Cast

from casework.core.errors import NotFound, NotPermitted
from casework.core.models import JobItemFailure

from .models import RENDER_ITEM, RENDER_JOB, Letter


def with_status(queryset: QuerySet[Letter]) -> QuerySet[Letter]:
    """Letters with what ``Letter.status`` needs, in the same query: the document (if rendered) and whether a render
    failure is open (``render_failed``)."""
    failed = JobItemFailure.objects.filter(job=RENDER_JOB, item_type=RENDER_ITEM, resolved_at__isnull=True,
                                           item_id=Cast(OuterRef("pk"), output_field=CharField()))
    return queryset.select_related("document").annotate(render_failed=Exists(failed))


def letters_for_customer(*, user, customer) -> list[Letter]:
    return list(letters_for_customer_queryset(user=user, customer=customer))


def letters_for_customer_queryset(*, user, customer) -> QuerySet[Letter]:
    if not user.has_perm("letters.view_letter"):
        raise NotPermitted("Your role cannot view letters.")
    return (with_status(Letter.objects.filter(customer=customer))
            .select_related("case", "issued_by", "signed_by").defer("html"))


def letter_get(*, user, letter_id: int) -> Letter:
    if not user.has_perm("letters.view_letter"):
        raise NotPermitted("Your role cannot view letters.")
    letter = (with_status(Letter.objects.filter(pk=letter_id))
              .select_related("customer", "case", "issued_by", "signed_by").first())
    if letter is None:
        raise NotFound("No such letter.")
    return letter


def letters_by_id(ids) -> dict[int, Letter]:
    """Letters (title and status, not their HTML) by id, for pages that list letters another app logged."""
    ids = [i for i in ids if i]
    if not ids:
        return {}
    return {letter.pk: letter for letter in with_status(Letter.objects.filter(pk__in=ids)).defer("html", "source_data")}


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
    query = customer_last_reached_queryset(customer)
    return customer_last_reached_of(query.first() if query is not None else None)


def customer_last_reached_queryset(customer) -> QuerySet | None:
    """The one read of ``customer_last_reached``: a row of the customer, one column per source (None: no source)."""
    if not _REACHED_SOURCES:
        return None
    from casework.customers.models import Customer

    columns = {f"reached_{i}": Subquery(source(OuterRef("pk"))[:1]) for i, source in enumerate(_REACHED_SOURCES)}
    return Customer.objects.filter(pk=getattr(customer, "pk", customer)).values(**columns)


def customer_last_reached_of(row: dict | None) -> dt.datetime | None:
    return max((m for m in (row or {}).values() if m is not None), default=None)
