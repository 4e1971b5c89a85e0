"""Organisation administration API and screens: administrators only (403 for everyone else), audited, validated."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from casework.core.models import AuditEvent
from casework.org.models import Office, Officer, Position, Team
from casework.org.roles import Role
from casework.testing import factories as f

pytestmark = pytest.mark.django_db

URLS = ["/api/v1/org/offices/", "/api/v1/org/teams/", "/api/v1/org/positions/", "/api/v1/org/officers/",
        "/api/v1/org/coverage/"]


@pytest.fixture
def admin(reference):
    client = APIClient()
    user = f.OfficerFactory(role=Role.ADMINISTRATOR, position=None).user
    client.force_authenticate(user)
    client.user = user
    return client


@pytest.mark.parametrize("role", [Role.SERVICE_OFFICER, Role.TEAM_LEADER, Role.AUDITOR])
@pytest.mark.parametrize("url", URLS)
def test_non_administrators_get_403_on_every_endpoint(reference, role, url):
    client = APIClient()
    client.force_authenticate(f.OfficerFactory(role=role).user)
    assert client.get(url).status_code == 403
    if url != "/api/v1/org/coverage/":
        response = client.post(url, {"code": "x", "name": "x"}, format="json")
        assert response.status_code == 403
        assert "administrator" in response.json()["detail"]


def test_non_administrator_cannot_patch(reference):
    client = APIClient()
    client.force_authenticate(f.OfficerFactory(role=Role.TEAM_LEADER).user)
    assert client.patch("/api/v1/org/offices/adelaide/", {"reason": "x", "name": "y"}, format="json").status_code == 403
    assert Office.objects.get(code="adelaide").name == "Adelaide"


def test_anonymous_is_refused(reference):
    assert APIClient().get("/api/v1/org/offices/").status_code in (401, 403)


def test_admin_adds_an_office_team_position_and_officer_all_audited(admin):
    r = admin.post("/api/v1/org/offices/", {"code": "alice-springs", "name": "Alice Springs", "state": "NT"},
                   format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["timezone"] == "Australia/Darwin"
    r = admin.post("/api/v1/org/teams/", {"name": "FOI — Alice Springs", "business_area": "FOI",
                                          "office": "alice-springs"}, format="json")
    assert r.status_code == 201, r.json()
    team_id = r.json()["id"]
    r = admin.post("/api/v1/org/positions/", {"code": "FOI-alice-1", "title": "FOI officer", "business_area": "FOI",
                                              "office": "alice-springs", "team": team_id}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["state"] == "NT"
    r = admin.post("/api/v1/org/officers/", {"username": "foi_nt", "password": "long-enough-1", "role":
                                             "specialist_officer", "position": "FOI-alice-1"}, format="json")
    assert r.status_code == 201, r.json()
    assert "password" not in r.json()
    actions = set(AuditEvent.objects.filter(actor=admin.user).values_list("action", flat=True))
    assert actions == {"office.create", "team.create", "position.create", "officer.create"}


def test_admin_updates_need_a_reason_and_are_audited(admin):
    r = admin.patch("/api/v1/org/offices/hobart/", {"name": "Hobart CBD"}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = admin.patch("/api/v1/org/offices/hobart/", {"name": "Hobart CBD", "reason": "Moved"}, format="json")
    assert r.status_code == 200 and r.json()["name"] == "Hobart CBD"
    event = AuditEvent.objects.get(action="office.update")
    assert event.before == {"name": "Hobart"} and event.after == {"name": "Hobart CBD"} and event.reason == "Moved"
    r = admin.patch("/api/v1/org/positions/FOI-darwin-intake/", {"is_active": False, "reason": "Closed"},
                    format="json")
    assert r.status_code == 200
    cov = admin.get("/api/v1/org/coverage/").json()
    assert cov["complete"] is False and cov["gaps"] == [
        {"area_code": "FOI", "area_name": "Freedom of Information", "state": "NT"}
    ]
    assert cov["step_ids"] == ["CMA-1.3", "CMA-2.10", "CMA-3.3"]


def test_admin_input_errors_are_400_with_field_messages(admin):
    r = admin.post("/api/v1/org/offices/", {"code": "x", "name": "X", "state": "ZZ"}, format="json")
    assert r.status_code == 400 and "state" in r.json()
    r = admin.post("/api/v1/org/offices/", {"code": "x", "name": "X", "state": "SA", "timezone": "Mars/Olympus"},
                   format="json")
    assert r.status_code == 400 and "timezone" in r.json()
    r = admin.post("/api/v1/org/offices/", {"code": "adelaide", "name": "Again", "state": "SA"}, format="json")
    assert r.status_code == 400 and "code" in r.json()
    r = admin.post("/api/v1/org/positions/", {"code": "p1", "title": "t", "business_area": "NOPE",
                                              "office": "adelaide"}, format="json")
    assert r.status_code == 400 and "business_area" in r.json()
    assert not Office.objects.filter(code="x").exists()


def test_position_with_an_active_officer_is_not_deactivated(admin):
    officer = f.OfficerFactory()
    r = admin.patch(f"/api/v1/org/positions/{officer.position.code}/", {"is_active": False, "reason": "x"},
                    format="json")
    assert r.status_code == 400 and "is_active" in r.json()


def test_officer_role_and_position_change(admin):
    officer = f.OfficerFactory()
    r = admin.patch(f"/api/v1/org/officers/{officer.user.username}/",
                    {"role": "team_leader", "position": "SERVICES-adelaide-intake", "reason": "Promoted"},
                    format="json")
    assert r.status_code == 200, r.json()
    officer.refresh_from_db()
    assert officer.role == "team_leader" and officer.position.code == "SERVICES-adelaide-intake"
    team = Team.objects.create(name="T", business_area=officer.position.business_area, office=officer.position.office)
    r = admin.patch(f"/api/v1/org/teams/{team.pk}/", {"leader": officer.user.username, "reason": "New TL"},
                    format="json")
    assert r.status_code == 200 and r.json()["leader"] == officer.user.username


# --- screens ---------------------------------------------------------------------------------------------------------


def test_screen_is_for_administrators_only(client, reference):
    so = f.OfficerFactory(role=Role.SERVICE_OFFICER)
    client.force_login(so.user)
    assert client.get("/org/").status_code == 403
    assert client.post("/org/offices/new/", {"code": "x", "name": "X", "state": "SA"}).status_code == 403
    assert not Office.objects.filter(code="x").exists()


def test_screen_lists_coverage_and_adds_a_position_through_the_form(client, reference):
    admin_user = f.OfficerFactory(role=Role.ADMINISTRATOR, position=None).user
    client.force_login(admin_user)
    Position.objects.filter(code="PRIVACY-canberra-intake").update(is_active=False)
    page = client.get("/org/").content.decode()
    assert "Privacy (PRIVACY)" in page and "CMA-2.10" in page
    r = client.post("/org/positions/new/", {"code": "PRIVACY-canberra-intake-2", "title": "Privacy intake",
                                            "business_area": "PRIVACY", "office": "canberra"})
    assert r.status_code == 302
    assert AuditEvent.objects.filter(action="position.create", actor=admin_user).exists()
    assert "Every business area has an intake position" in client.get("/org/").content.decode()
    r = client.post("/org/officers/new/", {"username": "u1", "password": "short", "role": "service_officer"})
    assert r.status_code == 400 and not Officer.objects.filter(user__username="u1").exists()
