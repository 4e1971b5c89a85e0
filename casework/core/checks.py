"""System checks for least privilege (docs/security.md). Tagged ``database``: ``manage.py check --database default``
runs them (as does ``migrate``); the production deployment runs that check before starting the web server.

* casework.E001 — an active Django superuser exists (a superuser passes every permission rule).
* casework.E002 — the application connects to PostgreSQL as a superuser or as the owner of the audit table (either
  could erase the audit trail). Skipped for the owner connection used by ``migrate`` (``DATABASE_OWNER_URL``).
Both are errors when DEBUG is off, warnings in development.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connections


def _level():
    return checks.Warning if settings.DEBUG else checks.Error


@checks.register(checks.Tags.database)
def no_active_superuser(app_configs=None, databases=None, **kwargs):
    if not databases or "default" not in databases:
        return []
    from django.contrib.auth import get_user_model

    try:
        names = list(
            get_user_model()._default_manager.filter(is_superuser=True, is_active=True).values_list("username", flat=True)[:5]
        )
    except DatabaseError:  # not migrated yet
        return []
    if not names:
        return []
    return [
        _level()(
            f"Active superuser account(s): {', '.join(names)}. A superuser passes every permission rule; nobody may "
            "work as one.",
            hint="Give the person an Administrator officer role (is_staff) and set is_superuser=False.",
            id="casework.E001",
        )
    ]


AUDIT_PRIVILEGE_SQL = """
SELECT r.rolsuper,
       pg_has_role(current_user, c.relowner, 'MEMBER') AS owns_audit
FROM pg_roles r, pg_class c
WHERE r.rolname = current_user AND c.oid = 'core_auditevent'::regclass
"""


@checks.register(checks.Tags.database)
def app_role_cannot_erase_audit(app_configs=None, databases=None, **kwargs):
    if not databases or "default" not in databases or os.environ.get("CASEWORK_DB_AS_OWNER"):
        return []
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute(AUDIT_PRIVILEGE_SQL)
            row = cursor.fetchone()
    except DatabaseError:
        return []
    if row is None or not (row[0] or row[1]):
        return []
    what = "a PostgreSQL superuser" if row[0] else "the owner of core_auditevent"
    return [
        _level()(
            f"The application connects as {what}: it could erase or rewrite the audit trail.",
            hint="Set DATABASE_URL to the application role and DATABASE_OWNER_URL to the owner role "
            "(scripts/db-roles.sh, docs/security.md).",
            id="casework.E002",
        )
    ]
