import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION core_auditevent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit trail is append-only: % refused on core_auditevent', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
PG_TRIGGER = """
CREATE TRIGGER core_auditevent_append_only
BEFORE UPDATE OR DELETE ON core_auditevent
FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse_change();
"""
# SQLite: UPDATE is refused by the database. DELETE is refused by the model and queryset only, because the test
# runner's flush between transactional tests deletes every row (PostgreSQL's flush uses TRUNCATE, which the
# row-level trigger does not see).
SQLITE_TRIGGER = """
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE ON core_auditevent
BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: UPDATE refused on core_auditevent'); END;
"""


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        schema_editor.execute(PG_TRIGGER)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;")
        schema_editor.execute("DROP FUNCTION IF EXISTS core_auditevent_refuse_change();")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_append_only;")


class Migration(migrations.Migration):
    initial = True

    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("occurred_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ("actor_label", models.CharField(editable=False, max_length=150)),
                ("action", models.CharField(editable=False, max_length=64)),
                ("target_type", models.CharField(editable=False, max_length=64)),
                ("target_id", models.CharField(editable=False, max_length=64)),
                ("target_repr", models.CharField(blank=True, editable=False, max_length=200)),
                ("customer_id", models.BigIntegerField(blank=True, editable=False, null=True)),
                ("before", models.JSONField(blank=True, editable=False, null=True)),
                ("after", models.JSONField(blank=True, editable=False, null=True)),
                ("reason", models.TextField(blank=True, editable=False)),
                ("step_ids", models.JSONField(blank=True, default=list, editable=False)),
                ("request_id", models.CharField(blank=True, editable=False, max_length=64)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-occurred_at", "-id"],
                "indexes": [
                    models.Index(fields=["customer_id", "occurred_at"], name="audit_customer_time"),
                    models.Index(fields=["actor", "occurred_at"], name="audit_actor_time"),
                    models.Index(fields=["action", "occurred_at"], name="audit_action_time"),
                    models.Index(fields=["occurred_at"], name="audit_time"),
                    models.Index(fields=["target_type", "target_id"], name="audit_target"),
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
