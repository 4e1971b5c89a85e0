"""Writes of notifications: sent inside the caller's transaction (so a rolled-back act notifies nobody), once per
officer per event, and marked read by their recipient only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from casework.core import clock
from casework.core.audit import audit_record
from casework.core.errors import NotPermitted

from .models import Notification, NotificationKind


def _users(recipients: Iterable[Any]) -> list[Any]:
    """Users from users or officers (an officer's user), de-duplicated, inactive ones left out."""
    seen: dict[int, Any] = {}
    for r in recipients:
        if r is None:
            continue
        user = getattr(r, "user", r)
        if user is None or not getattr(user, "is_active", True) or user.pk is None:
            continue
        seen.setdefault(user.pk, user)
    return list(seen.values())


def notification_send(*, recipients: Iterable[Any], kind: str, text: str, key: str, link: str = "",
                      customer: Any = None, step_ids: Iterable[str] = (), exclude: Iterable[Any] = ()) -> list[Notification]:
    """Tell each recipient (users or officers) once about the event ``key``; officers in ``exclude`` (typically the
    one who acted) are not told about their own act. Returns the rows created (none for an event already sent)."""
    kind = NotificationKind(kind).value
    skip = {u.pk for u in _users(exclude)}
    created = []
    now = clock.now()
    with transaction.atomic():
        for user in _users(recipients):
            if user.pk in skip:
                continue
            if Notification.objects.filter(recipient=user, key=key[:160]).exists():
                continue
            try:
                with transaction.atomic():
                    created.append(Notification.objects.create(
                        recipient=user, kind=kind, text=text[:300], link=link[:300], customer=customer,
                        key=key[:160], step_ids=list(step_ids), created_at=now))
            except IntegrityError:  # the same event sent concurrently: once is enough
                continue
    return created


# The columns of ``notification_send_many``'s rows, in order.
SEND_MANY_COLUMNS = ("recipient_id", "kind", "text", "link", "customer_id", "key", "step_ids", "created_at")


def notification_send_many(*, rows: Iterable[tuple[Any, ...]]) -> int:
    """Many notifications at once (the set-based sweeps, issue 15), each row a tuple in ``SEND_MANY_COLUMNS`` order
    (user id, kind, text, link, customer id, key, step IDs, when) already decided by the caller as
    ``notification_send`` would (active recipients, not the actor); an event already sent to its recipient is
    skipped (the ``notification_once_per_event`` constraint). On PostgreSQL one ``INSERT … SELECT FROM UNNEST`` of
    one array per column (``bulk_create`` sent nine parameters per row for psycopg to interpolate: 15,000 for a
    chunk of the automatic-unlock sweep); elsewhere ``bulk_create``. Inside the caller's transaction (no savepoint
    of its own). Returns how many rows it was given."""
    import json

    from django.db import connection

    rows = [(uid, NotificationKind(kind).value, text[:300], link[:300], cid, key[:160], list(steps), at)
            for uid, kind, text, link, cid, key, steps, at in rows]
    if not rows:
        return 0
    with transaction.atomic(savepoint=False):
        if connection.vendor != "postgresql":
            Notification.objects.bulk_create([Notification(**dict(zip(SEND_MANY_COLUMNS, row))) for row in rows],
                                             batch_size=1000, ignore_conflicts=True)
            return len(rows)
        fields = [Notification._meta.get_field(c.removesuffix("_id") if c.endswith("_id") else c)
                  for c in SEND_MANY_COLUMNS]
        qn = connection.ops.quote_name
        cols = ", ".join(qn(f.column) for f in fields)
        types = {"step_ids": "text"}  # JSON sent as text, cast per element below
        arrays = ", ".join(f"%s::{types.get(f.name, f.db_type(connection))}[]" for f in fields)
        select = ", ".join("v.step_ids::jsonb" if f.name == "step_ids" else f"v.{qn(f.column)}" for f in fields)
        names = ", ".join("step_ids" if f.name == "step_ids" else qn(f.column) for f in fields)
        columns = list(zip(*rows))
        columns[SEND_MANY_COLUMNS.index("step_ids")] = tuple(json.dumps(s) for s in columns[6])
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {qn(Notification._meta.db_table)} ({cols}) SELECT {select} "
                f"FROM UNNEST({arrays}) AS v({names}) ON CONFLICT DO NOTHING",
                [list(c) for c in columns],
            )
    return len(rows)


def notification_mark_read(*, actor, notification: Notification) -> Notification:
    if actor is None or notification.recipient_id != actor.pk:
        raise NotPermitted("This notification is not yours.")
    with transaction.atomic():
        row = Notification.objects.select_for_update().get(pk=notification.pk)
        if row.read_at is None:
            row.read_at = clock.now()
            row.save(update_fields=["read_at"])
            audit_record(actor=actor, action="notification.read", target=row, after={"read_at": row.read_at},
                         customer=row.customer_id)
    return row


def notification_mark_all_read(*, actor) -> int:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotPermitted("Sign in to read your notifications.")
    with transaction.atomic():
        now = clock.now()
        count = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=now)
        if count:
            audit_record(actor=actor, action="notification.read_all", target=("user", actor.pk),
                         after={"count": count, "read_at": now})
    return count
