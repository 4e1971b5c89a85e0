"""What happened to an officer's work (issue 11): one row per officer per event, read state per officer.

Internal: notifications are for officers only and never reach anything a customer receives. A notification is
never deleted; it is marked read. ``key`` makes delivery idempotent: the same event never notifies the same officer
twice (a retried job or a double-submitted form adds nothing).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from casework.customers.models import Customer


class NotificationKind(models.TextChoices):
    APPROVAL_REQUESTED = "approval_requested", "Decision requested from you"
    APPROVAL_DECIDED = "approval_decided", "Your request was decided"
    LOCK_GAINED = "lock_gained", "Customer locked to you"
    LOCK_LOST = "lock_lost", "Customer taken from you"
    FINALISATION_REJECTED = "finalisation_rejected", "Finalisation not approved"
    REFERRAL_RECEIVED = "referral_received", "Referral received"
    SPECIALIST_ACTION = "specialist_action", "Specialist action on your PS customer"
    WORK_RECEIVED = "work_received", "Work received"
    COLLABORATION = "collaboration", "Collaborative management"


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True, help_text="Where the item is (a path in this application).")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=160, help_text="The event: the same key never notifies the same officer twice.")
    step_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_event")]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_new"),
            models.Index(fields=["recipient"], name="notification_unread", condition=Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
