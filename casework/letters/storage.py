"""Where letter renditions live in Django's storage API (issue 15).

``STORAGES["default"]`` decides the backend: the filesystem under ``MEDIA_ROOT`` (``var/media``) by default,
S3-compatible object storage through django-storages in production (config/settings_production.py,
docs/operations.md). Files are never served from a public URL: ``/api/v1/letters/<id>/pdf/`` checks the officer's
permission, audits the read and streams the file from storage.
"""

from __future__ import annotations

import datetime as dt

from casework.core.files import hmac_name, read_sha256, sha256_of

__all__ = ["SALT", "document_name", "read_sha256", "sha256_of"]

SALT = "casework.letters.document"


def document_name(*, letter_id: int, issued_at: dt.datetime) -> str:
    """One name per letter, the same on every attempt (a re-run after a crash writes the same file, never a
    second one), and not guessable from the letter's id without the deployment's ``SECRET_KEY``. The name is stored
    on the ``LetterDocument``, so rotating the key later never loses a file."""
    return f"letters/{issued_at:%Y/%m}/{hmac_name(SALT, str(letter_id))}.pdf"
