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


def _current(row: models.Model, name: str) -> Any:
    value = getattr(row, name, None)
    if isinstance(value, models.Model):
        return str(value)
    return _plain(value)


def changes_since(row: models.Model, expected: int) -> list[dict[str, Any]]:
    """The changes made to ``row`` after version ``expected``, oldest first, from the audit trail: for each later
    version the event that made it (the first event recorded at that version) with its fields' current values."""
    events = (
        AuditEvent.objects.filter(
            target_type=row._meta.model_name, target_id=str(row.pk), target_version__gt=int(expected)
        )
        .order_by("target_version", "id")
        .only("action", "actor_label", "occurred_at", "after", "target_version", "reason")
    )
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    for event in events:
        if event.target_version in seen:
            continue
        seen.add(event.target_version)
        names = [k for k in (event.after or {}) if k not in ("id", "version") and hasattr(row, k)]
        out.append({
            "version": event.target_version,
            "action": event.action,
            "by": event.actor_label,
            "at": event.occurred_at.isoformat() if isinstance(event.occurred_at, dt.datetime) else event.occurred_at,
            "reason": event.reason,
            "fields": {name: _current(row, name) for name in names},
        })
    # A correction or amendment that superseded the row: its event targets the new row and names this one as
    # ``before.id`` (customers' ``_supersede``, ``payment_arrangement_amend``).
    replacing = (
        AuditEvent.objects.filter(target_type=row._meta.model_name, before__id=row.pk)
        .exclude(target_id=str(row.pk))
        .order_by("id")
        .only("action", "actor_label", "occurred_at", "after", "target_id", "reason")
    )
    for event in replacing:
        after = event.after or {}
        out.append({
            "version": None,
            "action": event.action,
            "by": event.actor_label,
            "at": event.occurred_at.isoformat() if isinstance(event.occurred_at, dt.datetime) else event.occurred_at,
            "reason": event.reason,
            "replaced_by": int(event.target_id) if str(event.target_id).isdigit() else event.target_id,
            "fields": {k: v for k, v in after.items() if k not in ("id", "version")},
        })
    return out


def _describe(row: models.Model, changed: list[dict[str, Any]]) -> str:
    parts = []
    for change in changed:
        fields = ", ".join(f"{_label(row, k)} (now {v if v not in (None, '') else 'blank'})"
                           for k, v in change["fields"].items())
        when = str(change["at"])[:16].replace("T", " ") + " UTC"
        if "replaced_by" in change:
            act = change["action"].split(".")[-1].replace("_", " ")
            parts.append(f"{change['by']} recorded a {act} (record {change['replaced_by']}, reason: "
                         f"{change['reason'] or 'none given'}) at {when}" + (f" with {fields}" if fields else ""))
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
