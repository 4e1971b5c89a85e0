"""Permissions declared once in casework/intrays/rules.py, by role."""

import pytest
from django.contrib.auth import get_user_model

from casework.org.roles import Role
from casework.testing.factories import OfficerFactory

pytestmark = pytest.mark.django_db

PERMS = ("intrays.view_intray", "intrays.add_intray", "intrays.change_intray", "intrays.view_document",
         "intrays.manage_calendar")


@pytest.mark.parametrize("role,expected", [
    (Role.SERVICE_OFFICER, (True, True, True, True, False)),
    (Role.TEAM_LEADER, (True, True, True, True, False)),
    (Role.PS_CASE_MANAGER, (True, True, True, True, False)),
    (Role.AUDITOR, (True, False, False, True, False)),
    # Issue 13: the Administrator keeps the calendar (reference data) and never creates or works intrays.
    (Role.ADMINISTRATOR, (True, False, False, True, True)),
])
def test_permissions_by_role(reference, role, expected):
    user = OfficerFactory(role=role).user
    assert tuple(user.has_perm(p) for p in PERMS) == expected


def test_user_without_officer_has_none(reference):
    user = get_user_model().objects.create_user("plain", password="pass-Word-123")
    assert not any(user.has_perm(p) for p in PERMS)


def test_inactive_officer_has_none(reference):
    officer = OfficerFactory(is_active=False)
    assert not any(officer.user.has_perm(p) for p in PERMS)
