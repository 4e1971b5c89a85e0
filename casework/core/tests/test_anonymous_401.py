"""An API call with no credentials is told to authenticate (401 with a ``WWW-Authenticate: Token`` challenge), not
refused as if it were a signed-in officer without the right (403) — issue 10. A wrong or expired token is a 401 too;
a signed-in browser session still works (the session class comes after the token class)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from casework.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/customers/"),
    ("post", "/api/v1/customers/"),
    ("get", "/api/v1/intrays/"),
    ("post", "/api/v1/contacts/"),
    ("post", "/api/v1/letters/"),
])
def test_no_credentials_is_401_with_a_token_challenge(method, path):
    response = getattr(APIClient(), method)(path, {}, format="json")
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith("Token")


def test_an_unknown_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert client.get("/api/v1/customers/").status_code == 401


def test_a_signed_in_session_still_reaches_the_api(reference):
    officer = f.OfficerFactory(role="service_officer")
    client = APIClient()
    client.force_login(officer.user)
    assert client.get("/api/v1/intrays/").status_code == 200
