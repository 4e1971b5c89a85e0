"""Customers, cases and the facts the procedures check.

Append-only records (notes) refuse update/delete. Nothing here is hard-deleted: records end (``is_active``,
``ended_on``, status) instead. Internal-only data (``SensitiveIssueIndicator``) never reaches customer-facing output.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django_fsm import FSMField

from casework.core.fsm import ProtectedStateModel, transition
from casework.core.versioning import version_field
from casework.org.models import BusinessArea, IssueType
from casework.org.roles import State

from .csid import validate_csid


class Residence(models.TextChoices):
    NSW = State.NSW.value, State.NSW.label
    VIC = State.VIC.value, State.VIC.label
    QLD = State.QLD.value, State.QLD.label
    WA = State.WA.value, State.WA.label
    SA = State.SA.value, State.SA.label
    TAS = State.TAS.value, State.TAS.label
    ACT = State.ACT.value, State.ACT.label
    NT = State.NT.value, State.NT.label
    OVERSEAS = "OS", "Overseas"


class ContactPreference(models.TextChoices):
    ANY = "any", "Phone or written"
    PHONE = "phone", "Phone preferred"
    WRITTEN_ONLY = "written_only", "Written correspondence only"  # CMA-1.2: send a unique letter


class Customer(models.Model):
    csid = models.CharField("CSID", max_length=10, unique=True, validators=[validate_csid])
    given_names = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    # Lower-cased "family given" for indexed prefix search at national scale. On PostgreSQL db_index also creates the
    # varchar_pattern_ops ("_like") index that LIKE 'smith%' uses; on SQLite the selector searches by range instead.
    search_name = models.CharField(max_length=201, editable=False, db_index=True)
    date_of_birth = models.DateField()
    date_of_death = models.DateField(null=True, blank=True)
    email = models.EmailField(blank=True)
    phone_mobile = models.CharField(max_length=20, blank=True)
    phone_home = models.CharField(max_length=20, blank=True)
    postal_address = models.TextField(blank=True)
    postal_address_is_silent = models.BooleanField(
        default=False,
        help_text="Silent address (e.g. family violence, PS-CON-4): printed only on the customer's own letters, never "
        "disclosed to anyone else.",
    )
    residence = models.CharField(max_length=3, choices=Residence.choices)
    country = models.CharField(max_length=60, blank=True, help_text="When residence is overseas.")
    preferred_contact_times = models.CharField(max_length=200, blank=True)
    contact_preference = models.CharField(
        max_length=16, choices=ContactPreference.choices, default=ContactPreference.ANY
    )
    special_contact_arrangements = models.TextField(
        blank=True, help_text="Alternative/special contact arrangements (CMA-1.2, PS-CON-3)."
    )
    # Optimistic concurrency (issue 13): every change through ``customer_update`` adds one; the API's ETag. A change
    # made from an older read is refused with 409 instead of silently overwriting someone else's change.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_names"]
        indexes = [
            models.Index(fields=["date_of_birth", "search_name"], name="customer_dob_name"),
            # Name search reads a prefix range in (search_name, csid) order and stops at the page size: no sort.
            models.Index(fields=["search_name", "csid"], name="customer_name_csid"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.csid})"

    def save(self, *args, **kwargs):
        self.search_name = f"{self.family_name} {self.given_names}".lower().strip()
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()

    @property
    def is_deceased(self) -> bool:
        return self.date_of_death is not None


class RepresentativeScope(models.TextChoices):
    FULL = "full", "Full authority: may discuss and act on all matters"
    ENQUIRE = "enquire", "May enquire and receive information only"
    SPECIFIED = "specified", "Specified matters only (see detail)"


class RepresentativeMatter(models.TextChoices):
    """The matters a 'specified matters' authority can cover (CMA-1.1). Each names the case information it opens."""

    INCOME = "income", "Income"
    CARE = "care", "Care arrangements"
    COLLECTION = "collection", "Payments, debts and arrangements"
    CONTACT_DETAILS = "contact_details", "Contact details"


class AuthorisedRepresentative(models.Model):
    """CMA-1.1: what can be exchanged with a representative is limited to what their authority allows."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="representatives")
    name = models.CharField(max_length=150)
    relationship = models.CharField(max_length=100, blank=True)
    organisation = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    scope = models.CharField(max_length=12, choices=RepresentativeScope.choices)
    scope_detail = models.TextField(blank=True)
    matters = models.JSONField(default=list, blank=True, help_text="RepresentativeMatter codes (specified scope).")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    version = version_field()

    def __str__(self) -> str:
        return f"{self.name} for {self.customer.csid} ({self.get_scope_display()})"


class RestrictionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed (awaiting approval)"
    ACTIVE = "active", "In force"
    REJECTED = "rejected", "Not approved"
    ENDED = "ended", "Ended"


class ContactRestriction(ProtectedStateModel, models.Model):
    """Restricted service: limits on the customer's contact after unreasonable conduct (PS-ORM-3).

    Proposed with the record PS-DOC-2 asks for (case review, recommendation, the letter to the customer), in force
    (``is_active``) only once a second eligible person approved its ``restricted_service`` request for approval
    (issue 11: the kind is registered by ``ps.approval_kinds``; decided on /approvals/)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contact_restrictions")
    conditions = models.TextField()
    channels = models.JSONField(default=list, blank=True, help_text="Allowed channels; empty = any channel.")
    days = models.JSONField(default=list, blank=True, help_text="Allowed weekdays 0=Mon..6=Sun; empty = any day.")
    time_from = models.TimeField(null=True, blank=True)
    time_to = models.TimeField(null=True, blank=True)
    imposed_on = models.DateField()
    review_date = models.DateField()
    case_review = models.TextField(blank=True)
    recommendation = models.TextField(blank=True)
    letter_reference = models.CharField(max_length=200, blank=True, help_text="The letter sent to the customer.")
    # Nothing is in force until a PS Team Leader approves it (issue 11, PS-ORM-3): a row made any other way than
    # through ``contact_restriction_add`` and its approval starts as proposed and not active.
    status = FSMField(max_length=10, choices=RestrictionStatus.choices, default=RestrictionStatus.PROPOSED,
                      protected=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    is_active = models.BooleanField(default=False, help_text="In force (set when approved, PS-ORM-3).")
    ended_on = models.DateField(null=True, blank=True)
    # Lifting a restriction in force is a review outcome the National Manager Quality and Customer Complaints
    # approves (PS-ORM-3): who asked, who approved and why (``restricted_service_end`` request for approval).
    end_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.TextField(blank=True)
    version = version_field()

    class Meta:
        indexes = [models.Index(fields=["customer", "is_active"], name="restriction_customer_active")]

    def __str__(self) -> str:
        return f"Restricted service for {self.customer.csid} (review {self.review_date})"

    @transition(source=RestrictionStatus.PROPOSED, target=RestrictionStatus.ACTIVE, step_ids=("PS-ORM-3",),
                callers=("ps.services.restricted_service_apply",))
    def approve(self) -> None:
        """A second eligible person approved the proposed restriction: it is in force (PS-ORM-3)."""

    @transition(source=RestrictionStatus.PROPOSED, target=RestrictionStatus.REJECTED, step_ids=("PS-ORM-3",),
                callers=("ps.services.restricted_service_reject",))
    def reject(self) -> None:
        """The approver declined the proposed restriction: it never took effect (PS-ORM-3)."""

    @transition(source=[RestrictionStatus.ACTIVE, RestrictionStatus.PROPOSED], target=RestrictionStatus.ENDED,
                step_ids=("PS-ORM-3",), callers=("customers.services.contact_restriction_end_apply",
                                                   "ps.services.restricted_service_withdrawn"))
    def end(self) -> None:
        """The restricted service ends (review outcome approved by the NMQCC, or withdrawn proposal); it stays on
        record."""


class SensitiveReason(models.TextChoices):
    FAMILY_VIOLENCE = "family_violence", "Family violence"
    RESTRICTED_SERVICE = "restricted_service", "Restricted service"
    DECEASED_CUSTOMER = "deceased_customer", "Deceased customer"
    SECURITY_INCIDENT = "security_incident", "Security incident"
    SEGMENT_3_REVIEW = "segment_3_review", "Segment 3 ongoing reactive management review"


class SensitiveIssueIndicator(models.Model):
    """PS-CON-4. INTERNAL ONLY: never rendered into letters or anything else a customer sees."""

    INTERNAL_ONLY = True

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="sensitive_indicators")
    reason = models.CharField(max_length=24, choices=SensitiveReason.choices)
    conditions = models.TextField(blank=True)
    review_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["customer", "is_active"], name="sensitive_customer_active")]

    def __str__(self) -> str:
        return f"Sensitive issue indicator ({self.get_reason_display()}) on {self.customer.csid}"


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", "Pending registration"
    REGISTERED = "registered", "Registered"
    ENDED = "ended", "Ended"


class CollectionType(models.TextChoices):
    AGENCY = "agency", "Agency collect"
    PRIVATE = "private", "Private collect"


class Case(ProtectedStateModel, models.Model):
    """A child support case. ``registration_status`` comes with the case from registration; a correction by an
    officer (``customers.services.case_registration_set``) goes through one of the transitions below."""

    case_number = models.CharField(max_length=12, unique=True)
    payer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="cases_as_payer")
    payee = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="cases_as_payee")
    registration_status = FSMField(
        max_length=12, choices=RegistrationStatus.choices, default=RegistrationStatus.REGISTERED, protected=True
    )
    collection_type = models.CharField(max_length=8, choices=CollectionType.choices, default=CollectionType.AGENCY)
    annual_liability = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True)
    version = version_field()

    class Meta:
        ordering = ["case_number"]
        constraints = [models.CheckConstraint(condition=~Q(payer=models.F("payee")), name="case_parties_differ")]

    def __str__(self) -> str:
        return f"Case {self.case_number}"

    @transition(field="registration_status", source=[RegistrationStatus.PENDING, RegistrationStatus.ENDED],
                target=RegistrationStatus.REGISTERED, step_ids=("CMA-2.1",),
                callers=("customers.services.case_registration_set",))
    def register(self) -> None:
        """Registration completed (or an ended case registered again): ongoing entitlement from here (CMA-2.1)."""

    @transition(field="registration_status", source=[RegistrationStatus.REGISTERED, RegistrationStatus.ENDED],
                target=RegistrationStatus.PENDING, step_ids=("CMA-2.1",),
                callers=("customers.services.case_registration_set",))
    def mark_registration_pending(self) -> None:
        """Registration pending: no ongoing entitlement yet (CMA-2.1)."""

    @transition(field="registration_status", source=[RegistrationStatus.PENDING, RegistrationStatus.REGISTERED],
                target=RegistrationStatus.ENDED, step_ids=("CMA-2.1",),
                callers=("customers.services.case_registration_set",))
    def end_registration(self) -> None:
        """The case ended: no further liability accrues (CMA-2.1)."""

    def other_party(self, customer: Customer) -> Customer:
        return self.payee if customer.pk == self.payer_id else self.payer

    def role_of(self, customer: Customer) -> str:
        if customer.pk == self.payer_id:
            return "payer"
        if customer.pk == self.payee_id:
            return "payee"
        return ""


class Child(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="children")
    given_names = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()

    def __str__(self) -> str:
        return f"{self.given_names} {self.family_name}"


class Supersedable(models.Model):
    """A fact that is corrected by a new row: the old row stays readable, pointing at its replacement, with the
    reason. Selectors read only current rows (``superseded_by`` empty)."""

    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    superseded_at = models.DateTimeField(null=True, blank=True)
    correction_reason = models.TextField(blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Moves on when the row is superseded: a correction made from an older read of it is refused (issue 13).
    version = version_field()

    class Meta:
        abstract = True

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None


class CurrentRowsManager(models.Manager):
    """Only current rows (not superseded): the default manager, so every reader (``case.role_history``, prefetches,
    selectors, exports) reads the facts as corrected. ``all_objects`` reads the superseded rows too."""

    def get_queryset(self):
        return super().get_queryset().filter(superseded_by__isnull=True)


class CaseRoleHistory(Supersedable):
    """Who was payer and payee when: lets the system tell a past role reversal (CMA-2.4). A wrongly dated or wrongly
    keyed reversal is corrected by new rows that supersede the old ones (``case_roles_correct``, issue 12): the old
    rows stay readable (``all_objects``) with the reason; ``objects`` and ``case.role_history`` read current rows."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="role_history")
    payer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    payee = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    from_date = models.DateField()
    to_date = models.DateField(null=True, blank=True)

    objects = CurrentRowsManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["case", "from_date"]
        base_manager_name = "all_objects"


class CareArrangement(Supersedable):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="care_arrangements")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="care_arrangements")
    carer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="care_arrangements")
    care_percentage = models.PositiveSmallIntegerField()
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-effective_from"]
        constraints = [models.CheckConstraint(condition=Q(care_percentage__lte=100), name="care_pct_max_100")]


class IncomeSource(models.TextChoices):
    ATO_ISSUED = "ato_issued", "ATO-issued"
    ESTIMATE = "estimate", "Estimate"
    PROVISIONAL = "provisional", "Provisional"
    CUSTOMER_ADVISED = "customer_advised", "Customer-advised"
    DEFAULT = "default", "Default income"
    DETERMINED = "determined", "Determined (change of assessment)"


class IncomeRecord(Supersedable):
    """A parent's income used in the assessment. Reliability is derived from the source (CMA-2.2), never typed. A
    wrongly keyed income is corrected by a new row superseding it (``income_record_correct``, issue 12); the rules
    (CMA-2.2 reliability, MCA, the summary, the export) read current rows only."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="incomes")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    source = models.CharField(max_length=20, choices=IncomeSource.choices)
    tax_year = models.PositiveSmallIntegerField(help_text="Financial year ending, e.g. 2026.")
    effective_from = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from", "-id"]
        indexes = [models.Index(fields=["customer", "-effective_from"], name="income_customer_latest")]

    @property
    def is_reliable(self) -> bool:
        from .policy import income_is_reliable

        return income_is_reliable(self.source)


class DebtKind(models.TextChoices):
    CHILD_SUPPORT_DEBT = "child_support_debt", "Child support debt (arrears)"
    OVERPAYMENT = "overpayment", "Overpayment"


class Debt(Supersedable):
    """Money owed on a case: a payer's child support arrears (owed to the payee), or an overpayment owed back by
    whoever was overpaid. Corrected by superseding (the old row stays, ``is_open`` False, with the reason)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="debts")
    debtor = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="debts")
    kind = models.CharField(max_length=20, choices=DebtKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    as_at = models.DateField()
    source = models.CharField(max_length=200, blank=True, help_text="Where the figure comes from.")
    is_open = models.BooleanField(default=True)

    @property
    def creditor(self) -> Customer:
        """Who is owed: arrears are owed to the payee; an overpayment to the other party."""
        return self.case.other_party(self.debtor)

    class Meta:
        indexes = [models.Index(fields=["debtor", "is_open"], name="debt_debtor_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ${self.amount} owed by {self.debtor.csid}"


class ArrangementStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    AMENDED = "amended", "Amended (replaced by a new arrangement)"
    DEFAULTED = "defaulted", "Defaulted"
    ENDED = "ended", "Ended"


class PaymentFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"


class PaymentArrangement(ProtectedStateModel, models.Model):
    debt = models.ForeignKey(Debt, on_delete=models.PROTECT, related_name="arrangements")
    status = FSMField(max_length=10, choices=ArrangementStatus.choices, default=ArrangementStatus.ACTIVE, protected=True)
    instalment = models.DecimalField(max_digits=10, decimal_places=2)
    frequency = models.CharField(max_length=12, choices=PaymentFrequency.choices)
    start_date = models.DateField()
    negotiated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The arrangement this one amended.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = version_field()

    class Meta:
        indexes = [models.Index(fields=["debt", "status"], name="arrangement_debt_status")]

    @transition(source=ArrangementStatus.ACTIVE, target=ArrangementStatus.DEFAULTED, step_ids=("CMA-2.3",),
                callers=("customers.services.payment_arrangement_default",))
    def default(self) -> None:
        """The arrangement was not kept: the debt has no working arrangement (CMA-2.3)."""

    @transition(source=[ArrangementStatus.ACTIVE, ArrangementStatus.DEFAULTED], target=ArrangementStatus.ENDED,
                step_ids=("CMA-2.1",), callers=("customers.services.payment_arrangement_create",))
    def end(self) -> None:
        """Replaced by a newly negotiated arrangement (CMA-2.1 MCA); a defaulted one stays on record as ended."""

    @transition(source=ArrangementStatus.ACTIVE, target=ArrangementStatus.AMENDED, step_ids=("CMA-2.3",),
                callers=("customers.services.payment_arrangement_amend",))
    def amend(self) -> None:
        """Replaced by an amended arrangement (new amount, frequency or start): kept on record as amended."""


class DpoStatus(models.TextChoices):
    CONSIDERED = "considered", "Being considered"
    ISSUED = "issued", "Issued"
    REVOKED = "revoked", "Revoked"


class DepartureProhibitionOrder(ProtectedStateModel, Supersedable):
    """A DPO as recorded (``dpo_record``). Its status is set when recorded and never changed here (no transition):
    a later DPO decision is a new record, and a record keyed wrongly is corrected by a new row that supersedes it
    (``dpo_correct``)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="dpos")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="dpos")
    status = FSMField(max_length=12, choices=DpoStatus.choices, protected=True)
    issued_on = models.DateField(null=True, blank=True)
    revoked_on = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ARG002
        raise PermissionError(f"{self.model.__name__} records are append-only.")

    def delete(self):
        raise PermissionError(f"{self.model.__name__} records are append-only.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(f"{type(self).__name__} records are append-only: add a new one instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{type(self).__name__} records are append-only.")


class ArrangementStatusChange(AppendOnlyModel):
    """The status history of a payment arrangement: active -> amended / defaulted / ended (CMA-2.3)."""

    arrangement = models.ForeignKey(PaymentArrangement, on_delete=models.PROTECT, related_name="status_history")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, choices=ArrangementStatus.choices)
    reason = models.TextField(blank=True)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["changed_at", "id"]


class PaymentReceived(Supersedable):
    """A payment received from a customer on a case (optionally against a debt)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payments")
    payer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments_made")
    debt = models.ForeignKey(Debt, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    received_on = models.DateField()
    method = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]


class NoteKind(models.TextChoices):
    GENERAL = "general", "General notepad"
    COLLECTION = "collection", "Collection record"  # CMA-2.8
    COMMUNICATION = "communication", "Communication record"  # CMA-2.8 (payees)
    PAYMENT_ARRANGEMENT = "payment_arrangement", "Payment arrangement record"  # CMA-2.8
    INCOME = "income", "Income"
    CARE = "care", "Care"
    PS_STACKING = "ps_stacking", "PS stacking document"  # PS-DOC-1/2
    INTERNAL = "internal", "Internal (never customer-facing)"


class Note(AppendOnlyModel):
    """A notepad on the customer record. Append-only: a correction is a new note pointing at the old one."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="notes")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(max_length=20, choices=NoteKind.choices, default=NoteKind.GENERAL)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    # Optional pointer at another record (an intray, a lock, an earlier note, a plan issue...).
    ref_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ref_id = models.CharField(max_length=64, blank=True)
    ref = GenericForeignKey("ref_type", "ref_id")
    step_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="note_customer_time")]

    def __str__(self) -> str:
        return f"{self.subject} ({self.customer.csid})"


class IssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    REFERRED = "referred", "Referred to another area"
    FINALISED = "finalised", "Finalised"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PresentingIssue(ProtectedStateModel, models.Model):
    """One presenting issue raised by or about a customer (CMA-1.2), whichever way it arrived.

    The ownership rules use these: the first specialised issue received decides the owner when no retaining area
    applies (CMA-1.5); outstanding specialised issues decide who a customer is locked to on finalising (CMA-3.3).
    """

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="presenting_issues")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="presenting_issues")
    issue_type = models.ForeignKey(IssueType, on_delete=models.PROTECT, related_name="+")
    received_area = models.ForeignKey(
        BusinessArea, on_delete=models.PROTECT, related_name="+", help_text="Where the issue was received."
    )
    status = FSMField(max_length=10, choices=IssueStatus.choices, default=IssueStatus.OPEN, protected=True)
    description = models.TextField(blank=True)
    received_at = models.DateTimeField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [models.Index(fields=["customer", "status", "received_at"], name="issue_customer_status")]

    def __str__(self) -> str:
        return f"{self.issue_type.name} for {self.customer.csid} ({self.get_status_display()})"

    @property
    def is_outstanding(self) -> bool:
        return self.status in (IssueStatus.OPEN, IssueStatus.REFERRED)

    # CMA-3.1: an outstanding (open or referred) issue is finalised, withdrawn or referred; a finalised or withdrawn
    # issue stays closed.
    @transition(source=[IssueStatus.OPEN, IssueStatus.REFERRED], target=IssueStatus.FINALISED,
                step_ids=("CMA-3.1",), callers=("customers.services.presenting_issue_close",))
    def finalise(self) -> None:
        """The issue was dealt with."""

    @transition(source=[IssueStatus.OPEN, IssueStatus.REFERRED], target=IssueStatus.WITHDRAWN,
                step_ids=("CMA-3.1",), callers=("customers.services.presenting_issue_close",))
    def withdraw(self) -> None:
        """The customer no longer raises the issue."""

    @transition(source=[IssueStatus.OPEN, IssueStatus.REFERRED], target=IssueStatus.REFERRED,
                step_ids=("CMA-3.1",), callers=("customers.services.presenting_issue_close",))
    def refer(self) -> None:
        """Referred to another area: still outstanding."""
