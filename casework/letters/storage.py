"""Where letter renditions live in Django's storage API (issue 15).

``STORAGES["default"]`` decides the backend: the filesystem under ``MEDIA_ROOT`` (``var/media``) by default,
S3-compatible object storage through django-storages in production (config/settings_production.py,
docs/operations.md). Files are never served from a public URL: ``/api/v1/letters/<id>/pdf/`` checks the officer's
permission, audits the read and streams the file from storage.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils.crypto import salted_hmac

SALT = "casework.letters.document"


def document_name(*, letter_id: int, issued_at: dt.datetime) -> str:
    """One name per letter, the same on every attempt (a re-run after a crash writes the same file, never a
    second one), and not guessable from the letter's id without the deployment's ``SECRET_KEY``. The name is stored
    on the ``LetterDocument``, so rotating the key later never loses a file."""
    digest = salted_hmac(SALT, str(letter_id), algorithm="sha256").hexdigest()
    return f"letters/{issued_at:%Y/%m}/{digest}.pdf"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_sha256(storage, name: str) -> tuple[str, int]:
    """The SHA-256 and size of a stored file, read back from storage in chunks."""
    digest = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as fh:
        for chunk in iter(lambda: fh.read(64 * 1024), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
