"""Issue 15: the automatic-unlock sweep (CMA-3.4) is set-based: chunks of due rows are read with a fixed number of
queries, each row decided by the same readiness and unlock policy as one row alone, the unlocks written in bulk with
one audited ``ownership.auto_unlock`` per customer (the hash chain still verifies), a re-run does nothing twice, and a
refusal in the chunk still goes through the one-row path. (A failing row is isolated: test_i13_job_failures.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.core import clock
from casework.core.audit import audit_chain_seal, audit_chain_verify
from casework.core.models import AuditEvent
from casework.notifications.models import Notification
from casework.ownership import jobs, services
from casework.ownership.models import AutoUnlock, AutoUnlockStatus, Lock
from casework.testing.factories import CaseFactory, DebtFactory, IncomeFactory, PresentingIssueFactory

from .test_i10_paths import letter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("short_auto_unlock_wait")]


def _due(org, n, *, mca=False):
    """``n`` customers locked with an automatic unlock due. ``mca``: every other one's record requires Minimum
    Collection Activity (a child support debt with no arrangement), documented in a contact since the lock."""
    from casework.contacts.models import Contact

    so = org.officer()
    autos = []
    for k in range(n):
        case = CaseFactory()
        for c in (case.payer, case.payee):
            IncomeFactory(customer=c)
        services.customer_lock(actor=so.user, customer=case.payer, reason="x")
        if mca and k % 2 == 0:
            DebtFactory(case=case)
            Contact.objects.create(customer=case.payer, channel="phone", officer=so, area=so.position.business_area,
                                   started_at=clock.now(), mca_completed_at=clock.now())
        autos.append(services.auto_unlock_schedule(
            actor=so.user, customer=case.payer, letters=[letter(case.payer, so), letter(case.payee, so)],
            reason="No answer", contact_attempted=True, after_hours=1))
    return so, autos, max(a.due_at for a in autos) + dt.timedelta(minutes=1)


def _queries(n, org):
    """The queries of one chunk of ``n`` due rows: the service alone, and the whole job (one chunk)."""
    _, autos, t0 = _due(org, n, mca=True)
    with clock.freeze(t0), CaptureQueriesContext(connection) as chunk:
        assert len(services.auto_unlocks_run(ids=[a.pk for a in autos[: n // 2]])["unlocked"]) == n // 2
    with clock.freeze(t0), CaptureQueriesContext(connection) as job:
        assert jobs.auto_unlock_due_report(batch=n)["unlocked"] == n - n // 2
    return len(chunk.captured_queries), len(job.captured_queries)


def test_queries_per_chunk_not_per_row(org):
    """N and 3N due rows cost the same queries per chunk, MCA status included (set-based since issue 15:
    ``contacts.selectors.customer_mca_statuses``). Fails on the one-at-a-time job (about 40 queries per customer)
    and on the chunk that read the MCA status per customer (13 queries per customer)."""
    assert _queries(4, org) == _queries(12, org)


def test_every_unlock_audited_once_notified_and_chain_verifies(org):
    so, autos, t0 = _due(org, 3)
    with clock.freeze(t0):
        report = jobs.auto_unlock_due_report(batch=2)  # two chunks
        assert report["unlocked"] == 3 and report["failed"] == []
        again = jobs.auto_unlock_due_report(batch=2)
        assert again["unlocked"] == 0  # a re-run does nothing twice
    for auto in autos:
        auto.refresh_from_db()
        lock = Lock.objects.get(pk=auto.lock_id)
        assert auto.status == AutoUnlockStatus.DONE and auto.completed_at == t0
        assert not lock.is_active and lock.end_kind == "auto_unlocked" and lock.ended_at == t0
        assert lock.ended_by_label == "job:auto_unlock"
        ev = AuditEvent.objects.get(action="ownership.auto_unlock", target_id=str(lock.pk))
        assert ev.customer_id == auto.customer_id and "CMA-3.4" in ev.step_ids
        assert ev.before["is_active"] is True and ev.after["relocked_to"] is None
        assert Notification.objects.filter(key=f"lock:{lock.pk}:lost", recipient=so.user).count() == 1
    audit_chain_seal(everything=True)
    checked, broken = audit_chain_verify()
    assert broken is None and checked == AuditEvent.objects.count()


def test_a_refusal_in_the_chunk_takes_the_one_row_path(org):
    _, autos, t0 = _due(org, 3)
    refused = autos[1]
    PresentingIssueFactory(customer=refused.customer)  # an outstanding issue in scope: not ready any more
    with clock.freeze(t0):
        report = jobs.auto_unlock_due_report(batch=10)
    assert report["unlocked"] == 2 and report["refused"] == 1
    refused.refresh_from_db()
    assert refused.status == AutoUnlockStatus.REFUSED
    assert Lock.objects.get(pk=refused.lock_id).is_active
    assert AuditEvent.objects.filter(action="ownership.auto_unlock_refused", target_id=str(refused.pk)).count() == 1
    assert AutoUnlock.objects.filter(status=AutoUnlockStatus.DONE).count() == 2


def test_the_bulk_unlocks_keep_the_routing_table_right(org):
    """The sweep ends locks with bulk writes (no ``Lock.save``, so no routing receiver): ``_locks_changed`` recomputes
    the chunk's routing rows in its transaction. Fails if it does nothing: the table still routes to the old lock."""
    from casework.ownership import selectors
    from casework.ownership.models import CustomerRoute

    _, autos, t0 = _due(org, 3)
    for auto in autos:
        assert CustomerRoute.objects.get(customer_id=auto.customer_id).lock_id == auto.lock_id
    with clock.freeze(t0):
        assert jobs.auto_unlock_due_report(batch=2)["unlocked"] == 3
        for auto in autos:
            csid = auto.customer.csid
            table = selectors.route_call(csid=csid)
            assert not table.is_owned and table == selectors.route_call_computed(csid=csid)
            assert CustomerRoute.objects.get(customer_id=auto.customer_id).lock_id is None


def test_a_killed_run_leaves_nothing_half_written_and_the_next_run_carries_on(org, monkeypatch):
    """The chunk's writes are one transaction: killed after its bulk transitions (at the audit insert), no lock is
    ended and nothing is carried out; the next run does the whole chunk, every unlock audited once."""
    import casework.core.audit as audit

    _, autos, t0 = _due(org, 3, mca=True)

    def boom(*args, **kwargs):
        raise KeyboardInterrupt  # the worker killed mid-chunk: not an item error, nothing is caught

    monkeypatch.setattr(audit, "audit_record_many", boom)
    with clock.freeze(t0), pytest.raises(KeyboardInterrupt):
        jobs.auto_unlock_due_report(batch=10)
    assert AutoUnlock.objects.filter(pk__in=[a.pk for a in autos], status=AutoUnlockStatus.SCHEDULED).count() == 3
    assert Lock.objects.filter(pk__in=[a.lock_id for a in autos], is_active=True).count() == 3
    monkeypatch.undo()
    with clock.freeze(t0):
        assert jobs.auto_unlock_due_report(batch=10)["unlocked"] == 3
    assert AuditEvent.objects.filter(action="ownership.auto_unlock",
                                     target_id__in=[str(a.lock_id) for a in autos]).count() == 3
