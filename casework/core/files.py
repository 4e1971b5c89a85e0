"""Safe file names for every stored document and every download.

A file name comes from a customer or an officer's machine: it may hold CR/LF (header injection), other control
characters, quotes, path separators or ``..``. ``safe_filename`` keeps letters, digits and ``. _ - ( ) space`` (any
script), collapses the rest, and never returns an empty or dot-only name. ``content_disposition`` builds the header
with Django's ``content_disposition_header`` (RFC 6266/5987 quoting, ``filename*`` for non-ASCII).

Stored files (issue 15: letter PDFs, correspondence documents) live in Django's storage API (``STORAGES["default"]``:
the filesystem under ``MEDIA_ROOT`` by default, S3-compatible via django-storages in production). ``hmac_name`` gives
each one a name nobody can guess without the deployment's ``SECRET_KEY``; ``removed_on_rollback`` removes a file
written inside a transaction that then rolls back; ``stored_file_response`` streams one back with its size checked
and its SHA-256 verified as it goes.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.storage import Storage, default_storage
from django.http import StreamingHttpResponse
from django.utils.crypto import salted_hmac
from django.utils.http import content_disposition_header

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024

MAX_FILENAME_CHARS = 120
_UNSAFE = re.compile(r"[^\w.\-() ]+", re.UNICODE)


def safe_filename(name: str, *, default: str = "document") -> str:
    """A file name with no control characters, quotes, path separators or leading dots; at most 120 characters,
    keeping the extension."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)  # CR, LF, NUL, bidi...
    text = text.replace("\\", "/").rsplit("/", 1)[-1]  # no directories
    text = _UNSAFE.sub("_", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"_{2,}", "_", text).strip(" ._")
    text = re.sub(r"\.{2,}", ".", text)
    if not text or not re.search(r"\w", text):
        text = default
    if len(text) > MAX_FILENAME_CHARS:
        stem, dot, ext = text.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            text = stem[: MAX_FILENAME_CHARS - len(ext) - 1].rstrip(" ._") + "." + ext
        else:
            text = text[:MAX_FILENAME_CHARS].rstrip(" ._")
    return text


def content_disposition(name: str, *, inline: bool = False) -> str:
    """The Content-Disposition header value for ``name`` (sanitised first, then quoted by Django)."""
    return content_disposition_header(not inline, safe_filename(name))


_CONTENT_TYPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}$")


def safe_content_type(value: str | None) -> str:
    """A bare ``type/subtype`` (no parameters, no CR/LF), else ``application/octet-stream``."""
    text = str(value or "").split(";", 1)[0].strip().lower()
    return text if _CONTENT_TYPE.match(text) else "application/octet-stream"


# ---------------------------------------------------------------- stored files (issue 15)

def hmac_name(salt: str, key: str) -> str:
    """The hex HMAC-SHA256 of ``key`` under ``SECRET_KEY`` (salted per kind of file): the same for the same key on
    every attempt (a re-run writes the same file, never a second one) and not guessable from the key. The name is
    stored on the row, so rotating the key later never loses a file."""
    return salted_hmac(salt, key, algorithm="sha256").hexdigest()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_sha256(storage: Storage, name: str) -> tuple[str, int]:
    """The SHA-256 and size of a stored file, read back from storage in chunks."""
    digest = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK_BYTES), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@contextmanager
def removed_on_rollback(storage: Storage | None = None) -> Iterator[list[str]]:
    """Wrap a service's ``transaction.atomic()`` (outside it, so a failed COMMIT counts too) and append to the
    yielded list the name of every file written inside it: when anything raises through (the transaction rolled
    back), those files are deleted, so a rolled-back upload leaves no orphan in storage. The file is written before
    the commit, so an upload that committed is durable."""
    storage = storage or default_storage
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            try:
                storage.delete(name)
            except Exception:  # noqa: BLE001 (the original error matters more; the file is unreferenced either way)
                logger.exception("Could not remove %s after its transaction rolled back", name)
        raise


class StoredFileDamaged(Exception):
    """A stored file's size differs from the one recorded on its row (lost or truncated in storage)."""


def _verified(fh, *, name: str, sha256: str) -> Iterator[bytes]:
    digest = hashlib.sha256()
    try:
        for chunk in iter(lambda: fh.read(CHUNK_BYTES), b""):
            digest.update(chunk)
            yield chunk
    finally:
        fh.close()
    if digest.hexdigest() != sha256:
        # The bytes are already on their way: say so loudly (the client has X-Content-SHA256 to check against).
        logger.error("Stored file %s does not match its recorded SHA-256 %s", name, sha256)


def stored_file_response(storage: Storage, name: str, *, size: int, sha256: str, content_type: str,
                         filename: str, inline: bool = False) -> StreamingHttpResponse:
    """Stream a stored file in chunks (never whole in memory) with ``Content-Length``, ``X-Content-SHA256`` and a
    safe ``Content-Disposition``. The size is checked before anything is sent (one stat / HEAD): a lost or
    truncated file raises ``StoredFileDamaged`` instead of sending a short body. The SHA-256 is computed as the
    bytes stream and a mismatch is logged as an error; it cannot stop a response already sent without reading the
    whole file first, which is what streaming avoids, and the header lets the client verify it."""
    stored = storage.size(name)
    if stored != size:
        logger.error("Stored file %s is %s bytes; its row records %s", name, stored, size)
        raise StoredFileDamaged(name)
    response = StreamingHttpResponse(_verified(storage.open(name, "rb"), name=name, sha256=sha256),
                                     content_type=safe_content_type(content_type))
    response["Content-Length"] = str(size)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["X-Content-SHA256"] = sha256
    return response
