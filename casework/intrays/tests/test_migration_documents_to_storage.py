"""Issue 15: migrations intrays 0006-0008 move every correspondence document's bytes (``content``) into storage and
only then drop the column; each file's SHA-256 and size are checked against the ones recorded at upload. Run with
Django's ``MigrationExecutor`` on the test database (intrays back to 0005, rows written with the historical models,
forward again)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from casework.intrays import storage

BEFORE = [("intrays", "0005_i14_intray_correction")]
AFTER = [("intrays", "0008_i15_remove_correspondencedocument_content")]
TABLE = "intrays_correspondencedocument"


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _columns():
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, TABLE)}


@pytest.fixture
def correspondence(transactional_db, reference):
    """Two correspondence rows made with today's models before intrays goes back to 0005 (their tables do not
    change)."""
    import datetime as dt

    from casework.intrays import services
    from casework.testing.factories import CustomerFactory, OfficerFactory

    so = OfficerFactory()
    customer = CustomerFactory()
    return [services.correspondence_receive(actor=so.user, customer=customer, channel="post",
                                            received_on=dt.date(2026, 11, 20), category="general", subject=f"L{n}",
                                            assignee_officer=so).correspondence.pk for n in range(2)]


@pytest.fixture
def old_schema(correspondence, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    apps = _migrate(BEFORE)
    try:
        yield apps
    finally:
        _migrate(AFTER)  # leave the test database as the other tests expect it


def _old_document(apps, corr_id, content: bytes, *, sha256: str | None = None):
    Document = apps.get_model("intrays", "CorrespondenceDocument")
    return Document.objects.create(correspondence_id=corr_id, filename="scan.pdf", content_type="application/pdf",
                                   size=len(content), sha256=sha256 or hashlib.sha256(content).hexdigest(),
                                   content=content, uploaded_at=timezone.now())


def test_existing_documents_move_into_storage_with_their_sha256_checked(old_schema, correspondence):
    first, second = correspondence
    contents = {(first, 0): b"%PDF first" + bytes(range(256)) * 500, (first, 1): b"second page of the first",
                (second, 0): b"only page of the second"}
    # Created out of place order across correspondences, as real uploads interleave.
    old = {key: _old_document(old_schema, key[0], data) for key, data in
           [((first, 0), contents[(first, 0)]), ((second, 0), contents[(second, 0)]),
            ((first, 1), contents[(first, 1)])]}
    new_apps = _migrate(AFTER)
    Document = new_apps.get_model("intrays", "CorrespondenceDocument")
    assert "content" not in {f.name for f in Document._meta.get_fields()}
    assert "content" not in _columns()
    for (corr_id, ordinal), row in old.items():
        doc = Document.objects.get(pk=row.pk)
        # Named as the service names a document in that place, so the next attach takes the next place.
        assert doc.file.name == storage.document_name(correspondence_id=corr_id, ordinal=ordinal)
        with default_storage.open(doc.file.name, "rb") as fh:
            stored = fh.read()
        assert stored == contents[(corr_id, ordinal)]  # nothing lost
        assert doc.sha256 == row.sha256 == hashlib.sha256(stored).hexdigest() and doc.size == len(stored)


def test_a_document_whose_bytes_do_not_match_its_sha256_stops_the_migration(old_schema, correspondence):
    _old_document(old_schema, correspondence[0], b"%PDF altered", sha256="0" * 64)
    with pytest.raises(RuntimeError, match="do not match the SHA-256"):
        _migrate([("intrays", "0007_i15_documents_to_storage")])
    assert "content" in _columns()  # nothing was dropped over the document
    # The test row of the old schema goes (bypassing the append-only manager), so the fixture can migrate forward.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
