"""Issue 15: the fixed cost every request pays (docs/benchmarks.md, "The fixed cost of a request"). Each test is a
case measured with ``python -m casework.bench.request_cost``; counts and round trips, never times."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from casework.testing.factories import OfficerFactory
from config import dbpool
from config import settings as project_settings

CREDENTIALS = {"username": "costuser", "password": "pass-Word-123"}


@pytest.fixture
def user(org_reference):
    return OfficerFactory(user__username="costuser").user


def _token() -> str:
    response = APIClient().post("/api/v1/auth/token/", CREDENTIALS, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_a_token_call_authenticates_in_one_query(user):
    """Measured: knox read the token with its user, then every token of that user (to delete expired ones), then the
    officer (on first use by the permission rules): three queries on every API call. Now one, the token with its
    user, officer, position, office and business area."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {_token()}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/auth/tokens/")
    assert response.status_code == 200
    sqls = [q["sql"] for q in queries.captured_queries]
    token_reads = [s for s in sqls if "knox_authtoken" in s and "auth_user" in s]
    assert len(token_reads) == 1, sqls
    assert '"org_officer"' in token_reads[0] and '"org_office"' in token_reads[0]
    # Nothing else reads the officer on the way to the view (the list itself reads the tokens once more).
    assert not [s for s in sqls if s.lstrip().startswith('SELECT "org_officer"')], sqls


def test_expired_token_still_refused_and_removed(user):
    secret = _token()
    AuthToken.objects.filter(user=user).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get("/api/v1/auth/tokens/").status_code == 401
    assert not AuthToken.objects.filter(user=user).exists()


def test_a_wrong_secret_with_a_real_key_is_refused(user):
    secret = _token()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret[:-4]}AAAA")
    assert client.get("/api/v1/auth/tokens/").status_code == 401


def test_the_holders_expired_tokens_go_when_a_new_one_is_issued(user):
    """Knox deleted the holder's other expired tokens on every call; that read left the request path, so the
    cleanup happens when the holder gets a new token (their live tokens stay)."""
    old, live = _token(), _token()
    AuthToken.objects.filter(token_key=old[:15]).update(expiry=timezone.now() - dt.timedelta(hours=1))
    _token()
    keys = set(AuthToken.objects.filter(user=user).values_list("token_key", flat=True))
    assert old[:15] not in keys and live[:15] in keys and len(keys) == 2


def test_a_signed_in_page_reads_the_session_and_the_user_once(user, client):
    """The middleware stack's own database work: the session row and the user (with officer, position, office and
    area) once each, whatever the page."""
    client.force_login(user)
    client.get("/notifications/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/notifications/").status_code == 200
    sqls = [q["sql"] for q in queries.captured_queries]
    assert len([s for s in sqls if '"django_session"' in s]) == 1
    assert len([s for s in sqls if s.lstrip().startswith('SELECT "auth_user"')]) == 1


class FakeConnection:
    """What psycopg_pool's check sees of a connection."""

    def __init__(self):
        self.autocommit, self.closed, self.broken, self.round_trips = True, False, False, 0

    def execute(self, sql):
        self.round_trips += 1


def test_pool_checks_a_connection_only_when_it_was_idle(monkeypatch):
    """Measured: with CONN_HEALTH_CHECKS and the pool, every request's checkout was a round trip to the server (an
    empty query) before its first query. Now only a connection idle for DB_POOL_CHECK_IDLE_SECONDS is asked."""
    clock = [1000.0]
    monkeypatch.setattr(dbpool.time, "monotonic", lambda: clock[0])
    monkeypatch.setenv("DB_POOL_CHECK_IDLE_SECONDS", "30")
    conn = FakeConnection()
    dbpool.check_if_idle(conn)  # never seen: asked
    assert conn.round_trips == 1
    for _ in range(100):  # one request after another
        clock[0] += 0.05
        dbpool.check_if_idle(conn)
    assert conn.round_trips == 1
    clock[0] += 31  # idle longer than the window: asked again
    dbpool.check_if_idle(conn)
    assert conn.round_trips == 2
    conn.broken = True  # psycopg already knows: asked (and the pool discards it when the check raises)
    clock[0] += 1
    dbpool.check_if_idle(conn)
    assert conn.round_trips == 3


def test_pool_check_every_checkout_when_the_window_is_zero(monkeypatch):
    monkeypatch.setenv("DB_POOL_CHECK_IDLE_SECONDS", "0")
    conn = FakeConnection()
    for _ in range(3):
        dbpool.check_if_idle(conn)
    assert conn.round_trips == 3


def test_pooled_postgresql_gets_the_idle_check(monkeypatch):
    monkeypatch.setattr(project_settings, "DB_POOL", True)
    config = project_settings.database_from_url("postgres://casework@127.0.0.1:5432/casework_pool_check")
    assert config["ENGINE"] == "config.postgresql_pool" and "pool" in config["OPTIONS"]
    from config.postgresql_pool.base import DatabaseWrapper

    config.update({"TIME_ZONE": None, "ATOMIC_REQUESTS": False, "AUTOCOMMIT": True, "TEST": {}, "CONN_MAX_AGE": 0})
    wrapper = DatabaseWrapper(config, alias="pool_check_test")
    try:
        assert wrapper.pool._check is dbpool.check_if_idle  # the pool is built, not opened: no connection made
    finally:
        DatabaseWrapper._connection_pools.pop("pool_check_test", None)
    # Without the pool nothing changes: Django's backend and its per-request health check.
    monkeypatch.setattr(project_settings, "DB_POOL", False)
    plain = project_settings.database_from_url("postgres://casework@127.0.0.1:5432/casework_pool_check")
    assert plain["ENGINE"] == "django.db.backends.postgresql" and plain["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize("staff", [False, True])
def test_navigation_worked_out_once_per_kind_of_person_matches_the_rules(org_reference, staff, monkeypatch):
    """Measured: the header asked the permission rules ten times and reversed ten URLs on every page. The entries
    are now kept per (role, account flags); for every role they are exactly what the rules give."""
    from django.test import RequestFactory

    from casework.org.roles import Role
    from casework.web import nav

    nav._cache.clear()
    for role in Role:
        officer = OfficerFactory(role=role, user__is_staff=staff)
        request = RequestFactory().get("/work/")
        request.user = officer.user
        items = nav.nav_items(request)["nav_items"]
        assert [(i["label"], i["url"]) for i in items] == nav.entries_for(officer.user), role
        assert [i["label"] for i in items if i["active"]] == (["My work"] if any(
            i["label"] == "My work" for i in items) else [])
    asked = []
    monkeypatch.setattr(nav, "entries_for", lambda user: asked.append(user) or [])
    request = RequestFactory().get("/")
    request.user = OfficerFactory(role=Role.SERVICE_OFFICER, user__is_staff=staff).user
    nav.nav_items(request)
    nav.nav_items(request)
    assert asked == []  # a Service Officer's entries were already worked out above
    # An inactive officer is another kind of person: asked again, and given what the rules give them.
    request.user.officer.is_active = False
    nav.nav_items(request)
    assert len(asked) == 1


def _settings_with(env: dict) -> dict:
    import json
    import os
    import subprocess
    import sys

    code = ("import json; from django.conf import settings as s; "
            "print(json.dumps({'engine': s.SESSION_ENGINE, 'cache': s.CACHES['default']['BACKEND']}))")
    run_env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "DJANGO_SETTINGS_MODULE")}
    run_env.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env})
    out = subprocess.run([sys.executable, "-c", code], env=run_env, capture_output=True, text=True, check=True,
                         cwd=project_settings.BASE_DIR)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_sessions_use_the_shared_cache_only_when_there_is_one():
    """CACHE_URL (Redis, shared by every process): sessions read from it (cached_db) with no database round trip.
    Without it, sessions stay in the database: a per-process cache would keep a signed-out session alive in the
    other workers, and signed cookies could not be revoked (docs/security.md, "Sessions")."""
    assert _settings_with({}) == {"engine": "django.contrib.sessions.backends.db",
                                  "cache": "django.core.cache.backends.locmem.LocMemCache"}
    assert _settings_with({"CACHE_URL": "redis://127.0.0.1:6379/15"}) == {
        "engine": "django.contrib.sessions.backends.cached_db",
        "cache": "django.core.cache.backends.redis.RedisCache"}
