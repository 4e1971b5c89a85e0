"""Issue 13 (optional part): the audit trail is hash-chained, so an event deleted or altered by whoever can bypass
the database's refusals (the table's owner with its triggers disabled; on SQLite anyone with the file) is detected
by ``manage.py audit_verify``, which names the first broken link."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from casework.core.audit import audit_chain_seal, audit_record
from casework.core.models import AuditChainLink, AuditEvent

pytestmark = pytest.mark.django_db


def _events(n: int) -> list[AuditEvent]:
    out = []
    for i in range(n):
        with transaction.atomic():
            out.append(audit_record(actor=None, action="test.event", target=("thing", i), after={"n": i},
                                    reason=f"event {i}"))
    return out


def _verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def _as_owner(sql: str, params) -> None:
    """What the audit table's owner can do and the application cannot: bypass the append-only triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending deferred checks block ALTER TABLE
            for table in ("core_auditevent", "core_auditchainlink"):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            for table in ("core_auditevent", "core_auditchainlink"):
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:  # SQLite: only UPDATE has a trigger; whoever can write the file can do this
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_append_only")
            cursor.execute(sql, params)


def test_an_untouched_trail_verifies_whole():
    _events(5)
    said = _verify()
    assert "audit chain whole" in said
    assert AuditChainLink.objects.count() == AuditEvent.objects.count()
    hashes = list(AuditChainLink.objects.order_by("seq").values_list("prev_hash", "hash"))
    assert all(prev == before for (prev, _), (_, before) in zip(hashes[1:], hashes[:-1]))


def test_a_deleted_event_is_detected_and_named():
    events = _events(5)
    audit_chain_seal()
    _as_owner("DELETE FROM core_auditevent WHERE id = %s", [events[2].pk])
    with pytest.raises(CommandError) as broken:
        _verify()
    assert f"audit event {events[2].pk} is missing" in str(broken.value)


def test_deleting_the_event_and_its_link_is_detected_at_the_next_link():
    events = _events(5)
    audit_chain_seal()
    link = AuditChainLink.objects.get(event_id=events[2].pk)
    _as_owner("DELETE FROM core_auditevent WHERE id = %s", [events[2].pk])
    _as_owner("DELETE FROM core_auditchainlink WHERE seq = %s", [link.seq])
    with pytest.raises(CommandError) as broken:
        _verify()
    assert f"event {events[3].pk}): the link before it is missing" in str(broken.value)


def test_an_altered_event_is_detected():
    events = _events(3)
    audit_chain_seal()
    _as_owner("UPDATE core_auditevent SET reason = %s WHERE id = %s", ["nothing happened", events[1].pk])
    with pytest.raises(CommandError) as broken:
        _verify()
    assert f"audit event {events[1].pk} was altered" in str(broken.value)


def test_events_are_chained_after_their_transaction_commits(django_capture_on_commit_callbacks, settings):
    settings.AUDIT_SEAL_AFTER_COMMIT = True  # issue 15: off by default (the scheduled seal chains them)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            first = audit_record(actor=None, action="test.event", target=("thing", 1))
            second = audit_record(actor=None, action="test.event", target=("thing", 2))
    assert list(AuditChainLink.objects.order_by("seq").values_list("event_id", flat=True)) == [first.pk, second.pk]
    assert audit_chain_seal() == 0  # nothing left to chain; sealing twice never duplicates a link


def test_links_are_append_only():
    _events(1)
    audit_chain_seal()
    link = AuditChainLink.objects.get()
    with pytest.raises(Exception):
        link.delete()
    with pytest.raises(Exception):
        AuditChainLink.objects.all().delete()
