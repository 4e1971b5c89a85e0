"""Issue 15: the audit chain's seal no longer makes every audited commit queue behind one lock, and a sweep seals
once when it ends instead of after every chunk. Nothing is left unchained: a seal that did not wait is caught up by
the next seal or the scheduled one (``core.jobs.audit_chain_seal_job``), and every event still gets its link."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django_q.models import Schedule

from casework.core import reference as core_reference
from casework.core.audit import CATCH_UP_WINDOW, CHAIN_LOCK, audit_chain_seal, audit_chain_verify, audit_record
from casework.core.context import job_context
from casework.core.jobs import audit_chain_seal_job
from casework.core.management.commands.load_reference import load_all
from casework.core.models import AuditChainLink, AuditEvent


def _commit_event(n: int) -> AuditEvent:
    with transaction.atomic():
        return audit_record(actor=None, action="test.event", target=("thing", n), after={"n": n})


def _linked(events) -> int:
    return AuditChainLink.objects.filter(event_id__in=[e.pk for e in events]).count()


@pytest.mark.django_db(transaction=True)
def test_an_audited_commit_is_chained_by_the_scheduled_seal_not_on_the_request_path():
    """Issue 15: by default (``AUDIT_SEAL_AFTER_COMMIT = False``) a commit registers no seal (it cost ~6 statements
    and a transaction per audited request); the scheduled seal, every minute, chains it."""
    from django.conf import settings

    assert settings.AUDIT_SEAL_AFTER_COMMIT is False
    with CaptureQueriesContext(connection) as ctx:
        event = _commit_event(1)
    assert not any("core_auditchainlink" in q["sql"] for q in ctx.captured_queries)
    assert _linked([event]) == 0
    assert audit_chain_seal_job() == 1
    assert _linked([event]) == 1
    assert audit_chain_verify()[1] is None


@pytest.mark.django_db(transaction=True)
def test_an_audited_commit_outside_a_job_is_chained_at_once_with_the_seal_after_commit(settings):
    settings.AUDIT_SEAL_AFTER_COMMIT = True
    event = _commit_event(1)
    assert _linked([event]) == 1


@pytest.mark.django_db(transaction=True)
def test_a_job_seals_once_when_it_ends_not_after_each_commit():
    with job_context("test.sweep"):
        first = _commit_event(1)
        second = _commit_event(2)
        assert _linked([first, second]) == 0, "inside the job its commits are not sealed one by one"
    assert _linked([first, second]) == 2
    assert audit_chain_verify()[1] is None


@pytest.mark.django_db(transaction=True)
def test_a_job_that_fails_still_has_what_it_committed_chained():
    with pytest.raises(RuntimeError), job_context("test.sweep"):
        event = _commit_event(1)
        raise RuntimeError("the sweep died half-way")
    assert _linked([event]) == 1


@pytest.mark.django_db(transaction=True)
def test_nested_jobs_seal_once_at_the_outermost_end():
    with job_context("outer"):
        with job_context("inner"):
            event = _commit_event(1)
        assert _linked([event]) == 0
    assert _linked([event]) == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_seal_after_commit_does_not_queue_behind_another_sealer_and_the_scheduled_seal_catches_up(settings):
    settings.AUDIT_SEAL_AFTER_COMMIT = True
    held, release = threading.Event(), threading.Event()

    def hold_the_chain_lock():
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [CHAIN_LOCK])
                held.set()
                release.wait(30)
                cursor.execute("SELECT pg_advisory_unlock(%s)", [CHAIN_LOCK])
        finally:
            other.close()

    thread = threading.Thread(target=hold_the_chain_lock)
    thread.start()
    try:
        assert held.wait(30)
        event = _commit_event(1)  # its seal after commit finds the lock taken and returns at once
        assert _linked([event]) == 0
        assert audit_chain_seal(wait=False) == 0
    finally:
        release.set()
        thread.join()
    assert audit_chain_seal_job() >= 1
    assert _linked([event]) == 1
    assert audit_chain_verify()[1] is None
    connection.close()


@pytest.mark.django_db
def test_the_catch_up_seal_is_scheduled_every_minute():
    load_all()
    load_all()
    schedule = Schedule.objects.get(name=core_reference.SEAL_SCHEDULE_NAME)
    assert schedule.func == core_reference.SEAL_SCHEDULE_FUNC and schedule.minutes == 1
    assert Schedule.objects.filter(name=core_reference.SEAL_SCHEDULE_NAME).count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_event_committed_below_the_commit_window_is_chained_by_the_scheduled_seal(monkeypatch, settings):
    """A sweep's chunk takes its event ids, then commits after an officer's later events were committed and sealed;
    past the seal-after-commit window (2,000 ids; 1 here) its events were left to ``audit_verify``. The scheduled
    seal looks much further back."""
    from casework.core import audit
    from casework.core.context import seal_deferred_var

    monkeypatch.setattr(audit, "SEAL_WINDOW", 1)
    settings.AUDIT_SEAL_AFTER_COMMIT = True
    _commit_event(0)  # a first link, so the seals after commit look back only their window
    inserted, go_on, late = threading.Event(), threading.Event(), []

    def the_chunk():
        token = seal_deferred_var.set(True)  # inside a job: its commit does not seal
        try:
            with transaction.atomic():
                late.append(audit_record(actor=None, action="test.chunk", target=("thing", "late")))
                inserted.set()
                go_on.wait(30)
        finally:
            seal_deferred_var.reset(token)
            connection.close()

    thread = threading.Thread(target=the_chunk)
    thread.start()
    assert inserted.wait(30)
    others = [_commit_event(2), _commit_event(3)]  # later ids, committed and sealed first
    go_on.set()
    thread.join()
    others.append(_commit_event(4))
    assert _linked(others) == 3 and _linked(late) == 0, "below the window of every seal after commit"
    assert audit_chain_seal_job() == 1
    assert _linked(late) == 1
    assert audit_chain_verify()[1] is None


@pytest.mark.django_db(transaction=True)
def test_the_seal_finds_unchained_events_with_an_anti_join_not_a_not_in():
    """At 1.5M customers (2M links) PostgreSQL planned ``id NOT IN (SELECT event_id FROM links)`` as a subplan that
    re-scanned the links for every event: 7.6 s per seal, paid after every audited commit. NOT EXISTS on the links'
    unique event index is an anti-join whatever the statistics say."""
    from django.test.utils import CaptureQueriesContext

    _commit_event(0)
    _commit_event(1)
    with CaptureQueriesContext(connection) as ctx:
        audit_chain_seal(window=CATCH_UP_WINDOW)
    reads = [q["sql"] for q in ctx.captured_queries if "core_auditchainlink" in q["sql"] and "core_auditevent" in q["sql"]]
    assert reads and all("NOT EXISTS" in sql for sql in reads)
    assert not any(" NOT IN " in sql.upper() or '"id" IN (SELECT' in sql for sql in reads)
