"""``audit_record``: the single way anything is written to the audit trail.

Services call it inside their own ``transaction.atomic`` so the change and its audit event commit or fail together.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import hashlib
import json
import logging
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Exists, OuterRef

from . import clock
from .context import request_id_var, seal_deferred_var, system_actor_var
from .copy import copy_rows
from .models import AuditChainLink, AuditEvent

logger = logging.getLogger("casework.audit")


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


class AuditTarget(NamedTuple):
    """What an event is about, given as plain values instead of the loaded row (the set-based sweeps read only the
    columns they need, issue 15): the same ``target_type``, ``target_id``, ``target_repr`` (``str(row)``) and
    ``target_version`` (the version after the change) as ``target=row`` would record."""

    type: str
    id: Any
    repr: str = ""
    version: int | None = None


def _is_versioned(instance: models.Model) -> bool:
    return _versioned_model(type(instance))


@functools.cache
def _versioned_model(model: type[models.Model]) -> bool:
    """Whether the model has a ``version`` (asked once per model, not per event: a sweep's chunk records thousands)."""
    return any(f.name == "version" for f in model._meta.concrete_fields)


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
    event = _event(actor=actor, action=action, target=target, before=before, after=after, reason=reason,
                   step_ids=step_ids, customer=customer)
    event.save(force_insert=True)
    return event


def audit_record_many(entries: Iterable[Mapping[str, Any]]) -> list[AuditEvent]:
    """Append many audit events in one bulk insert: each entry has exactly ``audit_record``'s keyword arguments and
    gives the same event (the set-based sweeps, issue 15). Must run inside the caller's transaction; the events are
    chained like any other (by the scheduled seal or a job's, or after commit with ``AUDIT_SEAL_AFTER_COMMIT``). The events of one call share one ``occurred_at`` (one moment, one
    transaction). On PostgreSQL they are written by one ``COPY`` of rows built as tuples (no model instance per
    event) and the list returned is empty; elsewhere by ``bulk_create``, which returns them."""
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction("audit_record_many must be called inside the service's transaction")
    entries = list(entries)
    if not entries:
        return []
    _ask_seal()
    now = clock.now()
    label = system_actor_var.get() or "system"
    request_id = request_id_var.get()
    rows = [_event_row(now, label, request_id, **entry) for entry in entries]
    if connection.vendor == "postgresql":
        _copy_events(rows)
        return []
    return AuditEvent.objects.bulk_create([AuditEvent(**dict(zip(COPY_COLUMNS, row))) for row in rows],
                                          batch_size=1000)


COPY_COLUMNS = ("occurred_at", "actor_id", "actor_label", "action", "target_type", "target_id", "target_repr",
                "customer_id", "before", "after", "reason", "step_ids", "request_id", "target_version")
_JSON_AT = tuple(i for i, name in enumerate(COPY_COLUMNS) if name in ("before", "after", "step_ids"))


def _copy_events(rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL: the events in one ``COPY`` (issue 15: a sweep's chunk writes thousands; ``bulk_create`` prepared
    every field of every event through the ORM). ``rows`` are tuples in ``COPY_COLUMNS`` order (``_event_row``); the
    JSON columns get ``json.dumps`` of the plain values, which is what the model's ``JSONField`` stores."""
    dumps = json.dumps
    b, a, s = _JSON_AT

    def encoded(row: tuple[Any, ...]) -> list[Any]:
        row = list(row)
        row[b] = None if row[b] is None else dumps(row[b])
        row[a] = None if row[a] is None else dumps(row[a])
        row[s] = dumps(row[s])
        return row

    copy_rows(AuditEvent, COPY_COLUMNS, map(encoded, rows))


SELECT_COLUMNS = ("target_type", "target_id", "target_repr", "customer_id", "after", "target_version")


def audit_record_select(*, action: str, select_sql: str, params: Iterable[Any] = ()) -> int:
    """PostgreSQL: append the events a ``SELECT`` describes in one ``INSERT … SELECT`` (issue 15: the bulk import
    builds its events' JSON in SQL from the rows it has just written). The ``SELECT`` yields ``SELECT_COLUMNS`` in
    that order (``after`` as jsonb); the rest is what ``audit_record(actor=None, ...)`` records under the current
    context (its system or job actor, request id, no reason, no step IDs). Must run inside the caller's
    transaction; the events are chained like any other. Returns how many it appended."""
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction(f"audit_record_select({action}) must be called inside the service's transaction")
    _ask_seal()
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    fixed = ("occurred_at", "actor_id", "actor_label", "action", "before", "reason", "step_ids", "request_id")
    cols = ", ".join(AuditEvent._meta.get_field(c).column for c in (*fixed, *SELECT_COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({cols}) SELECT %s, NULL, %s, %s, NULL, '', '[]'::jsonb, %s, e.* "
            f"FROM ({select_sql}) AS e",
            [clock.now(), system_actor_var.get() or "system", action, request_id_var.get(), *params],
        )
        return cursor.rowcount


def _event(**entry: Any) -> AuditEvent:
    """The unsaved event ``audit_record`` appends (and, with ``AUDIT_SEAL_AFTER_COMMIT``, asks for the chain to be
    sealed after commit)."""
    return AuditEvent(**_event_values(**entry))


def _event_values(**entry: Any) -> dict[str, Any]:
    """The column values of the event ``audit_record`` appends, by field name (and, with ``AUDIT_SEAL_AFTER_COMMIT``,
    asks for the chain to be sealed after commit)."""
    _ask_seal()
    return dict(zip(COPY_COLUMNS, _event_row(clock.now(), system_actor_var.get() or "system", request_id_var.get(),
                                             **entry)))


def _event_row(
    now: dt.datetime,
    system_label: str,
    request_id: str,
    *,
    actor: Any,
    action: str,
    target: models.Model | AuditTarget | tuple[str, Any],
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    step_ids: Iterable[str] = (),
    customer: Any = None,
) -> tuple[Any, ...]:
    """One event's column values as a tuple in ``COPY_COLUMNS`` order (no model instance: issue 15), ``before``,
    ``after`` and ``step_ids`` as plain values. ``system_label``: the actor label when ``actor`` is not a user."""
    if isinstance(target, AuditTarget):
        target_type, target_id = target.type, str(target.id)
        target_repr, target_version = target.repr[:200], target.version
    elif isinstance(target, models.Model):
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
    return (
        now,
        getattr(user, "pk", None),
        getattr(user, "username", "") or system_label,
        action,
        target_type,
        target_id,
        target_repr,
        int(customer_id) if customer_id not in (None, "") else None,
        _plain(before) if before is not None else None,
        _plain(after) if after is not None else None,
        reason or "",
        list(step_ids),
        request_id,
        target_version,
    )


# --- The hash chain (issue 13, docs/security.md "The audit hash chain") ------------------------------------------

GENESIS = "0" * 64
CHAIN_LOCK = 7_713_013  # pg_advisory_xact_lock key of the chain's writer
# How far back (in event ids) an ordinary seal looks for events committed late (a long transaction's lower ids).
SEAL_WINDOW = 2_000
# How far back the scheduled catch-up seal looks: a sweep's chunk commits up to a few thousand events in one
# transaction, with lower ids than events other officers committed (and sealed) meanwhile.
CATCH_UP_WINDOW = 200_000
DIGEST_FIELDS = ("id", "occurred_at", "actor_id", "actor_label", "action", "target_type", "target_id",
                 "target_repr", "customer_id", "before", "after", "reason", "step_ids", "request_id", "target_version")


def event_digest(event: AuditEvent | Mapping[str, Any]) -> str:
    """The SHA-256 of an event's recorded content (as stored: read back from the database), from the event or from
    its ``DIGEST_FIELDS`` read as values (the seal reads values, not instances: issue 15)."""
    if isinstance(event, Mapping):
        data = dict(event)
    else:
        data = {name: getattr(event, name) for name in DIGEST_FIELDS}
    data["occurred_at"] = data["occurred_at"].astimezone(dt.timezone.utc).isoformat()
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def link_hash(prev_hash: str, event: AuditEvent | Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + event_digest(event)).encode()).hexdigest()


def audit_chain_seal(*, everything: bool = False, wait: bool = True, window: int | None = None) -> int:
    """Chain every committed event that has no link yet, in id order, after the last link. One short transaction
    under the chain's lock (PostgreSQL advisory lock; SQLite serialises writers), so concurrent sealers never fork
    the chain. ``everything``: look at the whole trail, not only the recent window. ``wait=False`` (the seal after
    each commit, issue 15): when another process holds the chain's lock, return 0 at once instead of queueing behind
    it; what this commit added is chained by that sealer, the next commit's seal or the scheduled seal
    (``core.jobs.audit_chain_seal_job``). ``window``: how far back (in event ids) to look for events committed late;
    the scheduled seal looks much further back than the seal after each commit. Returns how many it chained."""
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    if wait:
                        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
                    else:
                        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [CHAIN_LOCK])
                        if not cursor.fetchone()[0]:
                            return 0
            last = AuditChainLink.objects.order_by("-seq").first()
            pending = AuditEvent.objects.all()
            if last is not None and not everything:
                floor = last.event_id - (window if window is not None else SEAL_WINDOW)
                pending = pending.filter(id__gt=floor)
            # NOT EXISTS (an anti-join on the links' unique event index), not NOT IN: at 2M links PostgreSQL planned
            # the NOT IN as a subplan re-scanning the links per event (7.6 s a seal at 1.5M customers, issue 15).
            pending = pending.filter(~Exists(AuditChainLink.objects.filter(event_id=OuterRef("pk")))).order_by("id")
            prev = last.hash if last is not None else GENESIS
            count = 0
            links: list[tuple[int, str, str]] = []
            for values in pending.values_list(*DIGEST_FIELDS).iterator(chunk_size=2000):
                event = dict(zip(DIGEST_FIELDS, values))
                digest = link_hash(prev, event)
                links.append((event["id"], prev, digest))
                prev = digest
                count += 1
                if len(links) >= 1000:  # bulk inserts, in chain order (a sweep's chunk adds thousands of events)
                    _write_links(links)
                    links = []
            _write_links(links)
            return count
    except IntegrityError:
        # SQLite: another sealer chained the same events first (event_id is unique); nothing is lost.
        return 0


def _ask_seal() -> None:
    """With ``AUDIT_SEAL_AFTER_COMMIT``, the chain is sealed once after the current transaction commits."""
    if _seal_after_commit_on() and not any(entry[1] is _seal_after_commit for entry in connection.run_on_commit):
        transaction.on_commit(_seal_after_commit, robust=True)


def _seal_after_commit_on() -> bool:
    """Issue 15: the chain is sealed off the request path by default (the scheduled seal every minute,
    ``core.jobs.audit_chain_seal_job``, and a job's seal at its end): the seal after each commit cost ~6 statements
    and a transaction per audited request. ``AUDIT_SEAL_AFTER_COMMIT = True`` restores the seal after each commit."""
    return getattr(settings, "AUDIT_SEAL_AFTER_COMMIT", False)


def _write_links(links: list[tuple[int, str, str]]) -> None:
    """The seal's links, ``(event_id, prev_hash, hash)`` in chain order: one ``COPY`` on PostgreSQL (issue 15; the
    ``seq`` comes from the table's sequence in row order, as with an insert), ``bulk_create`` elsewhere."""
    if not links:
        return
    if connection.vendor != "postgresql":
        AuditChainLink.objects.bulk_create([AuditChainLink(event_id=e, prev_hash=p, hash=h) for e, p, h in links])
        return
    copy_rows(AuditChainLink, ("event_id", "prev_hash", "hash"), links)


def _seal_after_commit() -> None:
    # A job (``core.context.job_context``) seals once when it ends instead of after each chunk's commit: a sweep of
    # thousands of rows in chunks of 1,000 paid a seal per chunk (43 % of the SLA sweep's time, issue 15).
    if seal_deferred_var.get():
        return
    audit_chain_seal(wait=False)


def audit_chain_verify() -> tuple[int, str | None]:
    """Walk the chain in order. Returns (links checked, the first broken link described, or None when whole)."""
    prev = GENESIS
    checked = 0
    links = AuditChainLink.objects.order_by("seq")
    for link in links.iterator(chunk_size=2000):
        if link.prev_hash != prev:
            return checked, (f"link {link.seq} (event {link.event_id}): the link before it is missing or altered "
                             f"(expected previous hash {prev[:12]}…, it names {link.prev_hash[:12]}…)")
        event = AuditEvent.objects.filter(pk=link.event_id).first()
        if event is None:
            return checked, f"link {link.seq}: audit event {link.event_id} is missing (deleted)"
        if link_hash(prev, event) != link.hash:
            return checked, f"link {link.seq}: audit event {link.event_id} was altered since it was chained"
        prev = link.hash
        checked += 1
    return checked, None
