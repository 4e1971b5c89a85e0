"""What may go into a letter. Pure functions: the allow-list filter and the internal-text check.

Internal-only information (the sensitive issue indicator PS-CON-4, ownership discussions CMA-1.6, internal notes)
never reaches a letter: only allow-listed keys with plain values survive, and any value that repeats internal text
held on the customer's record is refused.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from casework.core.policy import Decision

from .registry import COMMON_KEYS, LetterTemplate

PLAIN_TYPES = (str, int, Decimal, dt.date)
MIN_INTERNAL_FRAGMENT = 12  # shorter internal texts ("FV") would match ordinary words


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


def _texts(fields: Mapping[str, Any]) -> Iterable[str]:
    for value in fields.values():
        if isinstance(value, list):
            yield from (str(v) for v in value)
        else:
            yield str(value)


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def internal_text_check(fields: Mapping[str, Any], internal_texts: Iterable[str]) -> Decision:
    """Refuse a letter whose fields repeat internal-only text from the customer's record (PS-CON-4, CMA-1.6)."""
    haystack = [_normal(t) for t in _texts(fields)]
    needles: set[str] = set()
    for internal in internal_texts:
        whole = _normal(internal or "")
        needles.add(whole)
        needles.update(_normal(part) for part in re.split(r"[.;:\n]+", internal or ""))
    for needle in needles:
        if len(needle) < MIN_INTERNAL_FRAGMENT:
            continue
        for text in haystack:
            if needle in text:
                return Decision.no(
                    "This letter repeats internal-only information (sensitive issue indicator, ownership discussion "
                    "or internal note); it cannot be sent to a customer.",
                    "PS-CON-4",
                    "CMA-1.6",
                )
    return Decision.yes("Only customer-facing information.", "PS-CON-4")
