"""Permissions per role, declared once (org/rules.py, customers/rules.py) and enforced in services and the API.

The Auditor is read-only: may read customers, cases and notes and search the audit trail, may write nothing.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from casework.customers import models as cm
from casework.org.roles import Role
from casework.testing import factories as f

pytestmark = pytest.mark.django_db

R = Role
PERMS = [
    "customers.view_customer",
    "customers.add_customer",
    "customers.add_note",
    "customers.view_note",
    "customers.view_sensitive",
    "customers.add_presenting_issue",
    "customers.restrict_service",
    "customers.approve_restriction_end",
    "core.view_auditevent",
    "org.manage_reference",
]
# role -> the permissions it holds (everything else refused)
MATRIX = {
    R.SERVICE_OFFICER: {"customers.view_customer", "customers.add_customer", "customers.add_note", "customers.view_note",
                        "customers.view_sensitive", "customers.add_presenting_issue"},
    R.SPECIALIST_OFFICER: {"customers.view_customer", "customers.add_customer", "customers.add_note",
                           "customers.view_note", "customers.view_sensitive", "customers.add_presenting_issue"},
    R.TEAM_LEADER: {"customers.view_customer", "customers.add_customer", "customers.add_note", "customers.view_note",
                    "customers.view_sensitive", "customers.add_presenting_issue", "customers.restrict_service"},
    R.PS_CASE_MANAGER: {"customers.view_customer", "customers.add_customer", "customers.add_note",
                        "customers.view_note", "customers.view_sensitive", "customers.add_presenting_issue"},
    R.PS_TEAM_LEADER: {"customers.view_customer", "customers.add_customer", "customers.add_note",
                       "customers.view_note", "customers.view_sensitive", "customers.add_presenting_issue",
                       "customers.restrict_service"},
    R.CUSTOMER_REVIEW_OFFICER: {"customers.view_customer", "customers.add_customer", "customers.add_note",
                                "customers.view_note", "customers.view_sensitive", "customers.add_presenting_issue"},
    # PS-ORM-3: the NMQCC approves the end of a restricted service (never asks for it: issue 12).
    R.NATIONAL_MANAGER_QCC: {"customers.view_customer", "customers.add_customer", "customers.add_note",
                             "customers.view_note", "customers.view_sensitive", "customers.add_presenting_issue",
                             "customers.approve_restriction_end"},
    # Issue 13: users and reference data only; never a caseworker's write.
    R.ADMINISTRATOR: {"customers.view_customer", "core.view_auditevent", "org.manage_reference"},
    R.AUDITOR: {"customers.view_customer", "customers.view_note", "customers.view_sensitive", "core.view_auditevent"},
}


@pytest.mark.parametrize("role", list(MATRIX), ids=[r.value for r in MATRIX])
def test_permission_matrix(reference, role):
    user = f.OfficerFactory(role=role).user
    held = {p for p in PERMS if user.has_perm(p)}
    assert held == MATRIX[role]


def test_inactive_officer_holds_nothing(reference):
    officer = f.OfficerFactory(is_active=False)
    assert not any(officer.user.has_perm(p) for p in PERMS)


def test_user_without_officer_record_holds_nothing(db):
    user = f.UserFactory()
    assert not any(user.has_perm(p) for p in PERMS)


@pytest.mark.parametrize("role", list(MATRIX), ids=[r.value for r in MATRIX])
def test_api_enforces_the_same_rules(reference, role):
    client = APIClient()
    client.force_authenticate(f.OfficerFactory(role=role).user)
    customer = f.CustomerFactory()
    perms = MATRIX[role]
    assert client.get(f"/api/v1/customers/{customer.csid}/").status_code == (
        200 if "customers.view_customer" in perms else 403
    )
    note = client.post(f"/api/v1/customers/{customer.csid}/notes/", {"subject": "s", "body": "b"}, format="json")
    assert note.status_code == (201 if "customers.add_note" in perms else 403)
    assert client.get("/api/v1/audit/").status_code == (200 if "core.view_auditevent" in perms else 403)
    issue = client.post(
        f"/api/v1/customers/{customer.csid}/issues/", {"issue_type": "care_change", "received_area": "SERVICES"},
        format="json",
    )
    assert issue.status_code == (201 if "customers.add_presenting_issue" in perms else 403)


def test_auditor_writes_nothing_anywhere(reference):
    client = APIClient()
    client.force_authenticate(f.OfficerFactory(role=R.AUDITOR).user)
    customer = f.CustomerFactory()
    other = f.CustomerFactory()
    attempts = [
        client.post("/api/v1/customers/", {"csid": "1000000008", "given_names": "a", "family_name": "b",
                                           "date_of_birth": "1980-01-01", "residence": "NSW"}, format="json"),
        client.patch(f"/api/v1/customers/{customer.csid}/", {"phone_home": "1", "reason": "r"}, format="json"),
        client.post("/api/v1/cases/", {"payer_csid": customer.csid, "payee_csid": other.csid}, format="json"),
        client.post(f"/api/v1/customers/{customer.csid}/notes/", {"subject": "s", "body": "b"}, format="json"),
    ]
    assert [r.status_code for r in attempts] == [403, 403, 403, 403]
    assert cm.Case.objects.count() == 0 and cm.Note.objects.count() == 0
