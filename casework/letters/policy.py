"""What may go into a letter. Pure functions: the allow-list filter and the internal-text check.

Internal-only information (the sensitive issue indicator PS-CON-4, ownership discussions CMA-1.6, internal notes)
never reaches a letter: only allow-listed keys with plain values survive, and any value that repeats internal text
held on the customer's record is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from casework.core.policy import Decision

from .registry import COMMON_KEYS, LetterTemplate

PLAIN_TYPES = (str, int, Decimal, dt.date)


@dataclass(frozen=True)
class FilteredContext:
    fields: dict[str, Any]
    dropped: tuple[str, ...]


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, PLAIN_TYPES):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return None


def filter_context(template: LetterTemplate, context: Mapping[str, Any]) -> FilteredContext:
    """Keep only allow-listed keys whose values are plain text, numbers, dates or lists of them (PS-CON-4)."""
    allowed = template.allowed_keys | COMMON_KEYS
    fields: dict[str, Any] = {}
    dropped: list[str] = []
    for key, value in context.items():
        if key not in allowed:
            dropped.append(key)
            continue
        if isinstance(value, (list, tuple)):
            items = [_plain(v) for v in value]
            if any(v is None for v in items):
                dropped.append(key)
                continue
            fields[key] = items
        else:
            plain = _plain(value)
            if plain is None:
                dropped.append(key)
                continue
            fields[key] = plain
    return FilteredContext(fields=fields, dropped=tuple(sorted(dropped)))


MAX_ITEMS = 40  # paragraphs (or bullet points) in one list field
MAX_FIELD_CHARS = 4000  # one paragraph or field
MAX_TOTAL_CHARS = 20000  # all the officer's text in one letter (a few pages)


def size_check(context: Mapping[str, Any]) -> dict[str, list[str]]:
    """Letter size limits, per field (empty = within limits). Checked before anything is filtered or rendered."""
    problems: dict[str, list[str]] = {}
    total = 0
    for key, value in context.items():
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        if isinstance(value, (list, tuple)) and len(items) > MAX_ITEMS:
            problems[key] = [f"A letter may have at most {MAX_ITEMS} paragraphs or points here ({len(items)} given)."]
            continue
        for item in items:
            size = len(str(item)) if isinstance(item, (str, int, Decimal)) else 0
            total += size
            if size > MAX_FIELD_CHARS:
                problems[key] = [f"Each paragraph may have at most {MAX_FIELD_CHARS} characters."]
                break
    if not problems and total > MAX_TOTAL_CHARS:
        problems["context"] = [f"A letter may have at most {MAX_TOTAL_CHARS} characters of text ({total} given)."]
    return problems


def internal_text_check(fields: Mapping[str, Any], internal_texts: Iterable[str]) -> Decision:
    """Refuse a letter whose fields repeat internal-only text (PS-CON-4, CMA-1.6). Kept for callers that hold the
    internal texts themselves; letters use ``disclosure.check_for_recipient`` (every customer the recipient shares a
    case with, reworded matching)."""
    from .disclosure import INTERNAL_NOTE, Protected, check_texts, free_texts

    return check_texts(free_texts(fields), [Protected(INTERNAL_NOTE, t) for t in internal_texts if t]).decision
