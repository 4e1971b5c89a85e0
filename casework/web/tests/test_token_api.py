"""POST /api/v1/auth/token/ {"username", "password"} -> {"token"}; every refusal is a 400, never a 500."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from casework.testing.factories import OfficerFactory

URL = "/api/v1/auth/token/"


@pytest.fixture
def user(org_reference):
    return OfficerFactory(user__username="tokenuser").user


def test_token_issued_and_stable(user):
    client = APIClient()
    first = client.post(URL, {"username": "tokenuser", "password": "pass-Word-123"}, format="json")
    second = client.post(URL, {"username": "tokenuser", "password": "pass-Word-123"}, format="json")
    assert first.status_code == 200 and first.json()["token"] == second.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {first.json()['token']}")
    assert client.get("/api/v1/health/").status_code == 200


@pytest.mark.parametrize("body,field", [
    ({}, "username"),
    ({"username": "tokenuser"}, "password"),
    ({"password": "pass-Word-123"}, "username"),
])
def test_missing_fields_are_400_per_field(user, body, field):
    response = APIClient().post(URL, body, format="json")
    assert response.status_code == 400 and field in response.json()


def test_wrong_password_is_400(user):
    response = APIClient().post(URL, {"username": "tokenuser", "password": "nope"}, format="json")
    assert response.status_code == 400 and "token" not in response.json()


def test_inactive_user_gets_no_token(user):
    user.is_active = False
    user.save()
    response = APIClient().post(URL, {"username": "tokenuser", "password": "pass-Word-123"}, format="json")
    assert response.status_code == 400


def test_bad_token_is_refused(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/customers/search/").status_code in (401, 403)


def test_token_is_issued_by_the_service_and_audited_once(user):
    from casework.core.models import AuditEvent

    client = APIClient()
    for _ in range(2):
        assert client.post(URL, {"username": "tokenuser", "password": "pass-Word-123"}, format="json").status_code == 200
    event = AuditEvent.objects.get(action="api_token.issue")
    assert event.target_id == str(user.pk)
    assert Token.objects.get(user=user).key not in f"{event.after} {event.target_repr}"
