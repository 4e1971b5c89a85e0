"""Benchmark data and reads. ``load(n)`` grows the data to n customers (idempotent, incremental); each benchmark is
a function of the iteration number, so every call reads a different customer (no single hot row)."""

from __future__ import annotations

import random

from casework.core.models import AuditEvent
from casework.customers.csid import make_csid
from casework.customers.models import Case, Customer

from . import loader
from .loader import BASE, FAMILY, CUSTOMERS_PER_OFFICER

_state: dict = {"n": 0}


def load(n: int, *, progress=None) -> dict:
    """Grow the data to n customers with the bulk loader (idempotent, tops up); returns its figures."""
    result = loader.load(n, progress=progress)
    _state["n"] = n
    _state.pop("users", None)
    return result


def _pick(i: int) -> int:
    return random.Random(i).randrange(_state["n"])


def bench_customer_by_csid(i: int) -> None:
    Customer.objects.get(csid=make_csid(BASE + _pick(i)))


def _bench_user():
    """A Service Officer of the bench (searching needs an officer's permission)."""
    return officer_user(2)


def bench_customer_search_name_prefix(i: int) -> None:
    """The officer's name search (customers.selectors.customer_search), e.g. "smith042"."""
    from casework.customers.selectors import customer_search

    k = _pick(i)
    customer_search(user=_bench_user(), query=f"{FAMILY[k % len(FAMILY)]}{k // len(FAMILY) % 997:03d}")


SEARCH_PREFIXES = ["sm", "smi", "smit", "smith", "smith0", "smith04", "smith042", "smith042 ol"]


def bench_customer_search_common_prefix(i: int) -> None:
    """Name search for ONE common surname at every prefix length ("sm" .. "smith042 ol"), 50 results as the page
    shows: the issue's "name search, common surname, p95 < 20 ms for any prefix"."""
    from casework.customers.selectors import customer_search

    customer_search(user=_bench_user(), query=SEARCH_PREFIXES[i % len(SEARCH_PREFIXES)], limit=50)


def bench_customer_cases(i: int) -> None:
    cid = Customer.objects.only("id").get(csid=make_csid(BASE + _pick(i))).id
    list(Case.objects.filter(payer_id=cid)) + list(Case.objects.filter(payee_id=cid))


def bench_audit_by_customer(i: int) -> None:
    cid = Customer.objects.only("id").get(csid=make_csid(BASE + _pick(i))).id
    list(AuditEvent.objects.filter(customer_id=cid).order_by("-occurred_at")[:50])


# ---------------------------------------------------------------- routing and worklists


def officer_user(k: int):
    """The User of bench officer k (read once, cached)."""
    from django.contrib.auth import get_user_model

    users = _state.setdefault("users", {})
    if k not in users:
        users[k] = get_user_model().objects.select_related("officer__position").get(username=f"bench-officer-{k}")
    return users[k]


def _officer_user(i: int):
    """The officer (User) of a randomly picked customer of the current book."""
    return officer_user(_pick(i) // CUSTOMERS_PER_OFFICER)


def bench_route_call(i: int) -> None:
    """GET /api/v1/routing/{csid}/: what telephony asks on every call (ownership.selectors.route_call)."""
    from casework.ownership.selectors import route_call

    route_call(csid=make_csid(BASE + _pick(i)))


def bench_worklist_first_page(i: int) -> None:
    """An officer's open intrays, soonest due first, first page of 25 (intrays.selectors.worklist)."""
    from casework.intrays.selectors import WorklistFilter, worklist

    list(worklist(user=_officer_user(i), f=WorklistFilter(scope="mine", status="open"))[:25])


def bench_worklist_overdue_page(i: int) -> None:
    from casework.intrays.selectors import WorklistFilter, worklist

    list(worklist(user=_officer_user(i), f=WorklistFilter(scope="mine", status="open", due="overdue"))[:25])


def bench_worklist_counts(i: int) -> None:
    """Overdue / due today / due this week counts for an officer (one aggregate over the partial index)."""
    from casework.intrays.selectors import worklist_counts

    worklist_counts(user=_officer_user(i), scope="mine")


def benchmarks():
    yield "customer_by_csid", bench_customer_by_csid
    yield "customer_search_name_prefix", bench_customer_search_name_prefix
    yield "customer_search_common_prefix", bench_customer_search_common_prefix
    yield "customer_cases", bench_customer_cases
    yield "audit_by_customer", bench_audit_by_customer
    yield "route_call", bench_route_call
    yield "worklist_first_page", bench_worklist_first_page
    yield "worklist_overdue_page", bench_worklist_overdue_page
    yield "worklist_counts", bench_worklist_counts
