"""PS-PSP-1: an unapproved plan past its 21 days is notified to the Team Leader once."""

import datetime as dt

import pytest

from casework.core import clock
from casework.core.models import AuditEvent
from casework.intrays.models import Intray
from casework.ps.jobs import plan_overdue_job

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
