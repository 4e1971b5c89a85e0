"""Reading notifications touches only the reader's own (issue 10, bypass matrix group "facts": the matrix sees the
status only, so the effect is checked here): read-all marks the actor's notifications and no one else's; another
officer's notification is not found."""

import pytest
from rest_framework.test import APIClient

from casework.notifications.models import Notification
from casework.notifications.services import notification_send
from casework.org.roles import Role
from casework.testing import factories as f

pytestmark = pytest.mark.django_db


def _api(officer) -> APIClient:
    client = APIClient()
    client.force_authenticate(officer.user)
    return client


def test_read_all_marks_only_the_readers_notifications_and_another_officers_is_not_found(reference):
    me, other = f.OfficerFactory(role=Role.SERVICE_OFFICER), f.OfficerFactory(role=Role.TEAM_LEADER)
    mine = notification_send(recipients=[me], kind="work_received", text="For me", key="t:mine")[0]
    theirs = notification_send(recipients=[other], kind="work_received", text="For them", key="t:theirs")[0]

    assert _api(me).post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert _api(me).post("/api/v1/notifications/read-all/").json() == {"marked": 1}

    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None
