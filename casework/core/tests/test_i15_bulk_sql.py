"""Issue 15: the set-based sweeps' SQL building blocks. ``field__any_of=[ids]`` is one array parameter on PostgreSQL
(``IN`` elsewhere) with ``__in``'s meaning; ``core.fsm.bulk_write`` writes many rows in one statement per batch and
never overwrites a row whose state changed since it was read (``bulk_transition`` then refuses the whole batch);
``audit_record_many`` gives the same events as ``audit_record`` (one per entry) and the chain, whose links the seal
writes in bulk, still verifies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from casework.core import clock
from casework.core.audit import (
    AuditTarget,
    audit_chain_seal,
    audit_chain_verify,
    audit_record,
    audit_record_many,
    link_hash,
)
from casework.core.errors import TransitionRefused
from casework.core.fsm import bulk_transition, bulk_write
from casework.core.models import AuditChainLink, AuditEvent
from casework.ownership.models import EndKind, Lock
from casework.testing.factories import CustomerFactory, PositionFactory, UserFactory
from casework.testing.sql import StatementSpy

pytestmark = pytest.mark.django_db

PG = connection.vendor == "postgresql"


# ---------------------------------------------------------------- __any_of


def test_any_of_means_in_with_one_array_parameter_on_postgresql():
    users = [UserFactory() for _ in range(5)]
    wanted = [users[0].pk, users[3].pk, users[3].pk, None, users[4].pk]
    qs = get_user_model().objects.filter(pk__any_of=wanted)
    assert set(qs.values_list("pk", flat=True)) == set(get_user_model().objects.filter(
        pk__in=wanted).values_list("pk", flat=True)) == {users[0].pk, users[3].pk, users[4].pk}
    names = [users[1].username, users[2].username]
    assert set(get_user_model().objects.filter(username__any_of=names).values_list("pk", flat=True)) == {
        users[1].pk, users[2].pk}
    assert not get_user_model().objects.filter(pk__any_of=[]).exists()
    assert not get_user_model().objects.filter(pk__any_of=[None]).exists()
    sql, params = qs.query.sql_with_params()
    if PG:
        assert "= ANY(%s::integer[])" in sql and len(params) == 1, (sql, params)  # auth_user.id: an AutoField
    else:
        assert " IN (" in sql and len(params) == 3, (sql, params)


def test_any_of_keeps_one_parameter_for_a_thousand_ids():
    users = [UserFactory() for _ in range(3)]
    ids = [u.pk for u in users] + list(range(10**9, 10**9 + 997)) + [users[0].pk]  # a duplicate too
    spy = StatementSpy()
    with connection.execute_wrapper(spy):
        assert get_user_model().objects.filter(pk__any_of=ids).count() == 3
    assert spy.calls[-1][1] == (1 if PG else 1000)


def test_any_of_on_a_foreign_key_takes_ids_or_instances(reference):
    locks = _locks(3)
    customers = [lk.customer for lk in locks]
    by_id = Lock.objects.filter(customer_id__any_of=[customers[0].pk, customers[2].pk])
    by_instance = Lock.objects.filter(customer__any_of=[customers[0], customers[2]])
    assert set(by_id.values_list("pk", flat=True)) == set(by_instance.values_list("pk", flat=True)) == {
        locks[0].pk, locks[2].pk}
    assert set(Lock.objects.filter(customer__csid__any_of=[customers[1].csid]).values_list("pk", flat=True)) == {
        locks[1].pk}
    if PG:
        sql, params = by_instance.query.sql_with_params()
        assert "= ANY(%s::bigint[])" in sql and len(params) == 1, (sql, params)


# ---------------------------------------------------------------- bulk_write / bulk_transition guard


def _locks(n):
    position = PositionFactory()
    return [Lock.objects.create(customer=CustomerFactory(), area=position.business_area, position=position,
                                reason="test", started_at=clock.now()) for _ in range(n)]


def _end_behind_its_back(lock):
    """Another path ended the lock after the sweep read it (the loaded instance still says active)."""
    Lock.objects.filter(pk=lock.pk).update(is_active=False, ended_at=clock.now(), end_reason="someone else")


def _ending(locks):
    for lock in locks:
        lock.ended_at, lock.end_kind, lock.end_reason = clock.now(), EndKind.AUTO_UNLOCKED, "the sweep"


def test_bulk_write_never_overwrites_a_row_whose_state_changed_meanwhile(reference):
    locks = _locks(3)
    _end_behind_its_back(locks[1])
    _ending(locks)
    with transaction.atomic():
        for lock in locks:
            lock.end()
        written = bulk_write(locks, ["is_active", "ended_at", "end_kind", "end_reason"],
                             expect={"is_active": [True, True, True]})
    assert written == 2
    stored = {lk.pk: (lk.is_active, lk.end_reason) for lk in Lock.objects.filter(pk__in=[lk.pk for lk in locks])}
    assert stored == {locks[0].pk: (False, "the sweep"), locks[1].pk: (False, "someone else"),
                      locks[2].pk: (False, "the sweep")}


def test_bulk_transition_refuses_the_batch_when_a_row_changed_meanwhile(reference):
    locks = _locks(3)
    _end_behind_its_back(locks[2])
    _ending(locks)
    with pytest.raises(TransitionRefused), transaction.atomic():
        bulk_transition(locks, Lock.end, fields=["ended_at", "end_kind", "end_reason"])
    stored = dict(Lock.objects.filter(pk__in=[lk.pk for lk in locks]).values_list("pk", "end_reason"))
    assert stored == {locks[0].pk: "", locks[1].pk: "", locks[2].pk: "someone else"}  # nothing of the batch written


def test_bulk_transition_writes_every_row_in_one_statement_with_one_parameter_per_column(reference):
    locks = _locks(6)
    _ending(locks)
    spy = StatementSpy()
    with transaction.atomic(), connection.execute_wrapper(spy):
        assert bulk_transition(locks, Lock.end, fields=["ended_at", "end_kind", "end_reason"]) == 6
    updates = [(sql, n) for sql, n in spy.calls if sql.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1
    if PG:  # id, is_active, ended_at, end_kind, end_reason and the guard's is_active: one array each
        assert "UNNEST(" in updates[0][0] and updates[0][1] == 6, updates
    assert not Lock.objects.filter(pk__in=[lk.pk for lk in locks], is_active=True).exists()
    assert set(Lock.objects.filter(pk__in=[lk.pk for lk in locks]).values_list("end_reason", flat=True)) == {
        "the sweep"}


# ---------------------------------------------------------------- audit_record_many and the chain


def _entries(n, actor):
    return [{"actor": actor if k % 2 else None, "action": "test.bulk", "target": AuditTarget("thing", k, f"T{k}", 3),
             "before": {"n": k}, "after": {"when": clock.now(), "list": [1, k]}, "reason": f"r{k}",
             "step_ids": ("CMA-3.4",), "customer": None} for k in range(n)]


MOMENT = dt.datetime(2026, 11, 25, 16, 0, tzinfo=dt.UTC)
FIELDS = ("actor_id", "actor_label", "action", "target_type", "target_id", "target_repr", "customer_id", "before",
          "after", "reason", "step_ids", "request_id", "target_version")


def test_audit_record_many_gives_audit_records_events_one_per_entry_and_the_chain_verifies():
    actor = UserFactory()
    with clock.freeze(MOMENT), transaction.atomic():
        for entry in _entries(7, actor):
            audit_record(**entry)
    one = list(AuditEvent.objects.filter(action="test.bulk").order_by("id").values_list(*FIELDS))
    with clock.freeze(MOMENT), transaction.atomic():
        audit_record_many(_entries(7, actor))
    events = list(AuditEvent.objects.filter(action="test.bulk").order_by("id"))
    assert len(events) == 14
    many = [tuple(getattr(e, f) for f in FIELDS) for e in events[7:]]
    assert many == one
    assert len({e.occurred_at for e in events[7:]}) == 1  # one moment, one transaction
    audit_chain_seal(everything=True)
    links = {lk.event_id: lk for lk in AuditChainLink.objects.filter(event_id__in=[e.pk for e in events])}
    assert len(links) == 14 and all(link_hash(links[e.pk].prev_hash, e) == links[e.pk].hash for e in events)
    checked, broken = audit_chain_verify()
    assert broken is None and checked == AuditEvent.objects.count()


def test_the_seal_writes_its_links_in_bulk():
    with transaction.atomic():
        audit_record_many(_entries(30, None))
    with CaptureQueriesContext(connection) as ctx:
        assert audit_chain_seal(everything=True) >= 30
    inserts = [q for q in ctx.captured_queries if "auditchainlink" in q["sql"].lower() and "insert" in q["sql"].lower()]
    assert len(inserts) == (0 if PG else 1)  # PostgreSQL: one COPY (not a captured statement)
    assert audit_chain_verify()[1] is None
