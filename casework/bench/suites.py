"""Benchmark data and reads. ``load(n)`` grows the data to n customers (idempotent, incremental); each benchmark is
a function of the iteration number, so every call reads a different customer (no single hot row)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

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
            _load_locks_and_intrays(lo, hi, ids)
            AuditEvent.objects.bulk_create(
                [AuditEvent(actor_label="bench", action="customer.view", target_type="customer", target_id=str(cid),
                            customer_id=cid) for cid in ids.values()],
                batch_size=BATCH,
            )
    _state["n"] = n
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


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


# ---------------------------------------------------------------- routing and worklists
CUSTOMERS_PER_OFFICER = 200  # officers grow with the customer book, so each queue stays the size of a real one
N_POSITIONS = 10
INTRAYS_PER_CUSTOMER = 5


def _org(n_officers: int = 0):
    """A bench office with positions in three areas and at least ``n_officers`` Service Officers (idempotent)."""
    if "officers" in _state and len(_state["officers"]) >= n_officers:
        return _state["officers"], _state["positions"]
    from django.contrib.auth import get_user_model

    from casework.org.models import BusinessArea, Office, Officer, Position

    office, _ = Office.objects.get_or_create(code="bench-sydney", defaults={"name": "Bench", "state": "NSW"})
    areas = list(BusinessArea.objects.filter(code__in=["SERVICES", "DPO", "ICS"]).order_by("code"))
    positions = [
        Position.objects.get_or_create(
            code=f"bench-pos-{k}",
            defaults={"title": f"Bench {k}", "business_area": areas[k % len(areas)], "office": office},
        )[0]
        for k in range(N_POSITIONS)
    ]
    officers = []
    for k in range(max(n_officers, len(_state.get("officers", ())))):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-officer-{k}")
        officer, _ = Officer.objects.get_or_create(
            user=user, defaults={"role": "service_officer", "position": positions[k % N_POSITIONS]}
        )
        officers.append(officer)
    _state["officers"], _state["positions"] = officers, positions
    return officers, positions


def _load_locks_and_intrays(lo: int, hi: int, ids: dict[str, int]) -> None:
    """Every third customer locked (to an officer or a position); INTRAYS_PER_CUSTOMER intrays per customer, two of
    them open, to the customer's officer (one per CUSTOMERS_PER_OFFICER customers) or a position, due dates over
    three months."""
    from casework.intrays.models import Intray, IntrayType
    from casework.ownership.models import Lock

    officers, positions = _org(hi // CUSTOMERS_PER_OFFICER + 1)
    now = timezone.now()
    itype = IntrayType.objects.get(code="general_follow_up")
    locks, intrays = [], []
    for i in range(lo, hi):
        cid = ids.get(make_csid(BASE + i))
        if cid is None:
            continue
        if i % 3 == 0:
            officer = officers[i // CUSTOMERS_PER_OFFICER] if i % 2 else None
            position = positions[i % N_POSITIONS] if officer is None else None
            area_id = (officer.position if officer else position).business_area_id
            locks.append(Lock(customer_id=cid, area_id=area_id, officer=officer, position=position,
                              reason="bench", started_at=now))
        for k in range(INTRAYS_PER_CUSTOMER):
            to_officer = (i + k) % 4 != 0
            intrays.append(Intray(
                type=itype, customer_id=cid, subject="bench", office_id=officers[0].position.office_id,
                status="open" if k < 2 else "done",
                assignee_officer=officers[i // CUSTOMERS_PER_OFFICER] if to_officer else None,
                assignee_position=None if to_officer else positions[(i + k) % N_POSITIONS],
                created_at=now, due_date=now.date() + dt.timedelta(days=(i + k) % 90 - 30),
            ))
    Lock.objects.bulk_create(locks, batch_size=BATCH)
    Intray.objects.bulk_create(intrays, batch_size=BATCH)


def _officer(i: int):
    """The officer of a randomly picked customer of the current book."""
    return _org()[0][_pick(i) // CUSTOMERS_PER_OFFICER]


def bench_route_call(i: int) -> None:
    """GET /api/v1/routing/{csid}/: what telephony asks on every call (ownership.selectors.route_call)."""
    from casework.ownership.selectors import route_call

    route_call(csid=make_csid(BASE + _pick(i)))


def bench_worklist_first_page(i: int) -> None:
    """An officer's open intrays, soonest due first, first page of 25 (intrays.selectors.worklist)."""
    from casework.intrays.selectors import WorklistFilter, worklist

    list(worklist(user=_officer(i).user, f=WorklistFilter(scope="mine", status="open"))[:25])


def bench_worklist_overdue_page(i: int) -> None:
    from casework.intrays.selectors import WorklistFilter, worklist

    list(worklist(user=_officer(i).user, f=WorklistFilter(scope="mine", status="open", due="overdue"))[:25])


def bench_worklist_counts(i: int) -> None:
    """Overdue / due today / due this week counts for an officer (one aggregate over the partial index)."""
    from casework.intrays.selectors import worklist_counts

    worklist_counts(user=_officer(i).user, scope="mine")


def benchmarks():
    yield "customer_by_csid", bench_customer_by_csid
    yield "customer_search_name_prefix", bench_customer_search_name_prefix
    yield "customer_cases", bench_customer_cases
    yield "audit_by_customer", bench_audit_by_customer
    yield "route_call", bench_route_call
    yield "worklist_first_page", bench_worklist_first_page
    yield "worklist_overdue_page", bench_worklist_overdue_page
    yield "worklist_counts", bench_worklist_counts
