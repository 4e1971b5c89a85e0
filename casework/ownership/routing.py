"""Issue 15: the call-routing table (``CustomerRoute``) kept equal to the locks, in the same transaction.

Every lock starts and ends through ``Lock.save`` (``services._insert_lock`` creates it, ``services._end_lock`` fires
its protected transition and saves it) and every automatic unlock is scheduled, cancelled, carried out or refused
through ``AutoUnlock.save``; the receivers below write the customer's routing row on those saves, inside the
caller's transaction, so no path (service, demo loader, test fixture) can leave the table behind. Bulk writes that
bypass ``save`` (the bench's COPY loader) write the routing rows themselves, or call ``services.routing_rebuild``.
One write per lock change: an upsert when a lock starts, one UPDATE when it ends or its automatic unlock changes.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from casework.core import clock

from . import selectors
from .models import AutoUnlock, AutoUnlockStatus, CustomerRoute, Lock

UNOWNED = selectors.route_values(None)


def route_write(customer_id: int, lock: Lock | None, *, auto_unlock_due_at=None) -> None:
    """The customer's routing row set to ``lock`` (None: nobody owns the customer). One upsert."""
    row = CustomerRoute(customer_id=customer_id, updated_at=clock.now(), auto_unlock_due_at=auto_unlock_due_at,
                        **selectors.route_values(lock))
    CustomerRoute.objects.bulk_create([row], update_conflicts=True, unique_fields=["customer"],
                                      update_fields=[*selectors.ROUTE_FIELDS, "auto_unlock_due_at", "updated_at"])


def _lock_saved(sender, instance: Lock, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    if instance.is_active:
        due = None
        if not created:  # an active lock saved again (rare): keep its scheduled automatic unlock
            due = selectors.due_auto_unlock(lock=instance)
            due = due.due_at if due is not None else None
        route_write(instance.customer_id, instance, auto_unlock_due_at=due)
    else:
        # Ended: nobody owns the customer through this lock (a new lock, if any, writes its own row after).
        CustomerRoute.objects.filter(customer_id=instance.customer_id, lock_id=instance.pk).update(
            **{k: v for k, v in UNOWNED.items() if k != "lock"}, lock=None, auto_unlock_due_at=None,
            updated_at=clock.now())


def _auto_unlock_saved(sender, instance: AutoUnlock, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    due = instance.due_at if instance.status == AutoUnlockStatus.SCHEDULED else None
    CustomerRoute.objects.filter(customer_id=instance.customer_id, lock_id=instance.lock_id).update(
        auto_unlock_due_at=due, updated_at=clock.now())


def connect() -> None:
    post_save.connect(_lock_saved, sender=Lock, dispatch_uid="ownership.routing.lock")
    post_save.connect(_auto_unlock_saved, sender=AutoUnlock, dispatch_uid="ownership.routing.auto_unlock")
