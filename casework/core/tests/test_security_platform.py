"""Sign-in throttling and auditing, Content-Security-Policy, JSON server errors on the API (issue 13)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.test import Client
from rest_framework.test import APIClient

from casework.core.models import AuditEvent
from casework.testing import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "pass-Word-123"


@pytest.fixture
def officer_user(reference):
    return f.OfficerFactory(user__username="so_throttle").user


def test_web_sign_in_succeeds_and_is_audited_with_address(officer_user):
    client = Client()
    response = client.post("/login/", {"username": "so_throttle", "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(officer_user.pk)
    event = AuditEvent.objects.get(action="auth.sign_in")
    assert event.actor_id == officer_user.pk and event.after == {"ip": "127.0.0.1", "via": "web"}


def test_web_30_wrong_passwords_then_the_right_one_is_refused(officer_user):
    """Measured: 30 wrong passwords, then the right one → 200 signed in. Now locked out (429), and audited."""
    client = Client()
    for _ in range(30):
        client.post("/login/", {"username": "so_throttle", "password": "wrong"})
    response = client.post("/login/", {"username": "so_throttle", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert b"too many failed sign-ins" in response.content.lower()
    assert AuditEvent.objects.filter(action="auth.sign_in_failed", after__username="so_throttle").count() >= 5
    assert AuditEvent.objects.filter(action="auth.sign_in_locked_out").exists()
    assert not AuditEvent.objects.filter(action="auth.sign_in").exists()


def test_lockout_follows_the_username_across_addresses(officer_user):
    for i in range(30):
        Client(REMOTE_ADDR=f"10.0.0.{i + 1}").post("/login/", {"username": "so_throttle", "password": "wrong"})
    response = Client(REMOTE_ADDR="10.0.1.1").post("/login/", {"username": "so_throttle", "password": PASSWORD})
    assert response.status_code == 429


def test_token_endpoint_30_wrong_passwords_then_the_right_one_is_refused(officer_user):
    """Measured on the API sign-in too: the token endpoint shares the web sign-in's lockout."""
    client = APIClient()
    for _ in range(30):
        client.post("/api/v1/auth/token/", {"username": "so_throttle", "password": "wrong"}, format="json")
    response = client.post("/api/v1/auth/token/", {"username": "so_throttle", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out" and "token" not in response.json()


def test_web_failures_lock_the_token_endpoint_too(officer_user):
    web = Client()
    for _ in range(10):
        web.post("/login/", {"username": "so_throttle", "password": "wrong"})
    response = APIClient().post("/api/v1/auth/token/", {"username": "so_throttle", "password": PASSWORD},
                                format="json")
    assert response.status_code == 429


def test_a_few_failures_then_success_is_allowed(officer_user):
    client = Client()
    for _ in range(2):
        client.post("/login/", {"username": "so_throttle", "password": "wrong"})
    response = client.post("/login/", {"username": "so_throttle", "password": PASSWORD})
    assert response.status_code == 302


def test_content_security_policy_header_on_pages(officer_user):
    """Measured: no CSP header. Scripts only from this origin; nothing may frame the app."""
    response = Client().get("/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    client = Client()
    client.force_login(officer_user)
    assert "Content-Security-Policy" in client.get("/").headers


def test_pages_have_no_inline_script(officer_user):
    """With ``script-src 'self'`` an inline script would not run: the shell must not need one."""
    import re

    client = Client()
    client.force_login(officer_user)
    for url in ("/login/", "/", "/api/v1/docs/"):
        page = client.get(url).content.decode()
        inline = [m for m in re.findall(r"<script([^>]*)>", page) if "src=" not in m]
        assert inline == [], (url, inline)


def _boom(*args, **kwargs):
    raise RuntimeError("simulated failure with a secret in it: TFN 123 456 789")


def test_api_500_is_json_in_production(officer_user, settings):
    """Measured: in production a 500 on the API was an HTML page. Now JSON naming the request, no trace."""
    settings.DEBUG = False
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(officer_user)
    with mock.patch("casework.customers.api.selectors.customer_search", _boom):
        response = client.get("/api/v1/customers/", {"q": "smith"}, HTTP_X_REQUEST_ID="req-500-test")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": mock.ANY, "code": "server_error", "request_id": "req-500-test"}
    assert "TFN" not in response.content.decode() and "Traceback" not in response.content.decode()


def test_handler500_is_json_under_api_and_html_elsewhere(rf):
    from casework.core.api import server_error

    response = server_error(rf.get("/api/v1/anything/"))
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert set(__import__("json").loads(response.content)) == {"detail", "code", "request_id"}
    page = server_error(rf.get("/customers/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
