"""The audit trail: one append-only table every service writes to in its own transaction.

Immutability is enforced three times: the model refuses save-after-create and delete; the queryset refuses bulk
update/delete; the database refuses it too (PostgreSQL: trigger on UPDATE and DELETE; SQLite: trigger on UPDATE).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditImmutable(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ARG002
        raise AuditImmutable("The audit trail is append-only: events cannot be updated.")

    def delete(self):
        raise AuditImmutable("The audit trail is append-only: events cannot be deleted.")

    def for_customer(self, customer_id: int):
        return self.filter(customer_id=customer_id)


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # Username for people; "job:<name>" for scheduled work; "system" for migrations and loaders.
    actor_label = models.CharField(max_length=150, editable=False)
    action = models.CharField(max_length=64, editable=False)
    target_type = models.CharField(max_length=64, editable=False)
    target_id = models.CharField(max_length=64, editable=False)
    target_repr = models.CharField(max_length=200, blank=True, editable=False)
    # Denormalised for the auditor's "who looked at / changed this customer" questions. No FK: the trail outlives
    # and never blocks anything else.
    customer_id = models.BigIntegerField(null=True, blank=True, editable=False)
    before = models.JSONField(null=True, blank=True, editable=False)
    after = models.JSONField(null=True, blank=True, editable=False)
    reason = models.TextField(blank=True, editable=False)
    step_ids = models.JSONField(default=list, blank=True, editable=False)
    request_id = models.CharField(max_length=64, blank=True, editable=False)
    # The target's ``version`` after the event, for a versioned record (issue 13): how a stale write is told what
    # changed since the version it was made from (core/versioning.py).
    target_version = models.PositiveIntegerField(null=True, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer_id", "occurred_at"], name="audit_customer_time"),
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_time"),
            models.Index(fields=["action", "occurred_at"], name="audit_action_time"),
            models.Index(fields=["occurred_at"], name="audit_time"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutable("The audit trail is append-only: events cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutable("The audit trail is append-only: events cannot be deleted.")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_type}:{self.target_id}"


class AuditChainLink(models.Model):
    """The hash chain over the audit trail (issue 13): one link per audit event, in the order the events were
    chained. ``hash = sha256(prev_hash + the event's digest)``, so removing or altering an event (or a link) breaks
    the chain from there on, which ``manage.py audit_verify`` reports. Links are written after the event's
    transaction commits, in a short transaction of their own under one lock (``core.audit.audit_chain_seal``): the
    chain never holds a lock across a service's transaction. Append-only like the trail itself."""

    seq = models.BigAutoField(primary_key=True)
    # No foreign key: the chain must still say "event 42 is missing" after an owner deleted it.
    event_id = models.BigIntegerField(unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutable("The audit chain is append-only: links cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutable("The audit chain is append-only: links cannot be deleted.")


class JobItemFailure(models.Model):
    """One item of a scheduled job that raised (issue 13: per-item isolation). The job goes on with the other items;
    this item is skipped until ``next_attempt_at`` (exponential backoff) and retried then; a later success resolves
    the record. Written by ``core.services`` in its own transaction, so the item's rollback never loses it. Holds no
    customer data beyond ids (the customer's id and CSID); the error message is cut to 300 characters."""

    job = models.CharField(max_length=64)
    item_type = models.CharField(max_length=64)
    item_id = models.CharField(max_length=64)
    customer_id = models.BigIntegerField(null=True, blank=True)
    customer_csid = models.CharField(max_length=32, blank=True)
    error_class = models.CharField(max_length=200)
    error_message = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    first_failed_at = models.DateTimeField()
    last_failed_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    # "succeeded" (a later run did the item) or "item_gone" (the item no longer needs the job).
    resolved_how = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["next_attempt_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "item_type", "item_id"], condition=models.Q(resolved_at__isnull=True),
                                    name="job_item_failure_one_open"),
        ]
        indexes = [models.Index(fields=["job", "resolved_at", "next_attempt_at"], name="job_failure_open")]

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def __str__(self) -> str:
        return f"{self.job} {self.item_type}:{self.item_id} ({self.attempts} attempts)"
