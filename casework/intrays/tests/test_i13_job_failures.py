"""Issue 13: the SLA breach sweep isolates failures per intray. One intray that raises is recorded
(``core.JobItemFailure``), skipped until its backoff time, and never stops the sweep; a later success resolves it."""

from __future__ import annotations

import datetime as dt

import pytest

from casework.core import clock
from casework.core.models import JobItemFailure
from casework.intrays import services
from casework.intrays.jobs import sla_breach_job

from .test_services_lifecycle import make

pytestmark = pytest.mark.django_db


def test_one_raising_intray_never_stops_the_sla_breach_sweep(org, frozen, monkeypatch):
    """Fails on the old code: the exception escaped the job and the intrays after it were never recorded."""
    late = [make(org) for _ in range(3)]
    bad = late[0]
    # Issue 15: the sweep is set-based; a step every intray goes through (in the chunk and when retried alone)
    # raises for one of them.
    real = services._team_leader_for
    fail = {"on": True}

    def flaky(intray, fallback=None):
        if intray.pk == bad.pk and fail["on"]:
            raise RuntimeError("database hiccup")
        return real(intray, fallback)

    monkeypatch.setattr(services, "_team_leader_for", flaky)
    t0 = dt.datetime(2026, 11, 25, 16, 0, tzinfo=dt.UTC)
    with clock.freeze(t0):
        assert sla_breach_job() == 2
    failure = JobItemFailure.objects.get(job="intrays.sla_breach", item_id=str(bad.pk))
    assert failure.attempts == 1 and failure.customer_id == org.customer.pk
    assert failure.customer_csid == org.customer.csid
    fail["on"] = False
    with clock.freeze(t0 + dt.timedelta(minutes=4)):  # before the backoff time: skipped
        assert sla_breach_job() == 0
    with clock.freeze(t0 + dt.timedelta(minutes=5)):
        assert sla_breach_job() == 1
    bad.refresh_from_db()
    failure.refresh_from_db()
    assert bad.sla_breached_at is not None and failure.resolved_how == "succeeded"
