"""Ownership of customers: locks (CMA-1.5, CMA-2.10, CMA-3.4), transfers and disputes (CMA-1.6), error reports
(CMA-1.3), automatic unlocks (CMA-3.4) and PS consultations (PS-SPE-1/2).

At most one ACTIVE lock per customer, enforced by the database (partial unique constraint). Ended locks stay: the
lock history keeps every previous owner. Nothing here is hard-deleted. Everything here is INTERNAL: ownership
discussions never reach customer-facing output (CMA-1.6).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField

from casework.core.fsm import FSMBooleanField, ProtectedStateModel, transition

from casework.customers.models import Customer, PresentingIssue
from casework.org.models import BusinessArea, Officer, Position


class LockKind(models.TextChoices):
    LOCK = "lock", "Locked"
    TAKE_OVER = "take_over", "Taken over (CMA-2.10)"
    PRIORITY = "priority", "Ownership by priority (CMA-1.5)"
    TRANSFER = "transfer", "Transferred by agreement (CMA-1.6)"
    DISPUTE_DECISION = "dispute_decision", "Team Leader decision (CMA-1.6)"
    REFERRAL = "referral", "Follow-up referral (CMA-2.10)"
    ERROR = "error", "Error identified (CMA-1.3)"
    RELOCK = "relock", "Outstanding specialised issue (CMA-3.3)"


class EndKind(models.TextChoices):
    UNLOCKED = "unlocked", "Unlocked (decision explained, CMA-3.4)"
    AUTO_UNLOCKED = "auto_unlocked", "Unlocked automatically (CMA-3.4)"
    REPLACED = "replaced", "Replaced by a new lock"


class LockQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


def holder_label(*, officer_name: str | None, position_title: str | None, area_name: str) -> str:
    """Who holds a lock, as officers read it: the officer (``Officer.display_name``) or else the position's title,
    with the area (``Lock.holder_label``; from plain values for the set-based automatic-unlock sweep, issue 15)."""
    if officer_name is not None:
        return f"{officer_name} ({area_name})"
    return f"{position_title} ({area_name})"


class Lock(ProtectedStateModel, models.Model):
    """A customer locked to an officer or to a position, always with the business area that owns them.

    ``is_active`` is the lock's life cycle (active -> ended), a protected state (issue 10): it is never assigned; the
    lock ends only through :meth:`end`, fired by ``ownership.services._end_lock`` after the calling service has
    checked its rule (unlock readiness CMA-3.4, take-over / lock / transfer / dispute decisions CMA-2.10, 1.5, 1.6,
    the error rule CMA-1.3)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="locks")
    area = models.ForeignKey(BusinessArea, on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey(Position, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=LockKind.choices, default=LockKind.LOCK)
    issue = models.ForeignKey(PresentingIssue, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    step_ids = models.JSONField(default=list, blank=True)
    is_active = FSMBooleanField(default=True, choices=[(True, "Active"), (False, "Ended")], protected=True)
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_by_label = models.CharField(max_length=150, blank=True, help_text="The job, when a job ended it.")
    end_kind = models.CharField(max_length=16, choices=EndKind.choices, blank=True)
    end_reason = models.TextField(blank=True)
    end_step_ids = models.JSONField(default=list, blank=True)

    objects = LockQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            # CMA-2.10 / CMA-1.5: never two owners. The database is the last word under concurrency.
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_active=True), name="ownership_one_active_lock_per_customer"
            ),
            models.CheckConstraint(
                condition=Q(officer__isnull=False) | Q(position__isnull=False), name="ownership_lock_has_holder"
            ),
            models.CheckConstraint(
                condition=Q(is_active=True, ended_at__isnull=True) | Q(is_active=False, ended_at__isnull=False),
                name="ownership_lock_end_consistent",
            ),
        ]
        indexes = [models.Index(fields=["customer", "-started_at"], name="lock_customer_history")]

    def __str__(self) -> str:
        return f"{self.customer.csid} locked to {self.holder_label}"

    @property
    def holder_label(self) -> str:
        if self.officer_id:
            return holder_label(officer_name=self.officer.display_name, position_title=None, area_name=self.area.name)
        return holder_label(officer_name=None, position_title=self.position.title, area_name=self.area.name)

    @transition(field="is_active", source=[True], target=False, step_ids=("CMA-2.10", "CMA-3.4"),
                callers=("ownership.services._end_lock", "ownership.services.auto_unlocks_run"))
    def end(self) -> None:
        """The lock ends: replaced by a new lock (take-over, transfer, dispute decision, rules, error), unlocked or
        unlocked automatically (CMA-3.4). The caller records when, by whom, how and why (``ended_at`` etc.)."""


class AutoUnlockStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    DONE = "done", "Unlocked"
    CANCELLED = "cancelled", "Cancelled (the lock changed first)"
    REFUSED = "refused", "Not done (CMA-3.4 readiness no longer held)"


class AutoUnlock(ProtectedStateModel, models.Model):
    """CMA-3.4: decision not explained but contact attempted — unlock automatically once customers have had time
    to call about the decision letter(s). Correct when read (``due_at`` vs now); materialised by ``jobs.py``."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="auto_unlocks")
    lock = models.ForeignKey(Lock, on_delete=models.PROTECT, related_name="auto_unlocks")
    due_at = models.DateTimeField()
    letter_ids = models.JSONField(default=list)
    impacted_customer_ids = models.JSONField(default=list)
    reason = models.TextField()
    status = FSMField(max_length=10, choices=AutoUnlockStatus.choices, default=AutoUnlockStatus.SCHEDULED,
                      protected=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome_reason = models.TextField(blank=True, help_text="Why the job did not unlock (status refused).")

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["due_at"], name="autounlock_due", condition=Q(status="scheduled")),
        ]

    def __str__(self) -> str:
        return f"Auto-unlock of {self.customer.csid} at {self.due_at:%Y-%m-%d %H:%M}"

    @transition(source=AutoUnlockStatus.SCHEDULED, target=AutoUnlockStatus.DONE, step_ids=("CMA-3.4",),
                callers=("ownership.services.auto_unlock_run", "ownership.services.auto_unlocks_run"),
                act="carry out")
    def carry_out(self) -> None:
        """Due, and the lock is still the one it was scheduled for: the customer was unlocked."""

    @transition(source=AutoUnlockStatus.SCHEDULED, target=AutoUnlockStatus.CANCELLED, step_ids=("CMA-3.4",),
                callers=("ownership.services.auto_unlock_run", "ownership.services._cancel_auto_unlocks",
                         "ownership.services.auto_unlocks_run"))
    def cancel(self) -> None:
        """The lock changed (ended or replaced) before it was due."""

    @transition(source=AutoUnlockStatus.SCHEDULED, target=AutoUnlockStatus.REFUSED, step_ids=("CMA-3.4",),
                callers=("ownership.services.auto_unlock_run",))
    def refuse(self) -> None:
        """Due, but the CMA-3.4 readiness no longer holds when the job runs: the customer stays locked."""


class TransferStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for the other area to accept"
    AGREED = "agreed", "Agreed between the areas"
    NOT_AGREED = "not_agreed", "Not accepted by the other area"
    ESCALATED = "escalated", "Escalated to a Team Leader"
    DECIDED = "decided", "Decided by a Team Leader"
    WITHDRAWN = "withdrawn", "Withdrawn by the officer who asked"


class OwnershipTransfer(ProtectedStateModel, models.Model):
    """CMA-1.6: a transfer of ownership between specialised areas, by agreement or by a Team Leader's decision.

    INTERNAL ONLY: customers are never advised of, or involved in, ownership discussions."""

    INTERNAL_ONLY = True

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="ownership_transfers")
    from_area = models.ForeignKey(BusinessArea, on_delete=models.PROTECT, related_name="+")
    to_area = models.ForeignKey(BusinessArea, on_delete=models.PROTECT, related_name="+")
    to_officer = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_position = models.ForeignKey(Position, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_lock = models.ForeignKey(Lock, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_lock = models.ForeignKey(Lock, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = FSMField(max_length=10, choices=TransferStatus.choices, protected=True)
    expected_contact_volume = models.TextField(help_text="CMA-1.6: how much contact each issue will generate.")
    time_to_resolve = models.TextField(help_text="CMA-1.6: how long each issue will take to resolve.")
    agreed_with = models.CharField(max_length=200, blank=True, help_text="Who in the other area agreed.")
    reason = models.TextField()
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=10, blank=True, help_text="transfer | keep")
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["status", "raised_at"], name="transfer_status_time")]

    def __str__(self) -> str:
        return f"Ownership of {self.customer.csid}: {self.from_area.code} -> {self.to_area.code} ({self.status})"

    # Issue 11: created proposed (a transfer by agreement: the other area's Team Leader accepts or not, from their
    # approvals queue) or escalated (a dispute: a Team Leader of an area concerned decides, from their queue).
    @transition(source=TransferStatus.PROPOSED, target=TransferStatus.AGREED, step_ids=("CMA-1.6",),
                callers=("ownership.services.ownership_transfer_accept",))
    def accept(self) -> None:
        """The other area's Team Leader accepted: the lock moved and the agreement is recorded (binding)."""

    @transition(source=TransferStatus.PROPOSED, target=TransferStatus.NOT_AGREED, step_ids=("CMA-1.6",),
                callers=("ownership.services.ownership_transfer_decline",), act="decline")
    def decline(self) -> None:
        """The other area's Team Leader did not accept, with a reason: nothing moved."""

    @transition(source=TransferStatus.ESCALATED, target=TransferStatus.DECIDED, step_ids=("CMA-1.6",),
                callers=("ownership.services.ownership_dispute_apply", "ownership.services.ownership_dispute_keep"))
    def decide(self) -> None:
        """The Team Leader decided: transfer or keep."""

    @transition(source=[TransferStatus.PROPOSED, TransferStatus.ESCALATED], target=TransferStatus.WITHDRAWN,
                step_ids=("CMA-1.6",), callers=("ownership.services.ownership_request_withdrawn",))
    def withdraw(self) -> None:
        """The officer who asked withdrew the request before a decision: nothing moved."""


class ErrorReport(models.Model):
    """CMA-1.3: an error identified on a customer. While it is open, the customer is never locked back to the
    previous officer. ``feedback`` is optional internal feedback to that officer (never customer-facing)."""

    INTERNAL_ONLY = True

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="error_reports")
    description = models.TextField()
    identified_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    previous_officer = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_in_real_time = models.BooleanField(default=False)
    outcome = models.CharField(max_length=20, help_text="resolved | referred | locked")
    feedback = models.TextField(blank=True)
    lock = models.ForeignKey(Lock, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    is_open = models.BooleanField(default=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class SpecialistConsultation(models.Model):
    """PS-SPE-1/2: a specialist decision maker consulted the PS Case Manager before acting on a PS customer."""

    INTERNAL_ONLY = True

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="specialist_consultations")
    specialist = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    ps_case_manager = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField()
    communication_approach = models.TextField()
    who_communicates = models.CharField(max_length=200)
    regular_updates = models.TextField(blank=True)
    face_to_face = models.BooleanField(default=False)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["customer", "specialist", "-recorded_at"], name="consult_customer_spec")]


class CustomerRoute(models.Model):
    """Issue 15: where a call for the customer goes, maintained by the ownership services in the same transaction as
    every lock start or end and every automatic-unlock change (``services._route_write``), so routing a call
    (``selectors.route_call``) is one primary-key lookup joined to the customer's unique CSID instead of planning a
    7-table join. A derived table: ``manage.py routing_rebuild`` recomputes it from the locks (also after renaming
    an area or moving an officer, whose names and codes are copied here). A customer without a row was never locked:
    the front line takes the call (CMA-1.1)."""

    customer = models.OneToOneField(Customer, on_delete=models.PROTECT, primary_key=True, related_name="route")
    lock = models.ForeignKey(Lock, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             help_text="The active lock; empty when nobody owns the customer.")
    area_code = models.CharField(max_length=40, blank=True)
    area_name = models.CharField(max_length=200, blank=True)
    position_code = models.CharField(max_length=60, blank=True)
    officer_username = models.CharField(max_length=150, blank=True)
    auto_unlock_due_at = models.DateTimeField(null=True, blank=True,
                                              help_text="The next scheduled automatic unlock of the lock (CMA-3.4).")
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Route of customer {self.customer_id}: {self.area_code or 'front line'}"
