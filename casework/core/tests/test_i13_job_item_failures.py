"""Issue 13: jobs isolate failures per item. One item that raises never stops the others; it is recorded
(``core.JobItemFailure``, in its own transaction, audited), skipped until its backoff time, retried after it and
resolved by a later success; administrators see the open failures at /ops/failures/ (and the API) and may retry now.
Every test here fails on the code before issue 13 (there was no failure record, no backoff and no operator view)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from casework.core import clock, policy, services
from casework.core.errors import NotPermitted
from casework.core.models import AuditEvent, JobItemFailure
from casework.org.roles import Role
from casework.testing.factories import CustomerFactory, OfficerFactory

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


def test_backoff_grows_exponentially_and_is_capped_at_24_hours():
    """5 min × 2^(attempts−1), never above 24 h (pure policy)."""
    assert [policy.job_retry_delay_seconds(n) for n in (1, 2, 3, 4)] == [300, 600, 1200, 2400]
    assert policy.job_retry_delay_seconds(9) == 256 * 300  # 21 h 20 min
    assert policy.job_retry_delay_seconds(10) == 24 * 3600  # 5 min × 512 would be 42 h 40 min
    assert policy.job_retry_delay_seconds(500) == 24 * 3600


def test_one_raising_item_among_n_is_recorded_skipped_retried_with_growing_backoff_and_resolved(reference):
    """One bad item: the others are done, one failure recorded (audited ``core.job_item_failed`` with the customer);
    skipped before ``next_attempt_at``, retried after it (attempts and backoff grow), resolved on success (audited
    ``core.job_item_resolved``)."""
    customer = CustomerFactory()
    done: list[int] = []
    broken = {3}

    def run_job():
        items = services.job_items(job="test.job", item_type="thing", step_ids=("CMA-3.4",))
        for n in range(1, 7):
            def work(n=n):
                if n in broken:
                    raise RuntimeError(f"thing {n} is broken")
                done.append(n)
            items.run(n, work, customer_id=customer.pk if n == 3 else None,
                      customer_csid=customer.csid if n == 3 else "")

    with clock.freeze(T0):
        run_job()
    assert done == [1, 2, 4, 5, 6]
    [f] = JobItemFailure.objects.all()
    assert (f.job, f.item_type, f.item_id, f.attempts) == ("test.job", "thing", "3", 1)
    assert f.error_class == "RuntimeError" and f.error_message == "thing 3 is broken"
    assert f.customer_id == customer.pk and f.customer_csid == customer.csid
    assert f.first_failed_at == T0 and f.next_attempt_at == T0 + dt.timedelta(minutes=5)
    [ev] = AuditEvent.objects.filter(action="core.job_item_failed")
    assert ev.customer_id == customer.pk and ev.after["attempts"] == 1 and ev.step_ids == ["CMA-3.4"]

    done.clear()
    with clock.freeze(T0 + dt.timedelta(minutes=4)):  # before the backoff time: skipped, not counted again
        run_job()
    assert 3 not in done
    f.refresh_from_db()
    assert f.attempts == 1

    with clock.freeze(T0 + dt.timedelta(minutes=5)):  # retried; fails again; the wait doubles
        run_job()
    f.refresh_from_db()
    assert f.attempts == 2 and f.next_attempt_at == T0 + dt.timedelta(minutes=5 + 10)
    with clock.freeze(T0 + dt.timedelta(minutes=15)):
        run_job()
    f.refresh_from_db()
    assert f.attempts == 3 and f.next_attempt_at == T0 + dt.timedelta(minutes=15 + 20)
    assert JobItemFailure.objects.count() == 1  # one open record per item, counted again

    broken.clear()
    done.clear()
    with clock.freeze(T0 + dt.timedelta(minutes=35)):
        run_job()
    assert done == [1, 2, 3, 4, 5, 6]
    f.refresh_from_db()
    assert f.resolved_at == T0 + dt.timedelta(minutes=35) and f.resolved_how == "succeeded" and not f.is_open
    [resolved] = AuditEvent.objects.filter(action="core.job_item_resolved")
    assert resolved.after["attempts"] == 3 and resolved.actor is None


def test_the_failure_record_survives_the_items_rollback(reference):
    """The item's own writes roll back; the failure record (its own transaction) stays."""
    customer = CustomerFactory()

    def work():
        with transaction.atomic():
            customer.given_names = "Changed"
            customer.save(update_fields=["given_names"])
            raise ValueError("boom")

    outcome = services.job_items(job="test.job", item_type="customer").run(customer.pk, work)
    assert not outcome.ok and isinstance(outcome.error, ValueError)
    customer.refresh_from_db()
    assert customer.given_names != "Changed"
    assert JobItemFailure.objects.filter(item_id=str(customer.pk), resolved_at__isnull=True).count() == 1


def test_a_failure_while_recording_never_stops_the_job(reference, monkeypatch):
    def cannot_record(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "job_item_failure_record", cannot_record)
    items = services.job_items(job="test.job", item_type="thing")
    results = [items.run(n, (lambda n=n: 1 / (n - 2))) for n in range(1, 4)]
    assert [r.ok for r in results] == [True, False, True]


# ------------------------------------------------------------------------------------------ operator view and API


@pytest.fixture
def failure(reference):
    customer = CustomerFactory()
    with clock.freeze(T0):
        services.job_items(job="auto_unlock", item_type="autounlock").run(
            41, lambda: (_ for _ in ()).throw(RuntimeError("letter store unavailable")),
            customer_id=customer.pk, customer_csid=customer.csid)
    return JobItemFailure.objects.get()


@pytest.fixture
def admin(reference):
    return OfficerFactory(role=Role.ADMINISTRATOR, position=None)


@pytest.fixture
def caseworker(reference):
    return OfficerFactory(role=Role.SERVICE_OFFICER)


def api(officer) -> APIClient:
    c = APIClient()
    c.force_authenticate(officer.user)
    return c


def web(officer) -> Client:
    c = Client()
    c.force_login(officer.user)
    return c


def test_ops_failures_api_is_for_administrators_only(failure, caseworker):
    r = api(caseworker).get("/api/v1/ops/failures/")
    assert r.status_code == 403 and "administrator" in r.json()["detail"]
    r = api(caseworker).post(f"/api/v1/ops/failures/{failure.pk}/retry/")
    assert r.status_code == 403
    failure.refresh_from_db()
    assert failure.next_attempt_at == T0 + dt.timedelta(minutes=5)
    assert web(caseworker).get("/ops/failures/").status_code == 403
    assert web(caseworker).post(f"/ops/failures/{failure.pk}/retry/").status_code == 403
    assert not AuditEvent.objects.filter(action="core.job_item_retry_now").exists()
    with pytest.raises(NotPermitted):
        services.job_item_retry_now(actor=caseworker.user, failure_id=failure.pk)


def test_ops_failures_api_lists_open_failures(failure, admin):
    r = api(admin).get("/api/v1/ops/failures/")
    assert r.status_code == 200
    [row] = r.json()
    assert row["job"] == "auto_unlock" and row["item"] == "autounlock:41" and row["attempts"] == 1
    assert row["customer_csid"] == failure.customer_csid and row["error_class"] == "RuntimeError"
    assert row["error_message"] == "letter store unavailable"
    services.job_item_failure_resolve(failure=failure)
    assert api(admin).get("/api/v1/ops/failures/").json() == []


def test_retry_now_brings_the_next_attempt_forward_and_is_audited(failure, admin):
    later = T0 + dt.timedelta(minutes=1)
    with clock.freeze(later):
        r = api(admin).post(f"/api/v1/ops/failures/{failure.pk}/retry/")
    assert r.status_code == 200, r.content
    failure.refresh_from_db()
    assert failure.next_attempt_at == later and failure.attempts == 1
    [ev] = AuditEvent.objects.filter(action="core.job_item_retry_now")
    assert ev.actor == admin.user and ev.customer_id == failure.customer_id
    with clock.freeze(later):  # now due: the next run retries it (and it succeeds here)
        items = services.job_items(job="auto_unlock", item_type="autounlock")
        assert not items.waiting(41)
        assert items.run(41, lambda: None).ok
    assert api(admin).post(f"/api/v1/ops/failures/{failure.pk}/retry/").status_code == 404  # resolved


def test_ops_failures_page_lists_and_retries(failure, admin):
    c = web(admin)
    page = c.get("/ops/failures/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "auto_unlock" in html and failure.customer_csid in html and "letter store unavailable" in html
    assert "Retry now" in html
    home = c.get("/")
    assert 'href="/ops/failures/"' in home.content.decode()  # the "Operations" entry
    with clock.freeze(T0 + dt.timedelta(minutes=2)):
        r = c.post(f"/ops/failures/{failure.pk}/retry/")
    assert r.status_code == 302 and r["Location"] == "/ops/failures/"
    failure.refresh_from_db()
    assert failure.next_attempt_at == T0 + dt.timedelta(minutes=2)
    assert AuditEvent.objects.filter(action="core.job_item_retry_now", actor=admin.user).count() == 1


def test_operations_entry_not_shown_to_caseworkers(reference, caseworker):
    assert 'href="/ops/failures/"' not in web(caseworker).get("/").content.decode()


def test_ops_failures_endpoint_is_in_the_schema(admin):
    r = api(admin).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    body = r.content.decode()
    assert r.status_code == 200 and "/api/v1/ops/failures/" in body and "/api/v1/ops/failures/{id}/retry/" in body


def test_a_failure_whose_item_no_longer_needs_the_job_is_resolved_as_gone(reference):
    """Fails on the old code (no failure records): an item done or cancelled by another path is resolved
    ``item_gone`` by the job's next run (audited); one still pending stays open."""
    items = services.job_items(job="test.job", item_type="thing")
    for n in (1, 2):
        items.run(n, lambda: 1 / 0)
    items = services.job_items(job="test.job", item_type="thing")
    assert items.resolve_gone(lambda ids: {"2"} & ids) == 1
    gone = JobItemFailure.objects.get(item_id="1")
    assert gone.resolved_how == "item_gone" and gone.resolved_at is not None
    assert JobItemFailure.objects.get(item_id="2").is_open
    [ev] = AuditEvent.objects.filter(action="core.job_item_resolved")
    assert ev.after["how"] == "item_gone"


def test_a_database_error_in_the_item_is_rolled_back_and_the_failure_still_recorded(reference):
    """A database error inside the item's transaction (PostgreSQL aborts the transaction) does not stop the job nor
    lose the failure record."""
    from django.db import connection

    def bad_sql():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table_i13")

    items = services.job_items(job="test.job", item_type="thing")
    outcomes = [items.run(1, bad_sql), items.run(2, lambda: "ok")]
    assert [o.ok for o in outcomes] == [False, True] and outcomes[1].result == "ok"
    assert JobItemFailure.objects.get(item_id="1").attempts == 1
