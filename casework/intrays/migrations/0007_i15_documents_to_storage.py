"""Issue 15: every correspondence document's bytes (``CorrespondenceDocument.content``) move into Django's storage;
the next migration drops the column. Nothing is lost: each file is written, read back from storage and its SHA-256
and size compared with the ones recorded at upload (and the bytes themselves with the recorded SHA-256 first) before
its row points at it; a mismatch stops the migration, so the column is never dropped over a document whose bytes did
not arrive intact. Re-running skips documents that already have their file (a crash half-way loses nothing and
duplicates nothing: the name is the same on every attempt)."""

import hashlib

from django.core.files.storage import default_storage
from django.db import migrations
from django.utils.crypto import salted_hmac

CHUNK = 200


def _name(correspondence_id, ordinal):
    # The same naming as casework.intrays.storage.document_name (kept here so the migration never changes).
    digest = salted_hmac("casework.intrays.document", f"{correspondence_id}:{ordinal}", algorithm="sha256").hexdigest()
    return f"intrays/documents/{digest[:2]}/{digest}"


def _stored_sha256(name):
    digest = hashlib.sha256()
    size = 0
    with default_storage.open(name, "rb") as fh:
        for chunk in iter(lambda: fh.read(64 * 1024), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def documents_to_storage(apps, schema_editor):
    from django.core.files.base import ContentFile

    Document = apps.get_model("intrays", "CorrespondenceDocument")
    # A document's place on its correspondence (in the order attached) names its file, as the service does.
    ordinal, last, todo = {}, None, []
    for pk, corr_id, file in Document.objects.order_by("correspondence_id", "pk").values_list(
            "pk", "correspondence_id", "file").iterator(chunk_size=2000):
        n = 0 if corr_id != last else n + 1
        last = corr_id
        if not file:
            ordinal[pk] = (corr_id, n)
            todo.append(pk)
    for start in range(0, len(todo), CHUNK):
        for doc in Document.objects.filter(pk__in=todo[start:start + CHUNK]).only("pk", "content", "sha256", "size"):
            data = bytes(doc.content or b"")
            if hashlib.sha256(data).hexdigest() != doc.sha256 or len(data) != doc.size:
                raise RuntimeError(f"Correspondence document {doc.pk}: its bytes do not match the SHA-256 and size "
                                   "recorded at upload; the migration stopped before anything was dropped.")
            name = _name(*ordinal[doc.pk])
            if default_storage.exists(name):
                default_storage.delete(name)  # an earlier attempt's file, referenced by no row
            saved = default_storage.save(name, ContentFile(data))
            stored, size = _stored_sha256(saved)
            if saved != name or stored != doc.sha256 or size != doc.size:
                raise RuntimeError(f"Correspondence document {doc.pk}: the file read back from storage differs from "
                                   "the bytes written; the migration stopped before anything was dropped.")
            Document.objects.filter(pk=doc.pk).update(file=saved)


def documents_back(apps, schema_editor):
    """Reverse: the bytes come back into ``content`` (the files stay in storage)."""
    Document = apps.get_model("intrays", "CorrespondenceDocument")
    for doc in Document.objects.exclude(file="").order_by("pk").only("pk", "file").iterator(chunk_size=CHUNK):
        with default_storage.open(doc.file.name, "rb") as fh:
            Document.objects.filter(pk=doc.pk).update(content=fh.read(), file="")


class Migration(migrations.Migration):

    dependencies = [
        ('intrays', '0006_i15_correspondencedocument_file'),
    ]

    operations = [
        migrations.RunPython(documents_to_storage, documents_back, elidable=False),
    ]
