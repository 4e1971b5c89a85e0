"""Intrays: work items with an owner (an officer or a position), a type and a working-day due date.

Sized for tens of millions of rows: every worklist read goes through a *partial* index over open intrays only
(status open / in progress), keyed by the assignee (officer, position or team) and the due date, so a page of a
worklist touches only the rows it returns. See docs/intrays.md for the indexes and their query plans.

Nothing is hard-deleted: an intray is "deleted" by status with a reason; correspondence documents, category changes
and office-calendar corrections are append-only / deactivated rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField

from casework.core.fsm import ProtectedStateModel, transition

from casework.customers.models import AppendOnlyModel, Case, Customer, PresentingIssue
from casework.org.models import Office, Officer, Position, Team
from casework.org.roles import State


class IntrayType(models.Model):
    """Reference data (admin-editable, audited): service level and who may create, receive and close the type."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120, unique=True)
    sla_working_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Due this many working days after creation; empty = no service level."
    )
    creator_roles = models.JSONField(default=list, blank=True, help_text="Roles that may create it; empty = any caseworker.")
    receiver_roles = models.JSONField(
        default=list, blank=True, help_text="Roles an officer must hold to receive it; empty = any caseworker."
    )
    receiver_areas = models.JSONField(
        default=list, blank=True, help_text="Business-area codes that may receive it; empty = any area."
    )
    closer_roles = models.JSONField(
        default=list, blank=True, help_text="Roles that may complete/delete it; empty = whoever may work it."
    )
    is_correspondence = models.BooleanField(
        default=False, help_text="Correspondence received: deletion refused while a matter is unaddressed (CMA-1.1)."
    )
    step_ids = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CalendarDayKind(models.TextChoices):
    CLOSED = "closed", "Closed (not a working day)"
    OPEN = "open", "Open (a working day despite the public-holiday calendar)"


class OfficeClosure(models.Model):
    """A correction to the public-holiday calendar, kept as data: an office (or a whole state) is closed on a day
    the ``holidays`` package does not know (regional show day, emergency closure), or open on a day it lists."""

    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.PROTECT, related_name="closures")
    state = models.CharField(max_length=3, choices=State.choices, blank=True, help_text="Whole state when no office.")
    date = models.DateField()
    kind = models.CharField(max_length=8, choices=CalendarDayKind.choices, default=CalendarDayKind.CLOSED)
    reason = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["date"]
        indexes = [
            models.Index(fields=["office", "date"], name="closure_office_date", condition=Q(is_active=True)),
            models.Index(fields=["state", "date"], name="closure_state_date", condition=Q(is_active=True)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(office__isnull=False) & Q(state="")) | (Q(office__isnull=True) & ~Q(state="")),
                name="closure_office_xor_state",
            )
        ]

    def __str__(self) -> str:
        where = self.office.name if self.office_id else self.state
        return f"{where} {self.get_kind_display()} on {self.date}: {self.reason}"


class IntrayStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DELETED = "deleted", "Deleted"


OPEN_STATUSES = (IntrayStatus.OPEN, IntrayStatus.IN_PROGRESS)
IS_OPEN = Q(status__in=[s.value for s in OPEN_STATUSES])


def _intray_steps(intray: Intray) -> tuple[str, ...]:
    """the intray's own step IDs (its type's rule)"""
    return tuple(intray.step_ids or ())


class Intray(ProtectedStateModel, models.Model):
    type = models.ForeignKey(IntrayType, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="intrays")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="intrays")
    subject = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    status = FSMField(max_length=12, choices=IntrayStatus.choices, default=IntrayStatus.OPEN, protected=True)
    # Exactly one assignee. ``team`` and ``office`` are copied from the assignee when (re)assigned so the team
    # worklist and the calendar need no joins (the receiving position's office decides the calendar).
    assignee_officer = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="intrays"
    )
    assignee_position = models.ForeignKey(
        Position, null=True, blank=True, on_delete=models.PROTECT, related_name="intrays"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    issues = models.ManyToManyField(PresentingIssue, through="IntrayIssue", related_name="intrays", blank=True)
    related_intray = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The intray this one is about (an SLA-breach notice points at the breached intray).",
    )
    created_at = models.DateTimeField()
    received_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When the item was received (CMA-1.1); the due date counts from here. Empty only on rows keyed "
        "before it was recorded (then it is created_at).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True, help_text="Local date in the receiving office's calendar.")
    started_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(blank=True)
    delete_reason = models.TextField(blank=True)
    sla_breached_at = models.DateTimeField(null=True, blank=True)
    step_ids = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            # Worklists: open intrays only, in due-date order (NULL due dates sort last on both engines here
            # because selectors order by (due_date IS NULL, due_date, id) only on the returned page's keys).
            models.Index(fields=["assignee_officer", "due_date", "id"], name="intray_open_officer_due", condition=IS_OPEN),
            models.Index(fields=["assignee_position", "due_date", "id"], name="intray_open_position_due", condition=IS_OPEN),
            models.Index(fields=["team", "due_date", "id"], name="intray_open_team_due", condition=IS_OPEN),
            models.Index(fields=["customer", "due_date", "id"], name="intray_open_customer_due", condition=IS_OPEN),
            # SLA job: open, with a due date, not yet recorded as breached.
            models.Index(
                fields=["due_date", "id"],
                name="intray_sla_pending",
                condition=IS_OPEN & Q(sla_breached_at__isnull=True, due_date__isnull=False),
            ),
            # Customer history (all statuses), newest first.
            models.Index(fields=["customer", "-created_at"], name="intray_customer_history"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(assignee_officer__isnull=False) & Q(assignee_position__isnull=True))
                | (Q(assignee_officer__isnull=True) & Q(assignee_position__isnull=False)),
                name="intray_exactly_one_assignee",
            )
        ]

    def __str__(self) -> str:
        return f"{self.type.name}: {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # The guards (who may work or close it, matters addressed, a reason) are intrays.policy, run by the service.
    @transition(source=IntrayStatus.OPEN, target=IntrayStatus.IN_PROGRESS, step_ids=_intray_steps,
                callers=("intrays.services.intray_start",))
    def start(self) -> None:
        """An officer starts working it."""

    @transition(source=[IntrayStatus.OPEN, IntrayStatus.IN_PROGRESS], target=IntrayStatus.DONE, step_ids=_intray_steps,
                callers=("intrays.services.intray_complete", "intrays.services.intray_resolve"))
    def complete(self) -> None:
        """Done, with its outcome."""

    @transition(source=[IntrayStatus.OPEN, IntrayStatus.IN_PROGRESS], target=IntrayStatus.DELETED,
                step_ids=_intray_steps, callers=("intrays.services.intray_delete",), act="delete")
    def soft_delete(self) -> None:
        """Deleted with a reason (the row stays)."""

    @transition(source=IntrayStatus.IN_PROGRESS, target=IntrayStatus.OPEN, step_ids=_intray_steps,
                callers=("intrays.services.intray_reassign", "intrays.services.intray_follow_lock"), act="put back in the queue")
    def requeue(self) -> None:
        """Referred to another officer or position while in progress: open again for the new assignee."""

    @property
    def assignee_label(self) -> str:
        if self.assignee_officer_id:
            return self.assignee_officer.display_name
        return self.assignee_position.title if self.assignee_position_id else ""


class IntrayIssue(models.Model):
    """A presenting issue the intray raises (or, for correspondence, a matter the letter raised)."""

    intray = models.ForeignKey(Intray, on_delete=models.PROTECT, related_name="issue_links")
    issue = models.ForeignKey(PresentingIssue, on_delete=models.PROTECT, related_name="intray_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["intray", "issue"], name="intray_issue_once")]


class Channel(models.TextChoices):
    FAX = "fax", "Fax"
    EMAIL = "email", "Email"
    POST = "post", "Post"


class CorrespondenceCategory(models.TextChoices):
    GENERAL = "general", "General enquiry"
    INCOME = "income", "Income"
    CARE = "care", "Care"
    PAYMENT = "payment", "Payments and collection"
    CHANGE_OF_ASSESSMENT = "change_of_assessment", "Change of Assessment application"
    OBJECTION = "objection", "Objection"
    PART6A_OBJECTION = "part6a_objection", "Part 6A objection"
    COMPLAINT = "complaint", "Complaint"
    CONTACT_DETAILS = "contact_details", "Contact details"


class Correspondence(models.Model):
    """The letter/fax/email behind a *Correspondence received* intray (CMA-1.1). Category changes only through
    ``correspondence_recategorise`` (reason required, history kept in ``CategoryChange``)."""

    intray = models.OneToOneField(Intray, on_delete=models.PROTECT, related_name="correspondence")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    received_on = models.DateField(help_text="Local date received, in the receiving office's time zone.")
    received_at = models.DateTimeField(null=True, blank=True, help_text="Date and time received (CMA-1.1).")
    category = models.CharField(max_length=24, choices=CorrespondenceCategory.choices)
    from_representative = models.BooleanField(default=False)
    sender = models.CharField(max_length=150, blank=True)

    def __str__(self) -> str:
        return f"{self.get_channel_display()} received {self.received_on} ({self.get_category_display()})"


class CategoryChange(AppendOnlyModel):
    correspondence = models.ForeignKey(Correspondence, on_delete=models.PROTECT, related_name="category_changes")
    from_category = models.CharField(max_length=24, choices=CorrespondenceCategory.choices)
    to_category = models.CharField(max_length=24, choices=CorrespondenceCategory.choices)
    reason = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "id"]


def correspondence_document_path(instance: CorrespondenceDocument, filename: str) -> str:  # noqa: ARG001
    """Where a document lives in storage. The name is set by the service (``intrays.storage.document_name``:
    non-guessable, one per place on the correspondence); this only backs Django's FileField contract."""
    return filename


class CorrespondenceDocument(AppendOnlyModel):
    """An attached document, kept as an immutable file with its SHA-256 and size, never overwritten. The bytes live in
    Django's storage (``STORAGES["default"]``: the filesystem under ``var/media`` by default, S3-compatible in
    production) under a name nobody can guess (issue 15), written by the attaching service before its transaction
    commits, and only ever served through the permission-checked, audited downloads (never a public media URL)."""

    correspondence = models.ForeignKey(Correspondence, on_delete=models.PROTECT, related_name="documents")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=correspondence_document_path, max_length=255)
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.sha256[:12]})"


class MatterStatus(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    ADDRESSED = "addressed", "Addressed"
    REFERRED = "referred", "Referred to another team"


class CorrespondenceMatter(ProtectedStateModel, models.Model):
    """A matter the correspondence raised that is not (or not yet) a presenting issue (CMA-1.1, CMA-3.5)."""

    correspondence = models.ForeignKey(Correspondence, on_delete=models.PROTECT, related_name="matters")
    description = models.TextField()
    status = FSMField(max_length=12, choices=MatterStatus.choices, default=MatterStatus.OUTSTANDING, protected=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    addressed_at = models.DateTimeField(null=True, blank=True)
    addressed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(blank=True)
    communicated = models.BooleanField(default=False, help_text="The outcome was communicated (letter or contact).")
    # Referred (CMA-3.5: with multiple issues refer each to the relevant team): handed on as a new intray of the
    # receiving team, so it no longer holds the correspondence open; the new intray is its work from then on.
    referred_intray = models.OneToOneField(
        "Intray", null=True, blank=True, on_delete=models.PROTECT, related_name="referred_matter",
        help_text="The intray the matter was referred as (CMA-2.10, CMA-3.5).",
    )
    referred_at = models.DateTimeField(null=True, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refer_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.description[:80]

    @transition(source=MatterStatus.OUTSTANDING, target=MatterStatus.ADDRESSED, step_ids=("CMA-3.5",),
                callers=("intrays.services.correspondence_matter_address",))
    def address(self) -> None:
        """Addressed, with its outcome communicated to the customer."""

    @transition(source=MatterStatus.OUTSTANDING, target=MatterStatus.REFERRED, step_ids=("CMA-3.5", "CMA-2.10"),
                callers=("intrays.services.correspondence_matter_refer",), act="refer to another team")
    def refer(self) -> None:
        """Referred to the team it belongs to, as a new intray in their queue (handed on, not forgotten)."""


class IntrayCorrection(AppendOnlyModel):
    """One corrected fact of an intray (issue 14): what an officer keyed wrongly (subject, details, when it was
    received, the case it is about), the value before and after, why, who and when. The intray keeps the corrected
    value; these rows keep the original readable (CMA-1.1)."""

    intray = models.ForeignKey(Intray, on_delete=models.PROTECT, related_name="corrections")
    field = models.CharField(max_length=20)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    reason = models.TextField()
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField()

    FIELD_LABELS = {"subject": "subject", "details": "details", "received_at": "received date",
                    "case": "case", "due_date": "due date"}

    class Meta:
        ordering = ["corrected_at", "id"]

    @property
    def field_label(self) -> str:
        return self.FIELD_LABELS.get(self.field, self.field)

    def __str__(self) -> str:
        return f"{self.field_label}: {self.old_value} → {self.new_value}"
