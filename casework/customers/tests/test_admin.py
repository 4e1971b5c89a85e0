"""Admin: reference data changes are audited, delete deactivates, customers and the audit trail are read-only."""

from __future__ import annotations

import pytest
from django.test import Client

from casework.core.models import AuditEvent
from casework.org.models import BusinessArea, IssueType, Office
from casework.org.roles import Role
from casework.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(reference):
    # The Administrator role (staff, never a superuser: docs/security.md).
    user = f.OfficerFactory(role=Role.ADMINISTRATOR, position=None, user__username="root", user__is_staff=True).user
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def staff_client(role):
    officer = f.OfficerFactory(role=role, user__is_staff=True)
    client = Client()
    client.force_login(officer.user)
    return client


def test_admin_create_office_is_audited(admin_client):
    response = admin_client.post(
        "/admin/org/office/add/", {"code": "launceston", "name": "Launceston", "state": "TAS", "timezone": "", "is_active": "on"}
    )
    assert response.status_code == 302, response.content[:2000]
    office = Office.objects.get(code="launceston")
    event = AuditEvent.objects.get(action="office.create", target_id=str(office.pk))
    assert event.target_id == str(office.pk) and event.actor_id == admin_client.user.pk
    assert event.after["timezone"] == "Australia/Hobart"


def test_admin_change_business_area_records_before_and_after_cma_1_5(admin_client):
    area = BusinessArea.objects.get(code="COMPENSATION")
    response = admin_client.post(
        f"/admin/org/businessarea/{area.pk}/change/",
        {
            "code": area.code,
            "name": area.name,
            "kind": area.kind,
            "retention_priority": "7",
            "retains_parties": "payer",
            "description": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content[:3000]
    event = AuditEvent.objects.filter(action="businessarea.update").latest("id")
    assert event.before == {"retention_priority": None, "retains_parties": "none"}
    assert event.after == {"retention_priority": 7, "retains_parties": "payer"}


def test_admin_delete_deactivates_and_is_audited(admin_client):
    issue = IssueType.objects.get(code="foi")
    response = admin_client.post(f"/admin/org/issuetype/{issue.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.is_active is False
    assert AuditEvent.objects.filter(action="issuetype.deactivate", target_id=str(issue.pk)).exists()


def test_admin_bulk_deactivate_action(admin_client):
    offices = [f.OfficeFactory(), f.OfficeFactory()]
    response = admin_client.post(
        "/admin/org/office/",
        {"action": "deactivate_selected", "_selected_action": [str(o.pk) for o in offices]},
    )
    assert response.status_code == 302
    assert not Office.objects.filter(pk__in=[o.pk for o in offices], is_active=True).exists()
    assert AuditEvent.objects.filter(action="office.deactivate").count() == 2


def test_customers_and_audit_are_read_only_in_admin(admin_client):
    customer = f.CustomerFactory()
    assert admin_client.get(f"/admin/customers/customer/{customer.pk}/change/").status_code == 200
    assert admin_client.get("/admin/customers/customer/add/").status_code == 403
    response = admin_client.post(f"/admin/customers/customer/{customer.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert admin_client.get("/admin/core/auditevent/").status_code == 200
    event = AuditEvent.objects.first()
    assert admin_client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403


@pytest.mark.parametrize(
    "role, reference_ok, audit_ok",
    [(Role.AUDITOR, False, True), (Role.ADMINISTRATOR, True, True), (Role.SERVICE_OFFICER, False, False)],
)
def test_admin_permissions_per_role(reference, role, reference_ok, audit_ok):
    client = staff_client(role)
    assert (client.get("/admin/org/businessarea/add/").status_code == 200) is reference_ok
    assert (client.get("/admin/core/auditevent/").status_code == 200) is audit_ok


def test_admin_user_changes_are_audited_without_password_hashes(admin_client):
    response = admin_client.post(
        "/admin/auth/user/add/",
        {"username": "newofficer", "password1": "A-long-pass-123!", "password2": "A-long-pass-123!", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:2000]
    created = AuditEvent.objects.get(action="user.create")
    assert "password" not in created.after
    user = f.UserFactory._meta.model.objects.get(username="newofficer")
    response = admin_client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": "Another-pass-456!", "password2": "Another-pass-456!", "usable_password": "true"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="user.password_change", target_id=str(user.pk)).exists()
    response = admin_client.post(f"/admin/auth/user/{user.pk}/delete/", {"post": "yes"})
    user.refresh_from_db()
    assert user.is_active is False
    assert AuditEvent.objects.filter(action="user.deactivate", target_id=str(user.pk)).exists()
    assert not any("pbkdf2" in str(e.after) or "pbkdf2" in str(e.before) for e in AuditEvent.objects.all())
