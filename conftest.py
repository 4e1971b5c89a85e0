"""Fixtures shared by every test. ``reference`` loads the shipped reference data once per test that needs it."""

from __future__ import annotations

import pytest
from django.db import connection

pytest_plugins = ["casework.testing.browser"]


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2 costs ~0.24 s per user; tests use MD5 so creating officers is cheap. Production keeps PBKDF2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


@pytest.fixture
def reference(db):
    from casework.core.management.commands.load_reference import load_all

    load_all()


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
