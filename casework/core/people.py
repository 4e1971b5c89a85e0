"""How an officer is shown to another officer (issue 14): "Ana Ruiz (Service Officer, Parramatta)", never a username.

Duck-typed (``core`` sits below ``org``): takes an ``org.Officer``, an auth user (its officer when it has one) or
None. Templates use the ``officer_name`` filter (``{% load people %}``); the picker's options and the audit view use
``person_label``. A user with no officer record (the administrator's account, an import) shows their full name, else
their username; nobody: "".
"""

from __future__ import annotations

from typing import Any


def officer_label(officer: Any) -> str:
    """``Ana Ruiz (Service Officer, Parramatta)``: the name, the role and the office of the officer's position."""
    position = getattr(officer, "position", None) if getattr(officer, "position_id", None) else None
    office = getattr(position, "office", None) if position is not None else None
    where = f", {office.name}" if office is not None else ""
    return f"{officer.display_name} ({officer.get_role_display()}{where})"


def person_label(who: Any) -> str:
    """An officer, or a user (through their officer), in words; "" for nobody."""
    if who is None or who == "":
        return ""
    if hasattr(who, "get_role_display") and hasattr(who, "display_name"):
        return officer_label(who)
    officer = getattr(who, "officer", None)  # a user without an officer record: RelatedObjectDoesNotExist → None
    if officer is not None:
        return officer_label(officer)
    full = who.get_full_name() if hasattr(who, "get_full_name") else ""
    return full or str(getattr(who, "username", who))
