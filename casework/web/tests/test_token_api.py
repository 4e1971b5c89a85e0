"""POST /api/v1/auth/token/ {"username", "password"} -> {"token", "expiry"} (django-rest-knox: stored hashed,
expiring); listed without the secret; revoked by logout. Every refusal is a 4xx, never a 500."""

import datetime as dt

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from casework.core.models import AuditEvent
from casework.testing.factories import OfficerFactory

URL = "/api/v1/auth/token/"
CREDENTIALS = {"username": "tokenuser", "password": "pass-Word-123"}


@pytest.fixture
def user(org_reference):
    return OfficerFactory(user__username="tokenuser").user


def _issue(client=None):
    response = (client or APIClient()).post(URL, CREDENTIALS, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_token_issued_with_expiry_and_works(user):
    body = _issue()
    assert set(body) == {"token", "expiry"} and body["expiry"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get("/api/v1/auth/tokens/").status_code == 200


def test_token_is_stored_hashed_never_in_clear(user):
    """Issue 13: an administrator could read any officer's token in clear. Only a digest is stored now."""
    secret = _issue()["token"]
    row = AuthToken.objects.get(user=user)
    assert secret not in {row.digest, row.token_key} and row.digest != secret
    assert secret.startswith(row.token_key)  # the key is only the public prefix used to list and revoke
    event = AuditEvent.objects.get(action="auth.token_issue")
    assert secret not in str(event.after) and event.actor_id == user.pk and event.after["ip"] == "127.0.0.1"


def test_expired_token_is_refused(user):
    """Issue 13: API tokens never expired."""
    secret = _issue()["token"]
    AuthToken.objects.filter(user=user).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get("/api/v1/auth/tokens/").status_code in (401, 403)


def test_tokens_listed_without_secret_and_logout_revokes(user):
    first, second = _issue()["token"], _issue()["token"]
    assert first != second
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    listed = client.get("/api/v1/auth/tokens/").json()
    assert len(listed) == 2 and all(set(row) == {"token_key", "created", "expiry"} for row in listed)
    assert first not in str(listed) and second not in str(listed)
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/auth/tokens/").status_code in (401, 403)
    assert AuditEvent.objects.filter(action="auth.token_revoke", actor=user).count() == 1
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert other.get("/api/v1/auth/tokens/").status_code == 200


def test_revoke_own_token_by_key_not_someone_elses(user):
    mine = _issue()["token"]
    stranger = OfficerFactory(user__username="stranger").user
    theirs_row, _ = AuthToken.objects.create(user=stranger)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {mine}")
    assert client.post(f"/api/v1/auth/tokens/{theirs_row.token_key}/revoke/").status_code == 404
    assert AuthToken.objects.filter(user=stranger).exists()
    key = AuthToken.objects.get(user=user).token_key
    assert client.post(f"/api/v1/auth/tokens/{key}/revoke/").status_code == 204
    assert not AuthToken.objects.filter(user=user).exists()


@pytest.mark.parametrize("body,field", [
    ({}, "username"),
    ({"username": "tokenuser"}, "password"),
    ({"password": "pass-Word-123"}, "username"),
])
def test_missing_fields_are_400_per_field(user, body, field):
    response = APIClient().post(URL, body, format="json")
    assert response.status_code == 400 and field in response.json()


def test_wrong_password_is_400_and_audited(user):
    response = APIClient().post(URL, {"username": "tokenuser", "password": "nope"}, format="json")
    assert response.status_code == 400 and "token" not in response.json()
    event = AuditEvent.objects.get(action="auth.sign_in_failed")
    assert event.after == {"username": "tokenuser", "ip": "127.0.0.1"} and event.target_id == str(user.pk)


def test_inactive_user_gets_no_token(user):
    user.is_active = False
    user.save()
    response = APIClient().post(URL, CREDENTIALS, format="json")
    assert response.status_code == 400


def test_bad_token_is_refused(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/customers/search/").status_code in (401, 403)
