"""Writes to reference data. Every change is audited; nothing is hard-deleted (rows are deactivated)."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from casework.core.audit import audit_record, snapshot


def reference_upsert(
    *, actor: Any, model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any], reason: str = ""
) -> tuple[models.Model, bool]:
    """Create or update one reference row by its natural key; audit only when something changed.

    Returns (row, changed). Idempotent: loading the same data twice writes nothing the second time.
    """
    with transaction.atomic():
        row = model.objects.select_for_update().filter(**lookup).first()
        name = model._meta.model_name
        if row is None:
            row = model(**lookup, **values)
            row.full_clean()
            row.save()
            audit_record(actor=actor, action=f"{name}.create", target=row, after=snapshot(row), reason=reason)
            return row, True
        before = snapshot(row)
        for key, value in values.items():
            setattr(row, key, value)
        after = snapshot(row)
        if after == before:
            return row, False
        row.full_clean()
        row.save()
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        audit_record(
            actor=actor,
            action=f"{name}.update",
            target=row,
            before={k: before[k] for k in changed},
            after=changed,
            reason=reason,
        )
        return row, True
