"""Safe file names for every stored document and every download.

A file name comes from a customer or an officer's machine: it may hold CR/LF (header injection), other control
characters, quotes, path separators or ``..``. ``safe_filename`` keeps letters, digits and ``. _ - ( ) space`` (any
script), collapses the rest, and never returns an empty or dot-only name. ``content_disposition`` builds the header
with Django's ``content_disposition_header`` (RFC 6266/5987 quoting, ``filename*`` for non-ASCII).
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.http import content_disposition_header

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
