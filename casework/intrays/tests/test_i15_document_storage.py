"""Issue 15: correspondence documents live in Django's storage API, not a database column.

Measured cases (each fails on the code before): an attached document's bytes were a BinaryField on the row (no file
in storage); a download built the whole body from that column in memory; there was nothing to clean up on rollback.
Now the attaching service writes the file under a non-guessable name before its transaction commits and removes it
if the transaction rolls back; both downloads stream it from storage with its size checked first and its SHA-256
verified as it streams, behind the same permission checks and audit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.utils.crypto import salted_hmac
from rest_framework.test import APIClient

from casework.core import files
from casework.core.files import StoredFileDamaged, removed_on_rollback
from casework.intrays import services, storage
from casework.intrays.models import CorrespondenceDocument, Intray
from casework.letters import storage as letter_storage

pytestmark = pytest.mark.django_db

PAGE = b"%PDF-1.7 scanned letter " + bytes(range(256)) * 300  # > one 64 KiB chunk


def _receive(org, documents=()):
    return services.correspondence_receive(actor=org.so.user, customer=org.customer, channel="post",
                                           received_on=dt.date(2026, 11, 20), category="general", subject="Letter",
                                           assignee_officer=org.so, documents=documents)


def _api(org):
    c = APIClient()
    c.force_authenticate(org.so.user)
    return c


def _web(org):
    c = Client()
    c.force_login(org.so.user)
    return c


def _stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as fh:
        return fh.read()


def test_attaching_writes_the_file_to_storage_under_a_non_guessable_name_with_its_sha256(org, frozen):
    intray = _receive(org, documents=[("scan.pdf", PAGE, "application/pdf")])
    doc = services.correspondence_document_add(actor=org.so.user, intray=intray, filename="page2.txt",
                                               content=b"page two", content_type="text/plain")
    first, second = intray.correspondence.documents.order_by("pk")
    assert second == doc
    for n, (row, data) in enumerate([(first, PAGE), (second, b"page two")]):
        assert row.file.name == storage.document_name(correspondence_id=intray.correspondence.pk, ordinal=n)
        assert _stored(row.file.name) == data
        assert row.sha256 == hashlib.sha256(data).hexdigest() and row.size == len(data)
        # Not derivable from the ids without SECRET_KEY (test below); the officer's file name is not in it.
        assert "scan" not in row.file.name and "page2" not in row.file.name
    assert {f.name for f in CorrespondenceDocument._meta.get_fields()} >= {"file", "sha256", "size"}
    assert "content" not in {f.name for f in CorrespondenceDocument._meta.get_fields()}
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(
            cursor, CorrespondenceDocument._meta.db_table)}
    assert "content" not in columns and "file" in columns


def test_the_name_depends_on_the_secret_key(org, frozen, settings):
    name = storage.document_name(correspondence_id=7, ordinal=0)
    settings.SECRET_KEY = "another deployment's key " * 3
    assert storage.document_name(correspondence_id=7, ordinal=0) != name


def test_letter_names_are_unchanged_by_the_shared_helper():
    issued = dt.datetime(2026, 11, 30, 4, 5, tzinfo=dt.UTC)
    digest = salted_hmac("casework.letters.document", "42", algorithm="sha256").hexdigest()
    assert letter_storage.document_name(letter_id=42, issued_at=issued) == f"letters/2026/11/{digest}.pdf"
    assert letter_storage.sha256_of(b"x") == hashlib.sha256(b"x").hexdigest()


@pytest.mark.parametrize("path", ["/api/v1/intrays/{i}/documents/{d}/", "/work/intrays/{i}/documents/{d}/"])
def test_the_download_streams_the_same_bytes_from_storage_and_audits_the_read(org, frozen, path):
    from casework.core.models import AuditEvent as Event

    intray = _receive(org, documents=[("scan.pdf", PAGE, "application/pdf")])
    doc = intray.correspondence.documents.get()
    client = _api(org) if path.startswith("/api/") else _web(org)
    before = Event.objects.filter(action="customer.read").count()
    r = client.get(path.format(i=intray.pk, d=doc.pk))
    assert r.status_code == 200 and isinstance(r, StreamingHttpResponse)  # never built whole in memory
    body = r.getvalue()
    assert body == PAGE and r["Content-Length"] == str(len(PAGE)) and r["X-Content-SHA256"] == doc.sha256
    assert r["Content-Type"] == "application/pdf" and r["Content-Disposition"].startswith("attachment;")
    assert Event.objects.filter(action="customer.read").count() == before + 1


def test_the_download_keeps_its_permission_check(org, frozen):
    intray = _receive(org, documents=[("scan.pdf", PAGE, "application/pdf")])
    doc = intray.correspondence.documents.get()
    stranger = APIClient()
    r = stranger.get(f"/api/v1/intrays/{intray.pk}/documents/{doc.pk}/")
    assert r.status_code in (401, 403)


def _fail_audit(monkeypatch, action: str):
    real = services.audit_record

    def audit(*args, **kwargs):
        if kwargs.get("action") == action:
            raise RuntimeError("audit store unavailable")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "audit_record", audit)


def test_a_rolled_back_receive_leaves_no_file(org, frozen, monkeypatch):
    saved = []
    real_save = default_storage.save
    monkeypatch.setattr(default_storage, "save", lambda name, content: saved.append(real_save(name, content)) or saved[-1])
    _fail_audit(monkeypatch, "correspondence.receive")
    with pytest.raises(RuntimeError, match="audit store unavailable"):
        _receive(org, documents=[("a.pdf", b"one", "application/pdf"), ("b.pdf", b"two", "application/pdf")])
    assert len(saved) == 2  # the files were written inside the transaction...
    assert not any(default_storage.exists(name) for name in saved)  # ...and removed when it rolled back
    assert not Intray.objects.exists() and not CorrespondenceDocument.objects.exists()


def test_a_rolled_back_attach_leaves_no_file_and_the_next_attach_works(org, frozen, monkeypatch):
    intray = _receive(org)
    name = storage.document_name(correspondence_id=intray.correspondence.pk, ordinal=0)
    _fail_audit(monkeypatch, "correspondence.document_add")
    with pytest.raises(RuntimeError):
        services.correspondence_document_add(actor=org.so.user, intray=intray, filename="a.pdf", content=b"lost")
    assert not default_storage.exists(name) and not CorrespondenceDocument.objects.exists()
    monkeypatch.undo()
    doc = services.correspondence_document_add(actor=org.so.user, intray=intray, filename="a.pdf", content=b"kept")
    assert doc.file.name == name and _stored(name) == b"kept"


def test_a_file_left_by_a_crashed_attempt_is_replaced_not_duplicated(org, frozen):
    intray = _receive(org)
    name = storage.document_name(correspondence_id=intray.correspondence.pk, ordinal=0)
    default_storage.save(name, ContentFile(b"orphan of a crash"))
    doc = services.correspondence_document_add(actor=org.so.user, intray=intray, filename="a.pdf", content=b"new")
    assert doc.file.name == name and _stored(name) == b"new"


def test_removed_on_rollback_keeps_files_when_nothing_raises(tmp_path):
    with removed_on_rollback() as written:
        written.append(default_storage.save("intrays/documents/test-kept", ContentFile(b"x")))
    assert default_storage.exists(written[0])
    default_storage.delete(written[0])


def test_a_truncated_file_is_refused_before_anything_is_sent(org, frozen):
    intray = _receive(org, documents=[("scan.pdf", PAGE, "application/pdf")])
    doc = intray.correspondence.documents.get()
    default_storage.delete(doc.file.name)
    default_storage.save(doc.file.name, ContentFile(PAGE[:100]))
    with pytest.raises(StoredFileDamaged):  # a server fault (500, logged), never a short body sent as 200
        files.stored_file_response(default_storage, doc.file.name, size=doc.size, sha256=doc.sha256,
                                   content_type=doc.content_type, filename=doc.filename)
    r = _api(org).get(f"/api/v1/intrays/{intray.pk}/documents/{doc.pk}/")
    assert r.status_code == 500 and not isinstance(r, StreamingHttpResponse)


def test_altered_bytes_of_the_same_size_are_logged_as_they_stream(org, frozen, caplog):
    intray = _receive(org, documents=[("scan.pdf", PAGE, "application/pdf")])
    doc = intray.correspondence.documents.get()
    default_storage.delete(doc.file.name)
    default_storage.save(doc.file.name, ContentFile(b"X" + PAGE[1:]))
    with caplog.at_level(logging.ERROR, logger="casework.core.files"):
        r = _api(org).get(f"/api/v1/intrays/{intray.pk}/documents/{doc.pk}/")
        r.getvalue()
    assert r["X-Content-SHA256"] == doc.sha256  # the client can see the bytes differ
    assert any("does not match its recorded SHA-256" in rec.getMessage() for rec in caplog.records)
