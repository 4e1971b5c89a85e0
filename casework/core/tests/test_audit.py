import pytest
from django.db import DatabaseError, connection, transaction

from casework.core.audit import AuditOutsideTransaction, audit_record
from casework.core.context import job_context
from casework.core.models import AuditEvent, AuditImmutable
from casework.testing.factories import CustomerFactory, UserFactory


def _event(**kw):
    with transaction.atomic():
        return audit_record(actor=kw.pop("actor", None), action="test.action", target=("thing", 1), **kw)


@pytest.mark.django_db
def test_records_actor_target_before_after_reason_steps_and_customer():
    user = UserFactory()
    customer = CustomerFactory()
    with transaction.atomic():
        event = audit_record(
            actor=user,
            action="customer.update",
            target=customer,
            before={"family_name": "Old"},
            after={"family_name": "New"},
            reason="Married name",
            step_ids=["CMA-1.1"],
        )
    event.refresh_from_db()
    assert event.actor == user and event.actor_label == user.username
    assert (event.target_type, event.target_id) == ("customer", str(customer.pk))
    assert event.customer_id == customer.pk
    assert event.before == {"family_name": "Old"} and event.after == {"family_name": "New"}
    assert event.reason == "Married name" and event.step_ids == ["CMA-1.1"]


@pytest.mark.django_db
def test_job_is_the_actor_of_scheduled_work():
    with job_context("auto_unlock"):
        event = _event()
    assert event.actor is None and event.actor_label == "job:auto_unlock" and event.request_id


def test_refuses_to_record_outside_a_transaction(transactional_db):
    with pytest.raises(AuditOutsideTransaction):
        audit_record(actor=None, action="x", target=("thing", 1))


@pytest.mark.django_db
def test_model_and_queryset_refuse_update_and_delete():
    event = _event()
    event.reason = "tampered"
    with pytest.raises(AuditImmutable):
        event.save()
    with pytest.raises(AuditImmutable):
        event.delete()
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(reason="tampered")
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db
def test_database_refuses_raw_update():
    """SQLite and PostgreSQL both refuse an UPDATE issued behind the ORM's back (trigger)."""
    event = _event()
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET reason = 'tampered' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_postgresql_refuses_raw_delete():
    event = _event()
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()
