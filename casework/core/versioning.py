"""Optimistic concurrency for every editable record (issue 13): one ``version`` per record, checked and moved by the
service that changes it, in its transaction, on the row it locked with ``select_for_update``.

A service that changes a versioned record:

1. locks the row (``select_for_update``) and calls ``version_check(row, expected, what=...)``: ``expected`` is the
   version the officer's change was made from (the API's body ``version`` / ``If-Match``, the web form's hidden
   field); ``None`` means the client sent none (older API clients: last write wins for them, docs/security.md);
2. changes the row, calls ``version_bump(row)`` (or ``version_bump_row(model, pk)`` for a row it changes by
   ``.update()``, e.g. a record being superseded by its correction) and saves;
3. calls ``audit_record(target=row, ...)``: the audit event stores the record's version after the change
   (``AuditEvent.target_version``), which is how a later stale write is told *what* changed since its version.

A stale write raises ``Conflict`` (409) whose message says who changed what and when, and whose body carries
``current_version`` and ``changed`` (one entry per change since the version read: the version it made, the action,
the officer, when, and the fields with their current values). Nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import F

from .audit import _plain
from .errors import Conflict
from .models import AuditEvent

VERSION_HELP = "The record's version: moves by one with every change (optimistic concurrency, issue 13)."


def version_field() -> models.PositiveIntegerField:
    """The ``version`` column of an editable record."""
    return models.PositiveIntegerField(default=1, editable=False, help_text=VERSION_HELP)


def version_bump(row: models.Model) -> None:
    """Move the (locked) row's version on; the caller saves it (include ``version`` in ``update_fields``)."""
    row.version = int(row.version) + 1


def version_bump_row(model: type[models.Model], pk: Any, **values: Any) -> int:
    """Move a row's version on with a queryset update (rows changed by ``.update()``), with ``values``; returns the
    new version."""
    model._default_manager.filter(pk=pk).update(version=F("version") + 1, **values)
    return model._default_manager.values_list("version", flat=True).get(pk=pk)


def _label(row: models.Model, name: str) -> str:
    try:
        return str(row._meta.get_field(name.removesuffix("_id")).verbose_name)
    except Exception:  # noqa: BLE001 - a payload key that is not a field keeps its name
        return name.replace("_", " ")


def _field(row: models.Model, name: str):
    try:
        return row._meta.get_field(name.removesuffix("_id"))
    except Exception:  # noqa: BLE001 - not a field of the row
        return None


def _current(row: models.Model, name: str) -> Any:
    """The row's current value of ``name`` as an officer reads it: a related record by its name, a choice by its
    label."""
    field = _field(row, name)
    if field is not None and field.is_relation and field.many_to_one:
        related = getattr(row, field.name, None)
        return str(related) if related is not None else None
    value = getattr(row, name, None)
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    return _plain(value)


def _said(value: Any) -> str:
    if value is None or value == "":
        return "blank"
    if value is True or value is False:
        return "yes" if value else "no"
    return str(value)


def changes_since(row: models.Model, expected: int) -> list[dict[str, Any]]:
    """The changes made to ``row`` after version ``expected``, oldest first, from the audit trail: for each later
    version the event that made it (the first event recorded at that version) with its fields' current values."""
    events = (
        AuditEvent.objects.filter(
            target_type=row._meta.model_name, target_id=str(row.pk), target_version__gt=int(expected)
        )
        .order_by("target_version", "id")
        .only("action", "actor_label", "occurred_at", "before", "after", "target_version", "reason")
    )
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    for event in events:
        if event.target_version in seen:
            continue
        seen.add(event.target_version)
        after, before = event.after or {}, event.before
        # The fields the change altered (an event that snapshots the whole row names only those that differ).
        names = [k for k in after if k not in ("id", "version")
                 and (not isinstance(before, dict) or k not in before or before[k] != after[k])]
        out.append({
            "version": event.target_version,
            "action": event.action,
            "by": event.actor_label,
            "at": event.occurred_at.isoformat() if isinstance(event.occurred_at, dt.datetime) else event.occurred_at,
            "reason": event.reason,
            # The field's current value where the record has it, else what the change recorded (e.g. a child
            # row's category, a date the change took effect from).
            "fields": {name: _current(row, name) if hasattr(row, name) else after[name] for name in names},
        })
    # A correction or amendment that superseded the row: its event targets the new row and names this one as
    # ``before.id`` (customers' ``_supersede``, ``payment_arrangement_amend``).
    replacing = (
        AuditEvent.objects.filter(target_type=row._meta.model_name, before__id=row.pk)
        .exclude(target_id=str(row.pk))
        .order_by("id")
        .only("action", "actor_label", "occurred_at", "before", "after", "target_id", "reason")
    )
    for event in replacing:
        after, before = event.after or {}, event.before or {}
        out.append({
            "version": None,
            "action": event.action,
            "by": event.actor_label,
            "at": event.occurred_at.isoformat() if isinstance(event.occurred_at, dt.datetime) else event.occurred_at,
            "reason": event.reason,
            "replaced_by": int(event.target_id) if str(event.target_id).isdigit() else event.target_id,
            # The replacement's values that differ from this record's (what the correction changed).
            "fields": {k: v for k, v in after.items() if k not in ("id", "version") and before.get(k) != v},
        })
    return out


def _describe(row: models.Model, changed: list[dict[str, Any]]) -> str:
    parts = []
    for change in changed:
        fields = ", ".join(f"{_label(row, k)} (now {_said(v)})" for k, v in change["fields"].items())
        when = str(change["at"])[:16].replace("T", " ") + " UTC"
        if "replaced_by" in change:
            act = change["action"].split(".")[-1].replace("_", " ")
            parts.append(f"{change['by']} replaced it with record {change['replaced_by']} ({act}"
                         + (f": {fields}" if fields else "") + f"; reason: {change['reason'] or 'none given'}) at "
                         + when)
            continue
        what = fields or change["action"].split(".")[-1].replace("_", " ")
        parts.append(f"{change['by']} changed {what} at {when}")
    return "; ".join(parts)


def version_conflict(row: models.Model, expected: int, *, what: str, step_ids: Iterable[str] = (),
                     extra: dict[str, Any] | None = None) -> Conflict:
    """The 409 for a change made from version ``expected`` of ``row`` (locked, current)."""
    changed = changes_since(row, expected)
    said = _describe(row, changed)
    return Conflict(
        f"Someone else changed this {what} since you opened it (version {expected}, now {row.version})"
        + (f": {said}" if said else "")
        + ". Nothing was saved: reload it and apply your change again if it is still needed.",
        step_ids=step_ids,
        extra={"current_version": row.version, "changed": changed, **(extra or {})},
    )


def version_check(row: models.Model, expected: int | None, *, what: str, step_ids: Iterable[str] = ()) -> None:
    """Refuse (409) a change made from another version of the locked ``row``; ``expected=None``: not checked."""
    if expected is not None and int(expected) != int(row.version):
        raise version_conflict(row, int(expected), what=what, step_ids=step_ids)
