"""Personalised Services: the PS record (the PS Activity Database, PS-REF-3), the plan (PSP, PS-PSP) with its issues,
options and actions, the stacking document (PS-DOC-1/2), contacts (PS-CON), face-to-face meetings (PS-F2F), segment
history (PS-RES-1), reviews (PS-ORM-2/3), reallocation (PS-REV-2/3) and finalisation (PS-FIN, PS-ACT).

Nothing is hard-deleted: records end by status. Histories (issue status events, segment changes) are append-only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField

from casework.core.fsm import ProtectedStateModel, transition

from casework.customers.models import (
    AppendOnlyModel,
    ContactRestriction,
    Customer,
    Note,
    PresentingIssue,
    SensitiveIssueIndicator,
)
from casework.org.models import Officer, Position

from . import policy

User = settings.AUTH_USER_MODEL


class RecordStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    REALLOCATION = "reallocation", "Reallocation requested"
    FINALISATION = "finalisation", "Finalisation requested"
    FINALISED = "finalised", "Finalised (left PS)"


REFERRAL_SOURCE_CHOICES = list(policy.REFERRAL_SOURCES.items())


class PsRecord(ProtectedStateModel, models.Model):
    """A customer's entry in the PS Activity Database (PS-REF-3): one active record per customer."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="ps_records")
    associated_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = FSMField(max_length=14, choices=RecordStatus.choices, default=RecordStatus.ACTIVE, protected=True)
    case_manager = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="ps_records")
    # The outstanding 'personalised_services' presenting issue that makes PS the owner under CMA-1.5.
    presenting_issue = models.ForeignKey(PresentingIssue, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    associated_issue = models.ForeignKey(PresentingIssue, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    referral_type_code = models.CharField(max_length=40)
    referral_intray_id = models.BigIntegerField(null=True, blank=True)
    referral_source = models.CharField(max_length=24, choices=REFERRAL_SOURCE_CHOICES)
    main_referral_reason = models.TextField()
    urgent = models.BooleanField(default=False)
    urgent_tl_call = models.TextField(blank=True, help_text="PS-REF-1: the Team Leader's call that preceded it.")
    segment = models.PositiveSmallIntegerField(null=True, blank=True)
    segment_approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    segment3_review_date = models.DateField(null=True, blank=True)
    referred_at = models.DateTimeField()
    allocated_at = models.DateTimeField()
    finalised_at = models.DateTimeField(null=True, blank=True)
    customer_told_by_phone = models.BooleanField(default=False)
    cro_confirmed_by = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                         help_text="PS-CON-1: MP/Ombudsman referral, no further contact needed.")
    cro_confirmation = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-allocated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(is_active=True), name="ps_one_active_record"),
            models.CheckConstraint(condition=Q(segment__isnull=True) | Q(segment__in=[1, 2, 3]), name="ps_segment_1_3"),
        ]
        indexes = [
            models.Index(fields=["case_manager", "status"], name="ps_record_cm_status"),
            models.Index(fields=["status", "segment"], name="ps_record_status_segment"),
        ]

    def __str__(self) -> str:
        return f"PS record {self.pk} for {self.customer.csid}"

    # PS-REV-2/3 reallocation and PS-FIN-2/3, PS-ACT-1..5 finalisation; the guards are ps.policy, run by the service.
    @transition(source=RecordStatus.ACTIVE, target=RecordStatus.REALLOCATION, step_ids=("PS-REV-2",),
                callers=("ps.services.reallocation_request",), act="request reallocation of")
    def request_reallocation(self) -> None:
        """The Case Manager asked the Team Leader to reallocate the customer."""

    @transition(source=RecordStatus.REALLOCATION, target=RecordStatus.ACTIVE, step_ids=("PS-REV-3",),
                callers=("ps.services.reallocation_assign_apply",), act="assign")
    def assign_reallocated(self) -> None:
        """The receiving Team Leader assigned the customer to a Case Manager."""

    @transition(source=RecordStatus.REALLOCATION, target=RecordStatus.ACTIVE, step_ids=("PS-REV-2", "PS-REV-3"),
                callers=("ps.services.reallocation_decline",), act="decline reallocation of")
    def decline_reallocation(self) -> None:
        """Reallocation declined (by the Team Leader or the receiving Team Leader) or withdrawn: the customer stays
        where it was, with the Case Manager."""

    @transition(source=RecordStatus.ACTIVE, target=RecordStatus.FINALISATION, step_ids=("PS-FIN-2",),
                callers=("ps.services.finalisation_request_submit",), act="request finalisation of")
    def request_finalisation(self) -> None:
        """The Case Manager submitted a finalisation request to the Team Leader."""

    @transition(source=RecordStatus.FINALISATION, target=RecordStatus.FINALISED, step_ids=("PS-FIN-3", "PS-ACT-5"),
                callers=("ps.services.finalisation_approve",))
    def finalise(self) -> None:
        """Finalisation approved: the customer leaves PS (the record stays, inactive)."""
        self.is_active = False

    @transition(source=RecordStatus.FINALISATION, target=RecordStatus.ACTIVE, step_ids=("PS-FIN-3", "PS-ORM-1"),
                callers=("ps.services.finalisation_approve",), act="keep in segment 3")
    def keep_in_segment_3(self) -> None:
        """Finalisation approved as ongoing reactive management: the customer stays in PS in segment 3."""

    @transition(source=RecordStatus.FINALISATION, target=RecordStatus.ACTIVE, step_ids=("PS-ACT-3", "PS-ACT-5"),
                callers=("ps.services.finalisation_reject", "ps.services.finalisation_withdraw"), act="reactivate")
    def reactivate(self) -> None:
        """Finalisation not approved (or the request withdrawn): the customer is reactivated with the Case
        Manager."""



class CaseReview(models.Model):
    """PS-REV-1: the PS Case Review document."""

    ps_record = models.ForeignKey(PsRecord, on_delete=models.PROTECT, related_name="case_reviews")
    reviewed_items = models.JSONField(default=list, blank=True)
    escalations = models.TextField(blank=True)
    crg_record = models.TextField(blank=True, help_text="The CRG Record notepad, for a gateway referral.")
    options_identified = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()

    class Meta:
        ordering = ["-reviewed_at", "-id"]


class Plan(models.Model):
    """The Personalised Services Plan (PS-PSP-1/2/3). Moves with the customer on reallocation."""

    ps_record = models.OneToOneField(PsRecord, on_delete=models.PROTECT, related_name="plan")
    created_at = models.DateTimeField()
    due_on = models.DateField(help_text="PS-PSP-1: 21 days from allocation.")
    stacking_document_created_at = models.DateTimeField(null=True, blank=True)
    agreed_contact_times = models.TextField(blank=True)
    special_contact_details = models.TextField(blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    uq140_01_skipped = models.BooleanField(default=False)
    uq140_01_tl_discussion = models.TextField(blank=True, help_text="PS-RES-4")
    overdue_notified_at = models.DateTimeField(null=True, blank=True, help_text="PS-PSP-1: Team Leader notified.")
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"PSP for {self.ps_record.customer.csid}"


class Classification(models.TextChoices):
    FINANCIAL = "financial", "Financial"
    ACCESS = "access", "Access"
    OTHER = "other", "Other"


class IssueStatus(models.TextChoices):
    RECORDED = policy.RECORDED, "Recorded"
    CONFIRMED = policy.CONFIRMED, "Confirmed"
    RESOLVED = policy.RESOLVED, "Resolved"


class PlanIssue(ProtectedStateModel, models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="issues")
    title = models.CharField(max_length=200)
    classification = models.CharField(max_length=10, choices=Classification.choices)
    is_mandatory = models.BooleanField(default=False)
    customer_perspective = models.TextField(blank=True)
    is_specialist_process = models.BooleanField(default=False, help_text="PS-ACT-4: an ongoing specialist process.")
    status = FSMField(max_length=10, choices=IssueStatus.choices, default=IssueStatus.RECORDED, protected=True)
    comments = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-is_mandatory", "id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"

    # PS-PSP-4: recorded -> confirmed -> resolved; back to confirmed only on a Team Leader's rejection (PS-ACT-3).
    @transition(source=IssueStatus.RECORDED, target=IssueStatus.CONFIRMED, step_ids=("PS-PSP-4",),
                callers=("ps.services.plan_issue_transition", "ps.services.contact_record"))
    def confirm(self) -> None:
        """Confirmed with the customer."""

    @transition(source=IssueStatus.CONFIRMED, target=IssueStatus.RESOLVED, step_ids=("PS-PSP-4",),
                callers=("ps.services.plan_issue_transition",))
    def resolve(self) -> None:
        """Resolved."""

    @transition(source=IssueStatus.RESOLVED, target=IssueStatus.CONFIRMED, step_ids=("PS-PSP-4", "PS-ACT-3"),
                callers=("ps.services.finalisation_reject",), act="reset to confirmed")
    def reset_on_rejection(self) -> None:
        """The Team Leader did not approve finalisation: the issue needs more work."""


class PlanIssueEvent(AppendOnlyModel):
    """PS-PSP-4: status history with comments."""

    issue = models.ForeignKey(PlanIssue, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    comment = models.TextField(blank=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    step_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["at", "id"]


OPTION_KIND_CHOICES = list(policy.OPTION_KINDS.items())


class OptionStatus(models.TextChoices):
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class PlanOption(ProtectedStateModel, models.Model):
    """PS-RES-3: options provided to the customer."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="options")
    kind = models.CharField(max_length=24, choices=OPTION_KIND_CHOICES)
    detail = models.TextField()
    status = FSMField(max_length=10, choices=OptionStatus.choices, default=OptionStatus.OFFERED, protected=True)
    confirmed_in_writing = models.BooleanField(default=False)
    timeframe = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]

    # PS-RES-3: the customer's answer to an offered option; a changed answer is recorded as the new answer.
    @transition(source=[OptionStatus.OFFERED, OptionStatus.DECLINED], target=OptionStatus.ACCEPTED,
                step_ids=("PS-RES-3",), callers=("ps.services.plan_option_update",))
    def accept(self) -> None:
        """The customer accepted the option."""

    @transition(source=[OptionStatus.OFFERED, OptionStatus.ACCEPTED], target=OptionStatus.DECLINED,
                step_ids=("PS-RES-3", "PS-SPE-5"), callers=("ps.services.plan_option_update",))
    def decline(self) -> None:
        """The customer declined the option."""


class PlanAction(models.Model):
    """PS-PSP-2: agreed actions."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    due_on = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]


class SegmentChange(AppendOnlyModel):
    """PS-RES-1: every segment change, with the suggestion and the indicators that drove it."""

    ps_record = models.ForeignKey(PsRecord, on_delete=models.PROTECT, related_name="segment_changes")
    from_segment = models.PositiveSmallIntegerField(null=True, blank=True)
    to_segment = models.PositiveSmallIntegerField()
    suggested_segment = models.PositiveSmallIntegerField(null=True, blank=True)
    indicators = models.JSONField(default=list, blank=True)
    reason = models.TextField()
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]


class StackingDocument(models.Model):
    """PS-DOC-1: one per PS customer. Its notepads are customer Notes (kind ps_stacking) pointing at it."""

    customer = models.OneToOneField(Customer, on_delete=models.PROTECT, related_name="ps_stacking_document")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Stacking document of {self.customer.csid}"


class ContactKind(models.TextChoices):
    FIRST = "first", "First contact"
    FOLLOW_UP = "follow_up", "Follow-up contact"


class Contact(models.Model):
    """PS-CON-1/2/3/6/7: a contact with the discussion-point checklist."""

    ps_record = models.ForeignKey(PsRecord, on_delete=models.PROTECT, related_name="contacts")
    kind = models.CharField(max_length=10, choices=ContactKind.choices)
    occurred_at = models.DateTimeField()
    checklist = models.JSONField(default=dict, blank=True)
    mandatory_gathered = models.JSONField(default=dict, blank=True)
    acknowledged = models.BooleanField(default=False)
    restrictions_reviewed = models.BooleanField(default=False)
    summary = models.TextField()
    products_services = models.TextField(blank=True)
    next_contact_at = models.DateTimeField(null=True, blank=True)
    note = models.ForeignKey(Note, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    follow_up_intray_id = models.BigIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-occurred_at", "-id"]


class LetterLog(models.Model):
    """UQ140.00/.01/.02 sent for this PS record (PS-CON-8); the exit letter starts the 10-day wait (PS-FIN-1)."""

    ps_record = models.ForeignKey(PsRecord, on_delete=models.PROTECT, related_name="letters")
    template_code = models.CharField(max_length=40)
    letter_id = models.BigIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-sent_at", "-id"]


class F2FStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


F2F_LOCATION_CHOICES = list(policy.F2F_LOCATIONS.items())


class FaceToFace(ProtectedStateModel, models.Model):
    """PS-F2F-1..4. Booked when recorded; no service changes its status yet (no transition: protected, so it can
    only change once a transition is written)."""

    ps_record = models.ForeignKey(PsRecord, on_delete=models.PROTECT, related_name="meetings")
    tl_discussed_with = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    location_type = models.CharField(max_length=16, choices=F2F_LOCATION_CHOICES, default="service_centre")
    location_detail = models.CharField(max_length=200)
    location_approved_by = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    via_customer_review = models.BooleanField(default=False)
    attendees = models.TextField()
    second_person = models.BooleanField(default=False)
    security_risk = models.BooleanField(default=False)
    security_notified = models.BooleanField(default=False)
    scheduled_for = models.DateTimeField()
    status = FSMField(max_length=10, choices=F2FStatus.choices, default=F2FStatus.BOOKED, protected=True)
    booked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    booked_at = models.DateTimeField()

    class Meta:
        ordering = ["-scheduled_for"]


class ReallocationStatus(models.TextChoices):
    REQUESTED = "requested", "Requested (with the Team Leader)"
    FORWARDED = "forwarded", "Sent to the receiving Team Leader"
    ASSIGNED = "assigned", "Assigned"
    DECLINED = "declined", "Declined"


class ReallocationRequest(ProtectedStateModel, models.Model):
    """PS-REV-2/3."""

    ps_record = models.ForeignKey(PsRecord, on_delete=models.PROTECT, related_name="reallocations")
    reason_code = models.CharField(max_length=32, choices=[(k, v) for k, v in policy.REALLOCATION_REASONS.items()])
    detail = models.TextField()
    status = FSMField(max_length=10, choices=ReallocationStatus.choices, default=ReallocationStatus.REQUESTED,
                      protected=True)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    receiving_position = models.ForeignKey(Position, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    forwarded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assigned_to = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    comments = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    @transition(source=ReallocationStatus.REQUESTED, target=ReallocationStatus.FORWARDED, step_ids=("PS-REV-3",),
                callers=("ps.services.reallocation_forward_apply",))
    def forward(self) -> None:
        """The Team Leader approved and sent the customer to the receiving PS team."""

    @transition(source=ReallocationStatus.FORWARDED, target=ReallocationStatus.ASSIGNED, step_ids=("PS-REV-3",),
                callers=("ps.services.reallocation_assign_apply",))
    def assign(self) -> None:
        """The receiving Team Leader assigned a Case Manager."""

    @transition(source=[ReallocationStatus.REQUESTED, ReallocationStatus.FORWARDED],
                target=ReallocationStatus.DECLINED, step_ids=("PS-REV-2", "PS-REV-3"),
                callers=("ps.services.reallocation_decline",))
    def decline(self) -> None:
        """Declined with a reason (by the Team Leader, or by the receiving Team Leader), or withdrawn by the Case
        Manager: the customer returns to where it was."""


class Segment3Review(models.Model):
    """PS-ORM-2: ongoing reactive management review."""

    ps_record = models.ForeignKey(PsRecord, on_delete=models.PROTECT, related_name="segment3_reviews")
    indicator = models.ForeignKey(SensitiveIssueIndicator, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    review_date = models.DateField()
    outcome = models.CharField(max_length=20, blank=True)
    new_review_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review_date"]


class RestrictedServiceReview(models.Model):
    """PS-ORM-3: restricted service reviewed every 3–6 months, outcome approved by the NMQCC."""

    ps_record = models.ForeignKey(PsRecord, on_delete=models.PROTECT, related_name="restricted_reviews")
    restriction = models.ForeignKey(ContactRestriction, on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField()
    outcome = models.TextField()
    next_review_date = models.DateField()
    approved_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-reviewed_on"]


class FinalisationStatus(models.TextChoices):
    PENDING = "pending", "Awaiting Team Leader decision"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Not approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class FinalisationRequest(ProtectedStateModel, models.Model):
    """PS-FIN-2/3, PS-ACT-1..5."""

    ps_record = models.ForeignKey(PsRecord, on_delete=models.PROTECT, related_name="finalisations")
    status = FSMField(max_length=10, choices=FinalisationStatus.choices, default=FinalisationStatus.PENDING,
                      protected=True)
    team_leader = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    readiness = models.JSONField(default=dict)
    attestations = models.JSONField(default=dict)
    note = models.ForeignKey(Note, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    approval_reason = models.CharField(max_length=24, blank=True)
    decision_facts = models.JSONField(default=dict, blank=True)
    comments = models.TextField(blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["ps_record"], condition=Q(status="pending"), name="ps_one_pending_final"),
        ]

    # Decided through the ``ps_finalisation`` request for approval (issue 11): the effects below run inside
    # ``approvals.services.approval_decide`` / ``approval_withdraw``.
    @transition(source=FinalisationStatus.PENDING, target=FinalisationStatus.APPROVED, step_ids=("PS-FIN-3",),
                callers=("ps.services.finalisation_approve",))
    def approve(self) -> None:
        """The Team Leader approved, with a PS-FIN-3 reason."""

    @transition(source=FinalisationStatus.PENDING, target=FinalisationStatus.REJECTED, step_ids=("PS-FIN-3", "PS-ACT-3"),
                callers=("ps.services.finalisation_reject",))
    def reject(self) -> None:
        """The Team Leader did not approve: the issues go back to confirmed."""

    @transition(source=FinalisationStatus.PENDING, target=FinalisationStatus.WITHDRAWN, step_ids=("PS-FIN-2",),
                callers=("ps.services.finalisation_withdraw",))
    def withdraw(self) -> None:
        """The submitter withdrew the request before the Team Leader decided it."""


class Referral(models.Model):
    """PS-REF-1: a referral into PS (the intray that carries it, and for an urgent one the Team Leader's call)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="ps_referrals")
    type_code = models.CharField(max_length=40)
    intray_id = models.BigIntegerField(null=True, blank=True, unique=True)
    reason = models.TextField()
    urgent = models.BooleanField(default=False)
    tl_call_details = models.TextField(blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
