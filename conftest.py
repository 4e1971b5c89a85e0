"""Fixtures shared by every test. ``reference`` gives a test the shipped reference data (loaded once per test process
through the real loader, then copied in per test)."""

from __future__ import annotations

import pytest
from django.db import connection

pytest_plugins = ["casework.testing.browser"]


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2 costs ~0.24 s per user; tests use MD5 so creating officers is cheap. Production keeps PBKDF2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _test_storage_and_sync_jobs(tmp_path_factory):
    """Issue 15: files the tests store (letter PDFs) go to a temporary directory, never the checkout's ``var/media``;
    tasks queued after commit (``core.queue.enqueue_after_commit``: the letter render) run right after the commit,
    as ``Q_SYNC`` does, so a committed letter (a browser journey, ``django_capture_on_commit_callbacks``) gets its
    PDF without a job worker."""
    from django.conf import settings
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
                           Q_CLUSTER={**settings.Q_CLUSTER, "sync": True}):
        yield


@pytest.fixture(autouse=True)
def _fresh_reference_cache():
    """Issue 15: reference rows cached per process (casework.core.refcache) never leak from one test's rolled-back
    rows into the next."""
    from casework.core import refcache

    refcache.clear()
    yield
    refcache.clear()


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres_only`` (triggers, row locks, real concurrency) run in the PostgreSQL pass only;
    on SQLite they are deselected, not skipped, and the PostgreSQL pass is mandatory in CI."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker("postgres_only") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


_REFERENCE_ROWS: list[tuple[type, list[dict]]] | None = None


def _rows_by_model(models) -> dict[type, set]:
    return {model: set(model._base_manager.values_list("pk", flat=True)) for model in models}


def _reference_models():
    from django.apps import apps

    return [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]


def _insert_reference_rows(rows) -> None:
    """The rows the loader wrote, inserted again with their ids (one bulk insert per table); on PostgreSQL the id
    sequences are moved past them so the test's own rows get fresh ids."""
    from django.core.management.color import no_style

    for model, values in rows:
        model._base_manager.bulk_create([model(**v) for v in values])
    statements = connection.ops.sequence_reset_sql(no_style(), [model for model, _ in rows])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


@pytest.fixture
def reference(db):
    """The shipped reference data (offices in every state, intake positions, intray types, calendars, schedules…).

    The first test in a process runs the real loader (``load_all``) and remembers exactly the rows it wrote; every
    later test gets those rows inserted directly. Loading ~200 rows through the audited upsert costs seconds per test;
    the copy costs milliseconds, and each test still starts from the same state (its transaction is rolled back)."""
    global _REFERENCE_ROWS
    from casework.core.management.commands.load_reference import load_all

    if _REFERENCE_ROWS is not None:
        _insert_reference_rows(_REFERENCE_ROWS)
        return
    models = _reference_models()
    before = _rows_by_model(models)
    load_all()
    rows = []
    for model in models:
        fields = [f.attname for f in model._meta.concrete_fields]
        new = [v for v in model._base_manager.values(*fields) if v[model._meta.pk.attname] not in before[model]]
        if new:
            rows.append((model, new))
    _REFERENCE_ROWS = rows


@pytest.fixture
def officer(reference):
    from casework.testing.factories import OfficerFactory

    return OfficerFactory()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def officer_client(api_client, officer):
    api_client.force_authenticate(officer.user)
    api_client.officer = officer
    return api_client


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"
