"""Issue 15: a chunk of the automatic-unlock sweep (CMA-3.4) in set-based SQL. Its statements are a fixed number
whatever its size, and on PostgreSQL none carries a parameter per row except the inserts (the ids go as one array
parameter, ``__any_of``; the bulk transitions as one array per column, ``core.fsm.bulk_write``). Every unlock still
has its ``ownership.auto_unlock`` event (as many events as unlocks), the chain verifies after the sweep, and one
failing item is isolated: recorded as a failure while the rest of its chunk is done."""

from __future__ import annotations

import pytest
from django.db import connection

from casework.core import clock
from casework.core.audit import audit_chain_seal, audit_chain_verify
from casework.core.models import AuditEvent, JobItemFailure
from casework.ownership import jobs, services
from casework.ownership.models import AutoUnlock, AutoUnlockStatus, Lock
from casework.testing.sql import StatementSpy

from .test_i15_auto_unlock_sweep import _due

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("short_auto_unlock_wait")]

PG = connection.vendor == "postgresql"


def _chunk(org, n) -> list[tuple[str, int]]:
    _, autos, t0 = _due(org, n, mca=True)
    spy = StatementSpy()
    with clock.freeze(t0), connection.execute_wrapper(spy):
        assert len(services.auto_unlocks_run(ids=[a.pk for a in autos])["unlocked"]) == n
    return spy.calls


def test_a_chunk_is_a_fixed_number_of_statements_with_no_parameter_per_row_but_its_inserts(org):
    """Fails on the chunk that named its ids with ``__in`` and wrote its transitions by ``VALUES`` rows (PostgreSQL,
    12 rows: the reads 12-25 parameters each, the autos' transition 36, the locks' 96)."""
    few, many = _chunk(org, 4), _chunk(org, 12)
    assert len(few) == len(many), (len(few), len(many))
    assert len(many) == (26 if PG else 27), [sql[:80] for sql, _ in many]  # PG: the events go by COPY
    if PG:
        widest = {sql[:60]: n for sql, n in many if not sql.lstrip().upper().startswith("INSERT")}
        assert max(widest.values()) <= 9, [(k, v) for k, v in widest.items() if v > 3]  # Lock.end: 9 arrays
        assert [n for sql, n in few if not sql.lstrip().upper().startswith("INSERT")] == [
            n for sql, n in many if not sql.lstrip().upper().startswith("INSERT")]


def test_as_many_unlock_events_as_unlocks_and_the_chain_verifies_after_the_sweep(org):
    _, autos, t0 = _due(org, 5)
    before = AuditEvent.objects.filter(action="ownership.auto_unlock").count()
    with clock.freeze(t0):
        report = jobs.auto_unlock_due_report(batch=3)
    assert report["unlocked"] == 5 and report["failed"] == []
    events = AuditEvent.objects.filter(action="ownership.auto_unlock", target_type="lock")
    assert events.count() - before == 5
    assert set(events.values_list("target_id", flat=True)) >= {str(a.lock_id) for a in autos}
    assert len({e.occurred_at for e in events}) <= 2  # one moment per chunk's transaction
    audit_chain_seal(everything=True)
    checked, broken = audit_chain_verify()
    assert broken is None and checked == AuditEvent.objects.count()


def test_one_failing_unlock_is_isolated_and_the_rest_of_its_chunk_is_done(org, monkeypatch):
    _, autos, t0 = _due(org, 4)
    bad = autos[2]
    real = services._holder_message

    def flaky(lock, **kw):
        if lock.pk == bad.lock_id:
            raise RuntimeError("bad row")
        return real(lock, **kw)

    monkeypatch.setattr(services, "_holder_message", flaky)
    with clock.freeze(t0):
        report = jobs.auto_unlock_due_report(batch=10)
    assert report["unlocked"] == 3 and [f["id"] for f in report["failed"]] == [bad.pk]
    assert JobItemFailure.objects.get(job="auto_unlock", item_id=str(bad.pk)).attempts == 1
    bad.refresh_from_db()
    assert bad.status == AutoUnlockStatus.SCHEDULED and Lock.objects.get(pk=bad.lock_id).is_active
    assert AutoUnlock.objects.filter(pk__in=[a.pk for a in autos], status=AutoUnlockStatus.DONE).count() == 3
    assert AuditEvent.objects.filter(action="ownership.auto_unlock",
                                     target_id__in=[str(a.lock_id) for a in autos]).count() == 3
