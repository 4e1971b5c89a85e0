"""PS-PSP-1: an unapproved plan past its 21 days is notified to the Team Leader once."""

import datetime as dt

import pytest

from casework.core import clock
from casework.core.models import AuditEvent
from casework.intrays.models import Intray
from casework.ps.jobs import plan_overdue_job
from casework.ps.models import Plan

from .helpers import allocate

pytestmark = pytest.mark.django_db


def test_PS_PSP_1_overdue_plan_notifies_team_leader_once(ps_org):
    allocate(ps_org)
    assert plan_overdue_job() == 0
    with clock.freeze(clock.now() + dt.timedelta(days=23)):
        assert plan_overdue_job() == 1
        assert plan_overdue_job() == 0
    intray = Intray.objects.get(subject__startswith="PSP overdue")
    assert intray.assignee_officer == ps_org.tl
    ev = AuditEvent.objects.get(action="ps_plan.overdue_notify")
    assert ev.actor_label == "job:ps.plan_overdue" and ev.step_ids == ["PS-PSP-1"]



def test_PS_PSP_1_plan_overdue_on_the_case_managers_day_is_notified_at_7am_perth(ps_org):
    """PS-PSP-1: a Perth plan due on Sunday 22 Nov is overdue at 07:00 Monday in Perth, while UTC is still Sunday."""
    rec = allocate(ps_org, cm=ps_org.cm2)
    Plan.objects.filter(pk=rec.plan.pk).update(due_on=dt.date(2026, 11, 22))
    with clock.freeze(dt.datetime(2026, 11, 22, 15, 0, tzinfo=dt.UTC)):  # 23:00 Sunday in Perth: due today
        assert plan_overdue_job() == 0
    with clock.freeze(dt.datetime(2026, 11, 22, 23, 0, tzinfo=dt.UTC)):  # 07:00 Monday in Perth
        assert plan_overdue_job() == 1
        assert plan_overdue_job() == 0
    intray = Intray.objects.get(subject__startswith="PSP overdue")
    assert intray.assignee_officer == ps_org.tl_wa
    ev = AuditEvent.objects.get(action="ps_plan.overdue_notify")
    assert ev.actor_label == "job:ps.plan_overdue" and ev.step_ids == ["PS-PSP-1"]


def test_PS_PSP_1_overdue_notice_is_written_by_the_service_not_the_job(ps_org):
    """The job only selects; ``services.plan_overdue_notify`` writes (and refuses a plan that is not overdue)."""
    from casework.ps import services

    rec = allocate(ps_org)
    assert services.plan_overdue_notify(plan=rec.plan) is False
    Plan.objects.filter(pk=rec.plan.pk).update(due_on=clock.local_today(ps_org.mel) - dt.timedelta(days=1))
    assert services.plan_overdue_notify(plan=rec.plan) is True
    assert services.plan_overdue_notify(plan=rec.plan) is False
    assert AuditEvent.objects.filter(action="ps_plan.overdue_notify").count() == 1


def test_PS_PSP_1_one_raising_plan_never_stops_the_overdue_job(ps_org, monkeypatch):
    """Issue 13 (fails on the old code: only a refusal was caught, so an unexpected error stopped every later plan).
    The bad plan is recorded (``core.JobItemFailure``), skipped until its backoff time, then retried and resolved."""
    from casework.core.models import JobItemFailure
    from casework.ps import services

    from casework.testing.factories import CustomerFactory

    first = allocate(ps_org)
    other = type("Org", (ps_org,), {"customer": CustomerFactory()})
    second = allocate(other, cm=ps_org.cm2)
    Plan.objects.filter(pk__in=[first.plan.pk, second.plan.pk]).update(due_on=dt.date(2026, 11, 2))
    real = services.plan_overdue_notify
    fail = {"on": True}

    def flaky(*, plan):
        if plan.pk == first.plan.pk and fail["on"]:
            raise RuntimeError("intray store unavailable")
        return real(plan=plan)

    monkeypatch.setattr(services, "plan_overdue_notify", flaky)
    t0 = dt.datetime(2026, 11, 23, 23, 0, tzinfo=dt.UTC)
    with clock.freeze(t0):
        assert plan_overdue_job() == 1
    failure = JobItemFailure.objects.get(job="ps.plan_overdue", item_id=str(first.plan.pk))
    assert failure.attempts == 1 and failure.customer_id == first.customer_id
    assert AuditEvent.objects.get(action="core.job_item_failed").step_ids == ["PS-PSP-1"]
    fail["on"] = False
    with clock.freeze(t0 + dt.timedelta(minutes=1)):
        assert plan_overdue_job() == 0  # waiting for its backoff time
    with clock.freeze(t0 + dt.timedelta(minutes=5)):
        assert plan_overdue_job() == 1
    failure.refresh_from_db()
    assert failure.resolved_how == "succeeded"
    assert Intray.objects.filter(subject__startswith="PSP overdue").count() == 2
