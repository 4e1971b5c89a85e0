"""Never two owners (CMA-2.10, CMA-1.5): the database enforces one active lock per customer, and concurrent
lockers serialise on the customer row. The threaded tests need PostgreSQL (real row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from casework.core import clock
from casework.core.errors import Conflict
from casework.core.models import AuditEvent
from casework.ownership import services
from casework.ownership.models import EndKind, Lock
from casework.testing.factories import area

THREADS = 12


def test_cma_2_10_database_refuses_a_second_active_lock(org, payer):
    so = org.officer()
    Lock.objects.create(customer=payer, area=area("SERVICES"), officer=so, position=so.position, reason="a",
                        started_at=clock.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Lock.objects.create(customer=payer, area=area("SERVICES"), officer=so, position=so.position, reason="b",
                            started_at=clock.now())


def _race(n, work):
    """Run ``work(i)`` in ``n`` threads released together; returns the list of (i, result or exception)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 — the test inspects what each thread got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_cma_2_10_concurrent_lockers_exactly_one_wins(org, payer):
    officers = [org.officer() for _ in range(THREADS)]
    results = _race(THREADS, lambda i: services.customer_lock(actor=officers[i].user, customer=payer,
                                                              reason=f"locker {i}"))
    winners = [r for r in results if isinstance(r, Lock)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1, results
    assert len(losers) == THREADS - 1, results
    winner = winners[0].officer
    assert all(winner.display_name in c.message and c.extra["holder"]["officer"] == winner.user.username
               for c in losers)
    assert Lock.objects.filter(customer=payer).count() == 1
    assert Lock.objects.filter(customer=payer, is_active=True).get().officer == winner
    assert AuditEvent.objects.filter(customer_id=payer.pk, action="ownership.lock").count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_cma_2_10_concurrent_take_overs_leave_a_consistent_history(org, payer):
    holder = org.officer()
    services.customer_lock(actor=holder.user, customer=payer, reason="first")
    officers = [org.officer() for _ in range(THREADS)]
    results = _race(THREADS, lambda i: services.lock_take_over(actor=officers[i].user, customer=payer,
                                                               reason=f"take over {i}"))
    won = [r for r in results if isinstance(r, Lock)]
    assert all(isinstance(r, Lock) for r in results), results  # serialised: each takes it from the previous one
    history = list(Lock.objects.filter(customer=payer).order_by("started_at", "id"))
    assert len(history) == 1 + len(won)
    assert [lk.is_active for lk in history] == [False] * len(won) + [True]
    for before, after in zip(history, history[1:]):
        assert before.end_kind == EndKind.REPLACED
        assert before.ended_at <= after.started_at
    assert Lock.objects.filter(customer=payer, is_active=True).count() == 1
    assert AuditEvent.objects.filter(customer_id=payer.pk, action="ownership.take_over").count() == len(won)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_cma_1_5_concurrent_lock_and_priority_move_one_owner(org, payer):
    """Officers of several areas race; whatever the interleaving, one active lock, and the DPO Team (the CMA-1.5
    owner of this payer) ends up holding it."""
    from .conftest import add_issue

    add_issue(payer, "objection", minutes=1)
    add_issue(payer, "dpo", minutes=2)
    areas = ["GENERAL_OBJECTIONS", "DPO", "SERVICES", "CHANGE_OF_ASSESSMENT"] * 3
    officers = [org.officer(a) for a in areas]
    _race(len(officers), lambda i: services.customer_lock(actor=officers[i].user, customer=payer, reason="race"))
    active = Lock.objects.filter(customer=payer, is_active=True)
    assert active.count() == 1 and active.get().area.code == "DPO"
