"""The bench's bulk loader (issue 15) at a tiny scale: what it writes, that it tops up an already loaded database
by key range without duplicating anything, and that it reads the officers once per run, not once per batch."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.bench import loader
from casework.core.models import AuditEvent
from casework.customers.models import Case, Customer, IncomeRecord, Note
from casework.intrays.models import Intray
from casework.ownership.models import Lock

pytestmark = pytest.mark.django_db


def _bench_customers():
    return Customer.objects.filter(csid__gte=loader.csid(0), csid__lt=loader.csid(1000))


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(loader, "BATCH", 3)


def test_load_writes_every_table_of_the_bench(reference, small_batches):
    result = loader.load(7, workers=1)
    assert result["customers_loaded"] == 7 and result["ranges"] == 3
    assert _bench_customers().count() == 7
    ids = list(_bench_customers().values_list("id", flat=True))
    assert Case.objects.filter(payer_id__in=ids).count() == 2  # even customer + next, same range: (0,1), (4,5)
    assert Lock.objects.filter(customer_id__in=ids, is_active=True).count() == 3  # customers 0, 3, 6
    assert Intray.objects.filter(customer_id__in=ids).count() == 7 * loader.INTRAYS_PER_CUSTOMER
    assert Intray.objects.filter(customer_id__in=ids, status="open").count() == 14
    assert Note.objects.filter(customer_id__in=ids).count() == 7
    assert AuditEvent.objects.filter(customer_id__in=ids, action="customer.view").count() == 7
    assert IncomeRecord.objects.filter(customer_id__in=ids).count() == 2  # the lock-and-unlock pool: 1, 4
    assert result["rows"] == 7 + 2 + 3 + 3 + 2 + 35 + 7 + 10  # the 3 locks' call-routing rows (issue 15)
    from casework.ownership import selectors
    from casework.ownership.models import CustomerRoute

    assert CustomerRoute.objects.filter(customer_id__in=ids, lock__isnull=False).count() == 3
    for c in _bench_customers():
        assert selectors.route_call(csid=c.csid) == selectors.route_call_computed(csid=c.csid)
    # Open intrays already overdue carry their recorded breach; the SLA sweep finds none of them.
    from casework.core import clock
    from casework.intrays.selectors import sla_candidates

    assert not [pk for _, pk in sla_candidates(before=clock.latest_today(), batch=100)
                if Intray.objects.filter(pk=pk, customer_id__in=ids).exists()]


def test_load_again_writes_nothing_and_a_larger_load_tops_up(reference, small_batches):
    loader.load(7, workers=1)
    before = set(_bench_customers().values_list("csid", flat=True))
    assert loader.load(7, workers=1)["rows"] == 0
    result = loader.load(11, workers=1)
    assert result["customers_loaded"] == 4  # 7, 8 (range 6..8 topped up), 9, 10
    csids = list(_bench_customers().values_list("csid", flat=True))
    assert len(csids) == len(set(csids)) == 11
    assert before < set(csids)
    assert loader.loaded() == 11


def test_officers_are_read_once_per_run_not_per_batch(reference, small_batches):
    with CaptureQueriesContext(connection) as ctx:
        loader.load(12, workers=1)  # four key ranges
    officer_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "org_officer"' in q["sql"]]
    assert len(officer_reads) <= 2  # read existing officers, and again after creating the missing ones


def _routes_match_the_locks(ids) -> None:
    """Every bench customer with an active lock has exactly one routing row, pointing at that lock with the lock's
    own area, position and officer (what ``routing_rebuild`` would write); no other bench customer has one."""
    from casework.ownership.models import CustomerRoute
    from casework.ownership.selectors import ROUTE_FIELDS, route_values

    locks = {lk.customer_id: lk for lk in Lock.objects.filter(customer_id__in=ids, is_active=True).select_related(
        "area", "position", "officer__user", "officer__position")}
    routes = {r.customer_id: r for r in CustomerRoute.objects.filter(customer_id__in=ids)}
    assert set(routes) == set(locks)
    for customer_id, lock in locks.items():
        route, want = routes[customer_id], route_values(lock)
        assert {f: getattr(route, f) for f in ROUTE_FIELDS} == want


def test_a_larger_second_load_adds_exactly_the_missing_customers_with_their_routing_rows(reference, small_batches):
    """Issue 15: a second run at a larger scale on an already loaded database writes only customers it lacks (ids
    reserved from the sequences past what is there), each with its rows, and the locks' routing rows agree."""
    first = loader.load(7, workers=1)
    old = dict(_bench_customers().values_list("csid", "id"))
    old_rows = {model: model.objects.count() for model in (Case, Lock, Intray, Note, IncomeRecord)}
    result = loader.load(16, workers=1)
    now = dict(_bench_customers().values_list("csid", "id"))
    added = set(now) - set(old)
    assert added == {loader.csid(i) for i in range(7, 16)} and result["customers_loaded"] == 9
    assert all(now[c] == pk for c, pk in old.items())  # nothing rewritten
    assert min(now[c] for c in added) > max(old.values())  # fresh ids, past the first load's
    new_ids = [now[c] for c in added]
    assert Intray.objects.filter(customer_id__in=new_ids).count() == 9 * loader.INTRAYS_PER_CUSTOMER
    assert Note.objects.filter(customer_id__in=new_ids).count() == 9
    assert Lock.objects.filter(customer_id__in=new_ids).count() == 3  # customers 9, 12, 15
    assert IncomeRecord.objects.filter(customer_id__in=new_ids).count() == 3  # 7, 10, 13
    grown = {model: model.objects.count() - old_rows[model] for model in old_rows}
    # Cases pair an even customer with the next one in the same key range (BATCH = 3): (10, 11) and (12, 13).
    assert grown == {Case: 2, Lock: 3, Intray: 45, Note: 9, IncomeRecord: 3}
    assert first["rows"] and result["rows"] == 9 + 2 + 3 + 3 + 3 + 45 + 9 + 12
    _routes_match_the_locks(list(now.values()))
    # The lock ids were reserved from the sequence: the ownership service's next lock gets a fresh id.
    assert Lock.objects.order_by("-id").values_list("id", flat=True).first() == max(
        Lock.objects.filter(customer_id__in=list(now.values())).values_list("id", flat=True))


def _indexes(tables) -> dict[str, str]:
    """Each index's definition as PostgreSQL prints it, casts and parentheses taken out: a recreated partial index's
    ``status IN (...)`` predicate prints as ``ARRAY[('open'::varchar)::text, ...]`` where the original printed
    ``(ARRAY['open'::varchar, ...])::text[]`` (the same constant for the planner, which still uses the index)."""
    import re

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [list(tables)])
        return {name: re.sub(r"::[a-z ]+(\[\])?|[()]", "", d) for name, d in cursor.fetchall()}


@pytest.mark.postgres_only
def test_a_load_with_indexes_dropped_recreates_every_one_of_them(reference, small_batches):
    before = _indexes(loader.TABLES)
    result = loader.load(7, workers=1, indexes="drop")
    assert result["indexes_dropped"] == result["indexes_recreated"] > 20
    assert _indexes(loader.TABLES) == before
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {loader.DROPPED}")
        assert cursor.fetchone()[0] == 0
    _routes_match_the_locks(list(_bench_customers().values_list("id", flat=True)))


@pytest.mark.postgres_only
def test_a_load_that_fails_half_way_still_recreates_the_indexes(reference, small_batches, monkeypatch):
    before = _indexes(loader.TABLES)
    real = loader.load_range

    def fail_on_the_second_range(lo, hi, ctx):
        if lo >= loader.BATCH:
            raise RuntimeError("disk full")
        return real(lo, hi, ctx)

    monkeypatch.setattr(loader, "load_range", fail_on_the_second_range)
    with pytest.raises(RuntimeError):
        loader.load(7, workers=1, indexes="drop")
    assert _indexes(loader.TABLES) == before
    monkeypatch.setattr(loader, "load_range", real)
    assert loader.load(7, workers=1)["customers_loaded"] == 4  # the first range was committed: the rest follows
    assert _bench_customers().count() == 7


@pytest.mark.postgres_only
def test_indexes_a_killed_load_left_dropped_are_recreated_by_the_next_load(reference, small_batches):
    before = _indexes(loader.TABLES)
    loader._drop_secondary_indexes()  # as a load killed before its recreate step would have left them
    assert len(_indexes(loader.TABLES)) < len(before)
    loader.load(4, workers=1, indexes="keep")
    assert _indexes(loader.TABLES) == before


def test_auto_keeps_the_indexes_for_a_small_load(reference, small_batches):
    result = loader.load(4, workers=1)
    assert result["indexes"] == "auto" and result["indexes_dropped"] == 0
    with pytest.raises(ValueError):
        loader.load(5, workers=1, indexes="sometimes")
