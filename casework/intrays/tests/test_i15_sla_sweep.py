"""Issue 15: the SLA-breach sweep is set-based. Chunks of intrays are found with one query, decided by the same
policy as one intray alone, written with one update and bulk inserts (one audit event per breach, one Team Leader
notice each), isolated per failing intray, idempotent, and the audit hash chain still verifies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.core import clock
from casework.core.audit import audit_chain_seal, audit_chain_verify
from casework.core.models import AuditEvent, JobItemFailure
from casework.intrays import services
from casework.intrays.jobs import sla_breach_job
from casework.intrays.models import Intray
from casework.testing.sql import StatementSpy

from .test_services_lifecycle import make

pytestmark = pytest.mark.django_db

LATE = dt.datetime(2026, 11, 25, 16, 0, tzinfo=dt.UTC)  # Thu 26 Nov 03:00 Sydney: Wednesday's intrays are overdue


def _late(org, n):
    return [make(org, assignee_officer=(org.so, org.so2)[i % 2]) for i in range(n)]


def _chunk_queries(org, n) -> int:
    _late(org, n)
    with clock.freeze(LATE), CaptureQueriesContext(connection) as ctx:
        assert sla_breach_job(batch=n) == n
    return len(ctx.captured_queries)


def test_sweep_queries_per_chunk_do_not_grow_with_its_rows(org, frozen):
    """Fails on the one-at-a-time sweep (about 15 queries per intray): a chunk costs a fixed number of queries, so
    one chunk of 6 and one of 18 overdue intrays (each with its Team Leader's notice) cost exactly the same."""
    few, many = _chunk_queries(org, 6), _chunk_queries(org, 18)
    assert few == many <= 20, (few, many)
    assert Intray.objects.filter(type__code="sla_breach").count() == 24


def test_every_breach_audited_once_and_chain_verifies(org, frozen):
    intrays = _late(org, 5)
    with clock.freeze(LATE):
        assert sla_breach_job(batch=2) == 5  # three chunks
        assert sla_breach_job(batch=2) == 0  # a re-run does nothing twice
    for intray in intrays:
        intray.refresh_from_db()
        assert intray.sla_breached_at == LATE and intray.version == 2
        assert AuditEvent.objects.filter(action="intray.sla_breach", target_id=str(intray.pk)).count() == 1
        notice = Intray.objects.get(type__code="sla_breach", related_intray=intray)
        assert notice.assignee_officer == org.tl
        create = AuditEvent.objects.get(action="intray.create", target_id=str(notice.pk))
        assert create.actor_label == "job:intrays.sla_breach" and create.after["type"] == "sla_breach"
    audit_chain_seal(everything=True)
    checked, broken = audit_chain_verify()
    assert broken is None and checked == AuditEvent.objects.count()


def test_a_failing_intray_is_isolated_and_the_rest_of_its_chunk_commits(org, frozen, monkeypatch):
    intrays = _late(org, 4)
    bad = intrays[1]
    real = services._team_leader_for

    def flaky(intray, fallback=None):
        if intray.pk == bad.pk:
            raise RuntimeError("bad row")
        return real(intray, fallback)

    monkeypatch.setattr(services, "_team_leader_for", flaky)
    with clock.freeze(LATE):
        assert sla_breach_job(batch=10) == 3
    assert JobItemFailure.objects.get(job="intrays.sla_breach", item_id=str(bad.pk)).attempts == 1
    bad.refresh_from_db()
    assert bad.sla_breached_at is None
    assert not AuditEvent.objects.filter(action="intray.sla_breach", target_id=str(bad.pk)).exists()
    assert AuditEvent.objects.filter(action="intray.sla_breach").count() == 3


def test_a_killed_run_leaves_nothing_half_written(org, frozen, monkeypatch):
    """The chunk's writes are one transaction: an error after the update (the notices' insert) leaves no breach."""
    intrays = _late(org, 3)

    def boom(*args, **kwargs):
        raise KeyboardInterrupt  # the worker killed mid-chunk: not an item error, nothing is caught

    monkeypatch.setattr(services, "audit_record_many", boom, raising=False)
    import casework.core.audit as audit

    monkeypatch.setattr(audit, "audit_record_many", boom)
    with clock.freeze(LATE), pytest.raises(KeyboardInterrupt):
        sla_breach_job(batch=10)
    assert not Intray.objects.filter(pk__in=[i.pk for i in intrays], sla_breached_at__isnull=False).exists()
    assert not Intray.objects.filter(type__code="sla_breach").exists()
    monkeypatch.undo()
    with clock.freeze(LATE):
        assert sla_breach_job(batch=10) == 3  # the next run carries on


def _chunk_statements(org, n) -> list[tuple[str, int]]:
    rows = _late(org, n)
    spy = StatementSpy()
    with clock.freeze(LATE), connection.execute_wrapper(spy):
        recorded, notices = services.intray_sla_breaches_record(ids=[r.pk for r in rows])
    assert len(recorded) == len(notices) == n
    return spy.calls


def test_a_chunk_is_a_fixed_number_of_statements_and_names_its_ids_in_one_parameter(org, frozen):
    """Issue 15: one chunk of the SLA sweep (its transaction, the row-locking read, the offices, the update, the
    Team Leaders, the notices' insert, the audit events) is 7 statements on PostgreSQL (the events go by COPY) and 8
    on SQLite, whatever its size; on PostgreSQL the read and the update carry the chunk's ids as ONE array parameter
    (``__any_of``), not one parameter per intray (fails on the ``__in`` chunk: 18 and 19 parameters)."""
    few, many = _chunk_statements(org, 6), _chunk_statements(org, 18)
    pg = connection.vendor == "postgresql"
    assert len(few) == len(many) == (7 if pg else 8), many
    if pg:
        by_ids = [(sql, n) for sql, n in many if '"intrays_intray"."id" = ANY(' in sql]
        assert len(by_ids) == 2 and all(n <= 3 for _, n in by_ids), by_ids
        assert all(n <= 3 for sql, n in many if not sql.startswith("INSERT")), many
