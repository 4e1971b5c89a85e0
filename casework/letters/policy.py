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


# Issue 14: keys that hold a date. A date is printed "30 November 2026"; a typed one must be a real date.
DATE_KEYS = frozenset({"decision_date", "contact_by_date", "next_contact", "respond_by"})
DATE_INPUT_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y")
DATE_PROBLEM = "Enter a real date, for example 30/11/2026."


def letter_date(value: dt.date) -> str:
    """A date as a letter prints it: ``30 November 2026`` (never ISO, never a code)."""
    return f"{value.day} {value:%B %Y}"


def parse_letter_date(value: Any) -> dt.date | None:
    """A date given for a letter (a date, or text in one of ``DATE_INPUT_FORMATS``); None when it is not a real date
    (``31/02/2020``, ``next Tuesday-ish``)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    for fmt in DATE_INPUT_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def date_check(context: Mapping[str, Any]) -> dict[str, list[str]]:
    """Per date field whose value is given but is not a real date (empty = all good)."""
    return {key: [DATE_PROBLEM] for key, value in context.items()
            if key in DATE_KEYS and value not in (None, "") and parse_letter_date(value) is None}


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return letter_date(value.date())
    if isinstance(value, PLAIN_TYPES):
        return letter_date(value) if isinstance(value, dt.date) else str(value)
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
        if key in DATE_KEYS and isinstance(value, str):
            value = parse_letter_date(value) or value
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


# CMA-1.2: "if the customer cannot be contacted, send the MX1-1 Request for client to contact". A customer spoken to
# in the last RECENT_CONTACT_DAYS was contacted: that letter is not offered and not sent (a unique letter still is).
REQUEST_CONTACT = "mx1_1_request_contact"
RECENT_CONTACT_DAYS = 5


def request_contact_decision(*, last_reached: dt.datetime | None, now: dt.datetime) -> Decision:
    """May the "please contact us" letter (MX1-1) go to a customer last spoken to at ``last_reached``?"""
    if last_reached is not None and now - last_reached < dt.timedelta(days=RECENT_CONTACT_DAYS):
        return Decision.no(
            f"We spoke with the customer in the last {RECENT_CONTACT_DAYS} days: the letter asking them to contact us "
            "is only for a customer we could not reach. Write them a unique letter instead.",
            "CMA-1.2", outcome="recently_reached",
        )
    return Decision.yes("The customer has not been reached recently: the letter asking them to contact us may go.",
                        "CMA-1.2")
