"""CSID: the customer's child support reference number.

Format used by this system: 10 digits, the last a Luhn (mod 10) check digit over the first nine. Spaces and
hyphens typed by an officer are ignored. ``validate_csid`` raises a ValidationError naming what is wrong.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

CSID_LENGTH = 10
_STRIP = re.compile(r"[\s-]")


def normalise_csid(raw: str) -> str:
    return _STRIP.sub("", str(raw or ""))


def luhn_check_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def make_csid(number: int) -> str:
    """The valid CSID whose first nine digits are ``number`` (zero-padded)."""
    body = f"{number:09d}"
    if len(body) != CSID_LENGTH - 1:
        raise ValueError("CSID body must be at most nine digits")
    return body + luhn_check_digit(body)


def format_csid(csid: str) -> str:
    """The CSID as printed for a customer: three groups, ``123 456 7890`` (issue 14, letters)."""
    raw = normalise_csid(csid)
    if len(raw) != CSID_LENGTH:
        return raw
    return f"{raw[:3]} {raw[3:6]} {raw[6:]}"


def csid_problem(raw: str) -> str | None:
    """Why ``raw`` is not a valid CSID, in words an officer understands; None when it is valid."""
    value = normalise_csid(raw)
    if not value:
        return "Enter the customer's CSID."
    if not value.isdigit():
        return "A CSID contains digits only."
    if len(value) != CSID_LENGTH:
        return f"A CSID has {CSID_LENGTH} digits; this has {len(value)}."
    if luhn_check_digit(value[:-1]) != value[-1]:
        return "This CSID's check digit is wrong: check the number with the customer."
    return None


def is_valid_csid(raw: str) -> bool:
    return csid_problem(raw) is None


def validate_csid(raw: str) -> None:
    problem = csid_problem(raw)
    if problem:
        raise ValidationError(problem, code="invalid_csid")
