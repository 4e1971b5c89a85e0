"""Organisation services (officers, teams, positions): administrators only, audited, validated."""

from __future__ import annotations

import pytest

from casework.core.errors import InvalidInput, NotPermitted
from casework.core.models import AuditEvent
from casework.org import services
from casework.org.roles import Role
from casework.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(reference):
    return f.OfficerFactory(role=Role.ADMINISTRATOR).user


def test_officer_create_and_update_are_audited_without_password(admin_user):
    position = f.PositionFactory()
    officer = services.officer_create(
        actor=admin_user, username="new_so", password="pass-Word-123", role=Role.SERVICE_OFFICER, position=position
    )
    assert officer.user.check_password("pass-Word-123")
    event = AuditEvent.objects.get(action="officer.create")
    assert event.after == {"username": "new_so", "role": "service_officer", "position": position.code}
    services.officer_update(actor=admin_user, officer=officer, reason="Left the agency", is_active=False)
    officer.user.refresh_from_db()
    assert officer.user.is_active is False
    update = AuditEvent.objects.get(action="officer.update")
    assert update.before == {"is_active": True} and update.reason == "Left the agency"
    assert not any("pbkdf2" in str(e.after) for e in AuditEvent.objects.all())


def test_officer_create_refusals(admin_user):
    with pytest.raises(InvalidInput) as exc:
        services.officer_create(actor=admin_user, username="x", password="pass-Word-123", role="wizard")
    assert "role" in exc.value.fields
    with pytest.raises(InvalidInput) as exc:
        services.officer_create(actor=admin_user, username="x", password="short", role=Role.AUDITOR)
    assert "password" in exc.value.fields
    with pytest.raises(NotPermitted):
        services.officer_create(
            actor=f.OfficerFactory().user, username="y", password="pass-Word-123", role=Role.AUDITOR
        )


def test_team_needs_a_team_leader(admin_user):
    office = f.OfficeFactory()
    area = f.area("SERVICES")
    with pytest.raises(InvalidInput) as exc:
        services.team_create(actor=admin_user, name="T1", business_area=area, office=office, leader=f.OfficerFactory())
    assert "leader" in exc.value.fields
    leader = f.OfficerFactory(role=Role.TEAM_LEADER)
    team = services.team_create(actor=admin_user, name="T1", business_area=area, office=office, leader=leader)
    other = f.OfficerFactory(role=Role.PS_TEAM_LEADER)
    services.team_leader_set(actor=admin_user, team=team, leader=other, reason="Rotation")
    assert [e.action for e in AuditEvent.objects.filter(target_type="team").order_by("id")] == ["team.create", "team.update"]


def test_position_team_must_share_business_area(admin_user):
    team = f.TeamFactory()
    with pytest.raises(InvalidInput) as exc:
        services.position_create(
            actor=admin_user, code="p-x", title="X", business_area=f.area("DPO"), office=team.office, team=team
        )
    assert "team" in exc.value.fields
    position = services.position_create(
        actor=admin_user, code="p-y", title="Y", business_area=team.business_area, office=team.office, team=team
    )
    assert AuditEvent.objects.filter(action="position.create", target_id=str(position.pk)).exists()


def test_an_administrator_cannot_change_their_own_role_position_or_access(admin_user, client):
    """Review of issue 11 (finding 16): an administrator could make themselves the National Manager QCC (a decider)
    through the organisation screens or the Django admin. Another administrator does it."""
    me = admin_user.officer
    with pytest.raises(NotPermitted):
        services.officer_update(actor=admin_user, officer=me, reason="Promote myself", role=Role.NATIONAL_MANAGER_QCC)
    me.refresh_from_db()
    assert me.role == Role.ADMINISTRATOR
    other_admin = f.OfficerFactory(role=Role.ADMINISTRATOR).user
    services.officer_update(actor=other_admin, officer=me, reason="Second administrator agrees",
                            role=Role.ADMINISTRATOR)
    from casework.org.admin import OfficerAdmin
    from django.contrib import admin as django_admin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = admin_user
    readonly = OfficerAdmin(type(me), django_admin.site).get_readonly_fields(request, me)
    assert {"role", "position", "is_active"} <= set(readonly)
