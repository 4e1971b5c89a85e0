"""Least privilege (issue 13): the Administrator manages users and reference data and never acts as a caseworker;
a Django superuser is not a way round the rules (nobody signs in as one).

Measured: the demo ``admin`` was a superuser that added caseworker notes, sent letters and decided ownership
disputes; ``has_perm`` is always true for a superuser, so the fix is that no superuser works at all."""

from __future__ import annotations

import pytest
import rules
from django.core import checks
from django.test import Client
from rest_framework.test import APIClient

from casework.core.models import AuditEvent
from casework.customers import models as cm
from casework.customers.csid import make_csid
from casework.org.roles import Role
from casework.testing import factories as f

pytestmark = pytest.mark.django_db

# What the Administrator role is for: users and reference data (office calendars included), reading the trail.
ADMINISTRATOR_PERMISSIONS = ["org.manage_reference", "intrays.manage_calendar", "core.view_auditevent"]
# Every permission that changes something about a customer, their cases, intrays, contacts, ownership, PS or letters.
CASEWORK_WRITE_PERMISSIONS = sorted(
    name
    for name in rules.permissions.permissions
    if name.split(".")[0] in {"customers", "intrays", "contacts", "ownership", "ps", "letters"}
    and not name.split(".")[1].startswith(("view_", "export"))
    and name not in ADMINISTRATOR_PERMISSIONS
)


@pytest.fixture
def administrator(reference):
    return f.OfficerFactory(role=Role.ADMINISTRATOR, position=None, user__username="admin1", user__is_staff=True)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_matrix_covers_the_caseworker_writes():
    assert {"customers.add_note", "customers.add_customer", "customers.add_case", "letters.issue_letter",
            "ownership.lock_customer", "ownership.decide_dispute", "intrays.add_intray",
            "contacts.run_contact"} <= set(CASEWORK_WRITE_PERMISSIONS)


@pytest.mark.parametrize("perm", CASEWORK_WRITE_PERMISSIONS)
def test_administrator_has_no_caseworker_permission(administrator, perm):
    """Role matrix (issue 13): the Administrator is refused every caseworker write, whatever the procedure step."""
    assert administrator.user.has_perm(perm) is False


@pytest.mark.parametrize("perm", ADMINISTRATOR_PERMISSIONS)
def test_administrator_keeps_user_and_reference_data_management(administrator, perm):
    assert administrator.user.has_perm(perm) is True


def test_superuser_flag_grants_no_role(reference):
    """``is_superuser`` is not a role: the rules' Administrator predicate ignores it (was ``| rules.is_superuser``)."""
    from casework.org.rules import is_administrator

    user = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    assert is_administrator(user) is False


def _api_writes(customer, other):
    """(label, url, body) of caseworker writes over the API, each with a body a caseworker would get 2xx for."""
    return [
        ("note", f"/api/v1/customers/{customer.csid}/notes/", {"subject": "Call", "body": "Discussed income."}),
        ("letter", "/api/v1/letters/", {"csid": customer.csid, "template_code": "decision_letter"}),
        ("lock", f"/api/v1/customers/{customer.csid}/ownership/lock/", {"reason": "Working it"}),
        ("customer", "/api/v1/customers/", {"csid": make_csid(321654987), "given_names": "Grace",
                                            "family_name": "Hopper", "date_of_birth": "1976-12-09",
                                            "residence": "VIC"}),
        ("case", "/api/v1/cases/", {"payer_csid": customer.csid, "payee_csid": other.csid,
                                    "collection_type": "private"}),
    ]


@pytest.mark.parametrize("label", ["note", "letter", "lock", "customer", "case"])
def test_administrator_refused_caseworker_writes_over_the_api_403(administrator, label):
    customer, other = f.CustomerFactory(), f.CustomerFactory()
    url, body = next((u, b) for name, u, b in _api_writes(customer, other) if name == label)
    before = AuditEvent.objects.count()
    response = api(administrator.user).post(url, body, format="json")
    assert response.status_code == 403, (label, response.status_code, response.content[:300])
    assert response.json()["detail"]
    assert AuditEvent.objects.filter(action__in=["note.add", "letter.issue", "lock.create", "customer.create",
                                                 "case.create"]).count() == 0
    assert AuditEvent.objects.count() == before


def test_caseworker_may_do_the_same_writes(reference):
    """The other side of the matrix: the same bodies succeed for a Team Leader, so the 403s above are the role."""
    officer = f.OfficerFactory(role=Role.TEAM_LEADER)
    customer, other = f.CustomerFactory(), f.CustomerFactory()
    for label, url, body in _api_writes(customer, other):
        response = api(officer.user).post(url, body, format="json")
        assert response.status_code in (200, 201), (label, response.status_code, response.content[:300])


def test_demo_admin_is_not_a_superuser_and_cannot_add_notes(reference):
    """Measured: the demo ``admin`` (a superuser) added caseworker notes. Now staff, Administrator, refused 403."""
    from casework.web import demo

    from django.contrib.auth import get_user_model

    demo.seed()

    user = get_user_model().objects.get(username="admin")
    assert user.is_staff and not user.is_superuser
    customer = f.CustomerFactory()
    response = api(user).post(f"/api/v1/customers/{customer.csid}/notes/", {"subject": "s", "body": "b"},
                              format="json")
    assert response.status_code == 403
    assert not cm.Note.objects.filter(customer=customer).exists()


def test_superuser_cannot_sign_in_on_the_web_or_get_a_token(reference):
    """Issue 13: a superuser passes every permission rule, so such an account cannot sign in at all."""
    f.UserFactory(username="root", is_superuser=True, is_staff=True)
    web = Client()
    response = web.post("/login/", {"username": "root", "password": "pass-Word-123"})
    assert response.status_code == 200 and "_auth_user_id" not in web.session  # the form again, not signed in
    response = APIClient().post("/api/v1/auth/token/", {"username": "root", "password": "pass-Word-123"},
                                format="json")
    assert response.status_code == 400 and "token" not in response.json()


def test_existing_superuser_session_and_token_are_refused(reference):
    from knox.models import AuthToken

    user = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    web = Client()
    web.force_login(user)  # e.g. a session from before the account was made a superuser
    assert web.get("/admin/").status_code == 302  # sent to sign in: the session is not honoured
    _, secret = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get("/api/v1/auth/tokens/").status_code in (401, 403)


def test_system_check_refuses_an_active_superuser_in_production(reference, settings):
    from casework.core.checks import no_active_superuser

    assert no_active_superuser(databases=["default"]) == []
    f.UserFactory(username="root", is_superuser=True)
    settings.DEBUG = False
    errors = no_active_superuser(databases=["default"])
    assert [e.id for e in errors] == ["casework.E001"] and errors[0].level == checks.ERROR


ADMIN_URLS_REMOVED = [
    "/admin/django_q/schedule/",
    "/admin/django_q/schedule/add/",
    "/admin/django_q/success/",
    "/admin/django_q/failure/",
    "/admin/django_q/ormq/",
    "/admin/knox/authtoken/",
    "/admin/authtoken/tokenproxy/",
]


@pytest.mark.parametrize("url", ADMIN_URLS_REMOVED)
def test_scheduler_and_token_admin_screens_are_gone_404(administrator, url):
    """Measured: a schedule with ``func=os.system`` ran ``TRUNCATE core_auditevent`` from the admin; tokens were
    readable in clear. Those screens no longer exist for anyone."""
    client = Client()
    client.force_login(administrator.user)
    assert client.get("/admin/").status_code == 200
    assert client.get(url).status_code == 404


def test_django_user_permissions_grant_nothing(administrator):
    """Bypass: Django's per-user permission ``customers.add_note`` (same name as the rule) grants nothing."""
    from django.contrib.auth.models import Permission

    administrator.user.user_permissions.add(Permission.objects.get(codename="add_note", content_type__app_label="customers"))
    user = type(administrator.user).objects.get(pk=administrator.user.pk)  # fresh permission cache
    assert user.has_perm("customers.add_note") is False


def test_user_admin_cannot_make_a_superuser(administrator):
    client = Client()
    client.force_login(administrator.user)
    target = f.UserFactory(username="target")
    page = client.get(f"/admin/auth/user/{target.pk}/change/").content.decode()
    assert 'name="is_staff"' in page
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
