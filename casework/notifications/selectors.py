"""Reads of an officer's own notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from casework.core.errors import NotFound

from .models import Notification


def unread_count(*, user) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(*, user, unread_only: bool = False, limit: int = 100) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user).select_related("customer")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")[:limit]


def notification_get(*, user, pk: int) -> Notification:
    row = Notification.objects.filter(recipient=user, pk=pk).first()
    if row is None:
        raise NotFound("No such notification.")
    return row
