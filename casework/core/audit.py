"""``audit_record``: the single way anything is written to the audit trail.

Services call it inside their own ``transaction.atomic`` so the change and its audit event commit or fail together.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, models

from . import clock
from .context import request_id_var, system_actor_var
from .models import AuditEvent


class AuditOutsideTransaction(RuntimeError):
    pass


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if hasattr(value, "value") and hasattr(value, "name"):  # enums
        return value.value
    return value


def _is_versioned(instance: models.Model) -> bool:
    return any(f.name == "version" for f in instance._meta.concrete_fields)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """Plain-data copy of a model's concrete fields, for before/after values."""
    names = list(fields) if fields is not None else [f.attname for f in instance._meta.concrete_fields]
    return {name: _plain(getattr(instance, name)) for name in names}


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | tuple[str, Any],
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    step_ids: Iterable[str] = (),
    customer: Any = None,
) -> AuditEvent:
    """Append one audit event. Must run inside the caller's transaction (``transaction.atomic``).

    ``actor`` is a user, or None for scheduled work run under ``job_context`` (the job is then the actor).
    ``customer`` is a Customer (or its id) the event concerns, so auditors can search by customer.
    """
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction(f"audit_record({action}) must be called inside the service's transaction")
    if isinstance(target, models.Model):
        target_type = target._meta.model_name
        target_id = str(target.pk)
        target_repr = str(target)[:200]
        target_version = getattr(target, "version", None) if _is_versioned(target) else None
    else:
        target_type, raw_id = target
        target_id = str(raw_id)
        target_repr = ""
        target_version = None
    if customer is None and target_type == "customer":
        customer = target_id
    customer_id = getattr(customer, "pk", customer)
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = getattr(user, "username", "") or system_actor_var.get() or "system"
    return AuditEvent.objects.create(
        occurred_at=clock.now(),
        actor=user,
        actor_label=label,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr,
        customer_id=int(customer_id) if customer_id not in (None, "") else None,
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        reason=reason or "",
        step_ids=list(step_ids),
        request_id=request_id_var.get(),
        target_version=target_version,
    )
