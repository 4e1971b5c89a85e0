"""The audit trail nobody can erase from the application (issue 13), proven as the application's database role.

Measured: the application connected as a PostgreSQL superuser owning ``core_auditevent``; ``TRUNCATE`` emptied it
(863 → 0 rows) and ``session_replication_role = replica`` / ``DISABLE TRIGGER`` switched the append-only trigger
off. Here the grants of ``scripts/db-roles.sql`` are applied to a role created in the test database (rolled back
with the test), and each attack is tried after ``SET ROLE`` to it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from casework.core.audit import audit_record
from casework.core.models import AuditEvent

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db]

ROLES_SQL = Path(__file__).resolve().parents[3] / "scripts" / "db-roles.sql"


def grants_sql(*, app: str, owner: str) -> str:
    """The ``grants`` section of scripts/db-roles.sql with its psql variables filled in."""
    text = ROLES_SQL.read_text()
    section = text.split("-- grants:begin", 1)[1].split("-- grants:end", 1)[0]
    return section.replace(':"app"', f'"{app}"').replace(':"owner"', f'"{owner}"')


@pytest.fixture
def app_role():
    name = re.sub(r"[^a-z0-9_]", "_", f"casework_app_{connection.settings_dict['NAME']}".lower())[:60]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
        cursor.execute(f'CREATE ROLE "{name}" NOLOGIN NOSUPERUSER NOINHERIT')
        cursor.execute(grants_sql(app=name, owner=owner))
    return name


def _event():
    with transaction.atomic():
        return audit_record(actor=None, action="test.event", target=("test", 1), reason="evidence")


def _as_role(role: str, sql: str) -> None:
    """Run ``sql`` as ``role`` inside a savepoint (SET ROLE is undone with it)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'SET ROLE "{role}"')
            cursor.execute(sql)
            cursor.execute("RESET ROLE")


def _refused(role: str, sql: str) -> str:
    with pytest.raises(DatabaseError) as refused:
        _as_role(role, sql)
    with connection.cursor() as cursor:  # the savepoint rolled back: we are the test's own role again
        cursor.execute("SELECT current_user <> %s", [role])
        assert cursor.fetchone()[0]
    return str(refused.value)


def test_app_role_is_not_a_superuser_and_does_not_own_the_audit_table(app_role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [app_role])
        assert cursor.fetchone()[0] is False
        cursor.execute("SELECT pg_has_role(%s, relowner, 'MEMBER') FROM pg_class WHERE oid = 'core_auditevent'::regclass",
                       [app_role])
        assert cursor.fetchone()[0] is False


def test_app_role_may_append_and_read(app_role):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'SET ROLE "{app_role}"')
        event = audit_record(actor=None, action="test.as_app", target=("test", 2))
        assert AuditEvent.objects.filter(pk=event.pk).exists()
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@pytest.mark.parametrize("sql", [
    "UPDATE core_auditevent SET reason = 'rewritten'",
    "DELETE FROM core_auditevent",
    "TRUNCATE core_auditevent",
], ids=["update", "delete", "truncate"])
def test_app_role_cannot_update_delete_or_truncate_the_audit_trail(app_role, sql):
    event = _event()
    message = _refused(app_role, sql)
    assert "permission denied" in message or "append-only" in message
    event.refresh_from_db()
    assert event.reason == "evidence" and AuditEvent.objects.count() >= 1


def test_truncate_trigger_refuses_even_when_truncate_is_granted_by_mistake(app_role):
    """Measured: the row trigger never saw TRUNCATE. The statement trigger refuses it for any non-owner role.
    (No row is added first: an uncommitted row's deferred foreign-key check would refuse TRUNCATE on its own.)"""
    with connection.cursor() as cursor:
        cursor.execute(f'GRANT TRUNCATE ON core_auditevent TO "{app_role}"')
    assert "append-only: TRUNCATE refused" in _refused(app_role, "TRUNCATE core_auditevent")


def test_app_role_cannot_switch_triggers_off(app_role):
    """Measured: ``session_replication_role = replica`` or ``DISABLE TRIGGER`` switched the trigger off."""
    assert "permission denied" in _refused(app_role, "SET session_replication_role = replica")
    assert "must be owner" in _refused(app_role, "ALTER TABLE core_auditevent DISABLE TRIGGER ALL")
    assert "must be owner" in _refused(app_role, "DROP TRIGGER core_auditevent_append_only ON core_auditevent")


def test_migration_revokes_destructive_privileges_from_everyone_but_the_owner(app_role):
    """A role granted UPDATE/DELETE (e.g. by ALTER DEFAULT PRIVILEGES) loses them when core 0002 runs."""
    from importlib import import_module

    migration = import_module("casework.core.migrations.0002_i13_platform_audit_truncate")
    with connection.cursor() as cursor:
        cursor.execute(f'GRANT UPDATE, DELETE, TRUNCATE ON core_auditevent TO "{app_role}", PUBLIC')
        cursor.execute(migration.PG_REVOKE)
        cursor.execute(
            "SELECT has_table_privilege(%s, 'core_auditevent', 'UPDATE'), "
            "has_table_privilege(%s, 'core_auditevent', 'DELETE'), "
            "has_table_privilege(%s, 'core_auditevent', 'TRUNCATE'), "
            "has_table_privilege(%s, 'core_auditevent', 'INSERT')",
            [app_role] * 4,
        )
        assert cursor.fetchone() == (False, False, False, True)


def test_system_check_flags_a_superuser_application_connection(settings):
    """The test runner connects as a superuser: exactly what production must never do (casework.E002)."""
    from casework.core.checks import app_role_cannot_erase_audit

    settings.DEBUG = False
    errors = app_role_cannot_erase_audit(databases=["default"])
    assert [e.id for e in errors] == ["casework.E002"]
