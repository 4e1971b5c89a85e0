"""Issue 15: migrations 0002-0004 move every letter's PDF bytes (``Letter.pdf``) into storage as a
``LetterDocument`` and only then drop the column; each file's SHA-256 is checked against the one recorded at issue.
Run with Django's ``MigrationExecutor`` on the test database (letters back to 0001, rows written with the historical
models, forward again)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("letters", "0001_initial")]
AFTER = [("letters", "0004_remove_letter_pdf_sha256")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_schema(parties, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    apps = _migrate(BEFORE)
    try:
        yield apps
    finally:
        _migrate(AFTER)  # leave the test database as the other tests expect it


@pytest.fixture
def parties(transactional_db):
    """A customer and an issuing user, made with today's models before the letters app goes back to 0001 (their
    tables do not change)."""
    from django.contrib.auth import get_user_model

    from casework.testing.factories import CustomerFactory

    return CustomerFactory().pk, get_user_model().objects.create_user(username="migration-issuer").pk


def _old_letter(apps, parties, pdf: bytes, *, sha256: str | None = None):
    customer_id, user_id = parties
    Letter = apps.get_model("letters", "Letter")
    return Letter.objects.create(customer_id=customer_id, template_code="unique_letter", title="A letter",
                                 source_data={}, html="<p>A letter</p>", pdf=pdf,
                                 sha256=sha256 or hashlib.sha256(pdf).hexdigest(), issued_at=timezone.now(),
                                 issued_by_id=user_id, step_ids=[])


def test_existing_pdfs_move_into_storage_with_their_sha256_checked(old_schema, parties):
    pdfs = [b"%PDF-1.7 first letter" + bytes(range(256)), b"%PDF-1.7 second letter"]
    old = [_old_letter(old_schema, parties, pdf) for pdf in pdfs]
    new_apps = _migrate(AFTER)
    Letter = new_apps.get_model("letters", "Letter")
    LetterDocument = new_apps.get_model("letters", "LetterDocument")
    assert "pdf" not in {f.name for f in Letter._meta.get_fields()}
    for letter, pdf in zip(old, pdfs, strict=True):
        document = LetterDocument.objects.get(letter_id=letter.pk)
        with default_storage.open(document.file.name, "rb") as fh:
            stored = fh.read()
        assert stored == pdf  # nothing lost
        assert document.sha256 == letter.sha256 == hashlib.sha256(stored).hexdigest()
        assert document.size == len(pdf) and document.rendered_at == letter.issued_at
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, "letters_letter")}
    assert "pdf" not in columns and "sha256" not in columns


def test_a_pdf_whose_bytes_do_not_match_its_sha256_stops_the_migration(old_schema, parties):
    _old_letter(old_schema, parties, b"%PDF-1.7 altered", sha256="0" * 64)
    with pytest.raises(RuntimeError, match="do not match the SHA-256"):
        _migrate([("letters", "0003_letter_pdfs_to_storage")])
    # The column is still there: nothing was dropped over the letter.
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, "letters_letter")}
    assert "pdf" in columns
    Letter = old_schema.get_model("letters", "Letter")
    Letter.objects.all().delete()  # a test row of the old schema, so the fixture can migrate forward again
