"""The audit trail cannot be truncated, and no role but its owner holds UPDATE, DELETE or TRUNCATE on it.

PostgreSQL:
* a statement-level ``BEFORE TRUNCATE`` trigger refuses TRUNCATE for every role that is not the table's owner (the
  row-level trigger of 0001 never sees TRUNCATE). The owner is let through because the test runner's flush truncates
  every table; the owner could disable any trigger anyway, which is why the application never connects as the owner
  (docs/security.md: DATABASE_URL is the application role, DATABASE_OWNER_URL the owner used by ``migrate``).
* UPDATE, DELETE, TRUNCATE, TRIGGER and REFERENCES on ``core_auditevent`` are revoked from PUBLIC and from every role
  other than the owner (e.g. granted by ``ALTER DEFAULT PRIVILEGES``); ``scripts/db-roles.sql`` grants the
  application role SELECT and INSERT only.
SQLite has no roles and no TRUNCATE; its limit is documented in docs/security.md.

Also: the table of DRF's clear-text API tokens (``authtoken_token``, replaced by django-rest-knox's hashed, expiring
tokens) is dropped, so no clear token survives in the database. Holders sign in again for a new token.
"""

from django.db import migrations

PG_TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION core_auditevent_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit trail is append-only: TRUNCATE refused on core_auditevent'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
PG_TRUNCATE_TRIGGER = """
CREATE TRIGGER core_auditevent_no_truncate
BEFORE TRUNCATE ON core_auditevent
FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_refuse_truncate();
"""
# Revoke the destructive privileges from everybody but the owner (PUBLIC included). Idempotent.
PG_REVOKE = """
DO $$
DECLARE
    grantee_name text;
BEGIN
    REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON core_auditevent FROM PUBLIC;
    FOR grantee_name IN
        SELECT DISTINCT p.grantee FROM information_schema.table_privileges p
        WHERE p.table_schema = current_schema() AND p.table_name = 'core_auditevent'
          AND p.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER', 'REFERENCES')
          AND p.grantee <> 'PUBLIC'
          AND p.grantee <> (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'core_auditevent'::regclass)
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON core_auditevent FROM %I',
                       grantee_name);
    END LOOP;
END $$;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_TRUNCATE_FUNCTION, params=None)
    schema_editor.execute(PG_TRUNCATE_TRIGGER)
    schema_editor.execute(PG_REVOKE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;")
    schema_editor.execute("DROP FUNCTION IF EXISTS core_auditevent_refuse_truncate();")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
    ]
