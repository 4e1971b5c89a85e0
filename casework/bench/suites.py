"""Benchmark data and reads. ``load(n)`` grows the data to n customers (idempotent, incremental); each benchmark is
a function of the iteration number, so every call reads a different customer (no single hot row)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import connection, transaction

from casework.core.models import AuditEvent
from casework.customers.csid import make_csid
from casework.customers.models import Case, Customer

BASE = 300_000_000
FAMILY = [
    "Nguyen", "Smith", "Williams", "Brown", "Wilson", "Taylor", "Johnson", "White", "Martin", "Anderson", "Thompson",
    "Walker", "Harris", "Lee", "Ryan", "Robinson", "Kelly", "King", "Davis", "Wright", "Evans", "Roberts", "Green",
    "Hall", "Wood", "Jackson", "Clarke", "Patel", "Khan", "Singh", "Chen", "Wang", "Li", "Zhang", "Kaur", "Murphy",
]
GIVEN = ["Olivia", "Jack", "Charlotte", "Noah", "Amelia", "William", "Isla", "Oliver", "Mia", "Thomas", "Ava", "Leo"]
BATCH = 5000
_state = {"n": 0}


def _customer(i: int) -> Customer:
    family = f"{FAMILY[i % len(FAMILY)]}{i // len(FAMILY) % 997:03d}"
    given = GIVEN[(i // 7) % len(GIVEN)]
    return Customer(
        csid=make_csid(BASE + i),
        given_names=given,
        family_name=family,
        search_name=f"{family} {given}".lower(),
        date_of_birth=dt.date(1960, 1, 1) + dt.timedelta(days=i % 15000),
        residence="NSW",
    )


def load(n: int) -> None:
    start = Customer.objects.filter(csid__gte=make_csid(BASE), csid__lt=make_csid(BASE + 100_000_000)).count()
    for lo in range(start, n, BATCH):
        hi = min(n, lo + BATCH)
        with transaction.atomic():
            Customer.objects.bulk_create([_customer(i) for i in range(lo, hi)], batch_size=BATCH)
            ids = dict(
                Customer.objects.filter(csid__in=[make_csid(BASE + i) for i in range(lo, hi)]).values_list("csid", "id")
            )
            cases = []
            for i in range(lo - lo % 2, hi - 1, 2):
                payer, payee = ids.get(make_csid(BASE + i)), ids.get(make_csid(BASE + i + 1))
                if payer and payee:
                    cases.append(Case(case_number=f"B{i:09d}", payer_id=payer, payee_id=payee,
                                      annual_liability=Decimal("4800")))
            Case.objects.bulk_create(cases, batch_size=BATCH)
            AuditEvent.objects.bulk_create(
                [AuditEvent(actor_label="bench", action="customer.view", target_type="customer", target_id=str(cid),
                            customer_id=cid) for cid in ids.values()],
                batch_size=BATCH,
            )
    _state["n"] = n
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    for extra in _extra_loaders():
        extra(n)


def _pick(i: int) -> int:
    return random.Random(i).randrange(_state["n"])


def bench_customer_by_csid(i: int) -> None:
    Customer.objects.get(csid=make_csid(BASE + _pick(i)))


def _bench_user():
    from django.contrib.auth import get_user_model

    if "user" not in _state:
        user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_superuser": True})
        _state["user"] = user
    return _state["user"]


def bench_customer_search_name_prefix(i: int) -> None:
    """The officer's name search (customers.selectors.customer_search), e.g. "smith042"."""
    from casework.customers.selectors import customer_search

    k = _pick(i)
    customer_search(user=_bench_user(), query=f"{FAMILY[k % len(FAMILY)]}{k // len(FAMILY) % 997:03d}")


def bench_customer_cases(i: int) -> None:
    cid = Customer.objects.only("id").get(csid=make_csid(BASE + _pick(i))).id
    list(Case.objects.filter(payer_id=cid)) + list(Case.objects.filter(payee_id=cid))


def bench_audit_by_customer(i: int) -> None:
    cid = Customer.objects.only("id").get(csid=make_csid(BASE + _pick(i))).id
    list(AuditEvent.objects.filter(customer_id=cid).order_by("-occurred_at")[:50])


def _extra_loaders():
    return [fn for fn, _ in _extras()]


def _extras():
    """Benchmarks contributed by other apps (``casework.<app>.bench``: ``load(n)`` and ``BENCHMARKS``)."""
    import importlib

    found = []
    for app in ("ownership", "intrays"):
        try:
            module = importlib.import_module(f"casework.{app}.bench")
        except ModuleNotFoundError as exc:
            if exc.name != f"casework.{app}.bench":
                raise
            continue
        found.append((module.load, module.BENCHMARKS))
    return found


def benchmarks():
    yield "customer_by_csid", bench_customer_by_csid
    yield "customer_search_name_prefix", bench_customer_search_name_prefix
    yield "customer_cases", bench_customer_cases
    yield "audit_by_customer", bench_audit_by_customer
    for _, extra in _extras():
        yield from extra.items()
