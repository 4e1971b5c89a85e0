"""Where correspondence documents live in Django's storage API (issue 15), like letter PDFs (letters/storage.py).

``STORAGES["default"]`` decides the backend: the filesystem under ``MEDIA_ROOT`` (``var/media``) by default,
S3-compatible object storage through django-storages in production. Files are never served from a public URL: the
download (``/api/v1/intrays/<id>/documents/<d>/``, ``/work/intrays/<id>/documents/<d>/``) checks the officer's
permission, audits the read and streams the file from storage.
"""

from __future__ import annotations

from casework.core.files import hmac_name

SALT = "casework.intrays.document"


def document_name(*, correspondence_id: int, ordinal: int) -> str:
    """The name of a correspondence's ``ordinal``-th document (0-based, in the order attached). The key is the
    document's place on its correspondence, not its row id: the row is append-only and its id exists only after the
    INSERT that must already carry the name. Documents are attached under the intray's row lock, so the place is
    unique; it is the same on every attempt (a re-run after a crash writes the same file, never a second one) and not
    guessable without the deployment's ``SECRET_KEY``. Spread over 256 folders by the name's first two characters.
    The name is stored on the row, so rotating the key later never loses a file."""
    digest = hmac_name(SALT, f"{correspondence_id}:{ordinal}")
    return f"intrays/documents/{digest[:2]}/{digest}"
