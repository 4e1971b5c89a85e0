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
