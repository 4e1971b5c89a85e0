"""Requests for approval (maker–checker, issue 11), one mechanism for every kind (policy.KINDS).

A request records what is asked (``kind`` and ``payload``), about what (the customer and the subject row), who asked
and why, who may decide (``eligibility``: a role and a scope), who worked the item (they may not approve it), its
status (pending → approved / rejected / withdrawn), the decision and the step IDs. Nothing it asks for takes effect
until an eligible person approves; the effect runs in the same transaction as the approval
(``services.approval_decide``). ``ApprovalEvent`` is its history; ``ApprovalIntray`` the decider's queue items.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField

from casework.core.fsm import ProtectedStateModel, transition
from casework.customers.models import AppendOnlyModel, Customer

from . import policy

User = settings.AUTH_USER_MODEL


class ApprovalStatus(models.TextChoices):
    PENDING = policy.PENDING, "Waiting for a decision"
    APPROVED = policy.APPROVED, "Approved"
    REJECTED = policy.REJECTED, "Not approved"
    WITHDRAWN = policy.WITHDRAWN, "Withdrawn"


KIND_CHOICES = list(policy.KINDS.items())


def _own_steps(row: ApprovalRequest) -> tuple[str, ...]:
    """the request's own step IDs (its kind's rule)"""
    return tuple(row.step_ids or ())


class ApprovalRequest(ProtectedStateModel, models.Model):
    kind = models.CharField(max_length=40, choices=KIND_CHOICES)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="approval_requests")
    subject_type = models.CharField(max_length=60, help_text="What the request is about: app_label.model.")
    subject_id = models.CharField(max_length=40)
    summary = models.CharField(max_length=300, help_text="What is asked, in the officer's words.")
    payload = models.JSONField(default=dict, blank=True, help_text="What takes effect on approval.")
    reason = models.TextField()
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    eligibility = models.JSONField(help_text="Who may decide: role, scope and label (approvals.policy.Eligibility).")
    eligible_role = models.CharField(max_length=32)
    worked_by = models.JSONField(default=list, blank=True, help_text="User ids who worked the item: never deciders.")
    status = FSMField(max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING, protected=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    decision_data = models.JSONField(default=dict, blank=True)
    due_date = models.DateField(null=True, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ons",
                               help_text="The request whose approval asked for this one (a second stage).")
    step_ids = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject_type", "subject_id"], condition=Q(status="pending"),
                                    name="approval_one_pending_per_subject"),
        ]
        indexes = [
            models.Index(fields=["eligible_role", "requested_at"], name="approval_pending_role",
                         condition=Q(status="pending")),
            models.Index(fields=["customer", "-requested_at"], name="approval_customer"),
            models.Index(fields=["requested_by", "-requested_at"], name="approval_requester"),
            models.Index(fields=["subject_type", "subject_id"], name="approval_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.customer.csid}: {self.get_status_display().lower()}"

    @property
    def eligible(self) -> policy.Eligibility:
        return policy.Eligibility.from_dict(self.eligibility)

    @property
    def is_pending(self) -> bool:
        return self.status == ApprovalStatus.PENDING

    @transition(source=ApprovalStatus.PENDING, target=ApprovalStatus.APPROVED, step_ids=_own_steps,
                callers=("approvals.services.approval_decide",))
    def approve(self) -> None:
        """An eligible decider (not the requester, nobody who worked the item) approved: the effect happens now."""

    @transition(source=ApprovalStatus.PENDING, target=ApprovalStatus.REJECTED, step_ids=_own_steps,
                callers=("approvals.services.approval_decide",), act="reject")
    def reject(self) -> None:
        """An eligible decider did not approve, with a reason; nothing asked for took effect."""

    @transition(source=ApprovalStatus.PENDING, target=ApprovalStatus.WITHDRAWN, step_ids=_own_steps,
                callers=("approvals.services.approval_withdraw",))
    def withdraw(self) -> None:
        """The requester withdrew it before a decision."""


class ApprovalEvent(AppendOnlyModel):
    """The request's history: asked, approved, rejected, withdrawn (append-only)."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=20)
    actor = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class ApprovalIntray(models.Model):
    """A decider's queue item for a request (an intray of type *Decision requested*)."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.PROTECT, related_name="queue_items")
    intray = models.OneToOneField("intrays.Intray", on_delete=models.PROTECT, related_name="approval_link")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "intray"], name="approval_intray_once")]
