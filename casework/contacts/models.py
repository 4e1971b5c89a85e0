"""A customer contact (CMA-1.1 to CMA-3.5): who called, on which channel, POI, the presenting issues raised, the
Minimum Collection Activity done, external referrals, decisions explained, finalisation and unlock.

Nothing here is hard-deleted: a contact ends as finalised, transferred, referred for follow-up or abandoned.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_fsm import FSMField

from casework.core.fsm import ProtectedStateModel, transition

from casework.customers.models import (
    AppendOnlyModel,
    AuthorisedRepresentative,
    Case,
    Customer,
    PaymentArrangement,
    PresentingIssue,
)
from casework.org.models import BusinessArea, Officer


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    FACE_TO_FACE = "face_to_face", "Face-to-face"
    FAX = "fax", "Written: fax"
    EMAIL = "email", "Written: email"
    POST = "post", "Written: post"


class Speaker(models.TextChoices):
    CUSTOMER = "customer", "The customer"
    REPRESENTATIVE = "representative", "An authorised representative"


class ContactStatus(models.TextChoices):
    OPEN = "open", "In progress"
    TRANSFERRED = "transferred", "Transferred to another area"
    FOLLOW_UP = "follow_up", "Not resolved in real time (locked / referred)"
    FINALISED = "finalised", "Finalised"
    ABANDONED = "abandoned", "Abandoned"


class TransferKind(models.TextChoices):
    COLD = "cold", "Cold transfer"
    WARM = "warm", "Warm transfer"


class Contact(ProtectedStateModel, models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contacts")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts")
    channel = models.CharField(max_length=14, choices=Channel.choices)
    speaker = models.CharField(max_length=16, choices=Speaker.choices, default=Speaker.CUSTOMER)
    representative = models.ForeignKey(
        AuthorisedRepresentative, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="contacts")
    area = models.ForeignKey(
        BusinessArea, on_delete=models.PROTECT, related_name="+", help_text="Point of entry (CMA-1.2)."
    )
    status = FSMField(max_length=12, choices=ContactStatus.choices, default=ContactStatus.OPEN, protected=True)
    started_at = models.DateTimeField()
    # CMA-1.1 identity
    poi_confirmed_at = models.DateTimeField(null=True, blank=True)
    poi_method = models.CharField(max_length=200, blank=True)
    poi_carried = models.BooleanField(default=False, help_text="POI done before a transfer (CMA-1.1).")
    # Issue 14: a failed identity check (CMA-1.1): nothing about the case may be discussed afterwards.
    poi_failed_at = models.DateTimeField(null=True, blank=True)
    poi_failed_checks = models.JSONField(default=list, blank=True)
    poi_failed_note = models.TextField(blank=True)
    # Issue 14: abandoned (call dropped, customer hung up, wrong customer...), with the reason.
    abandoned_at = models.DateTimeField(null=True, blank=True)
    abandon_reason = models.CharField(max_length=20, blank=True)
    abandon_note = models.TextField(blank=True)
    transferred_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="transferred_to"
    )
    transfer_kind = models.CharField(max_length=8, choices=TransferKind.choices, blank=True)
    transfer_reasons = models.JSONField(default=list, blank=True)
    transfer_to_area = models.ForeignKey(
        BusinessArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    transfer_note = models.TextField(blank=True)
    # CMA-2.x Minimum Collection Activity
    mca_ticked = models.JSONField(default=list, blank=True)
    mca_completed_at = models.DateTimeField(null=True, blank=True)
    mca_snapshot = models.JSONField(default=dict, blank=True, help_text="The MCA assessment when completed.")
    arrangement = models.ForeignKey(
        PaymentArrangement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    collection_information = models.TextField(blank=True)
    collection_outcome = models.CharField(max_length=20, blank=True)
    level1_searches_done = models.BooleanField(default=False)
    # CMA-1.3 error identified
    error_identified = models.BooleanField(default=False)
    error_description = models.TextField(blank=True)
    apology_given = models.BooleanField(default=False)
    complaint_offered = models.BooleanField(default=False)
    complaint_wanted = models.BooleanField(default=False)
    error_outcome = models.CharField(max_length=10, blank=True, help_text="resolve | refer | lock (CMA-1.3)")
    # CMA-2.9 / CMA-3.x
    realtime_resolved = models.BooleanField(null=True, blank=True)
    not_resolved_reason = models.TextField(blank=True)
    customer_disagrees = models.BooleanField(default=False)
    disagreement_options = models.JSONField(default=list, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    unlock_outcome = models.CharField(max_length=32, blank=True)
    unlocked_at = models.DateTimeField(null=True, blank=True)
    # CMA-1.7: ownership kept as a further specialised issue arose -> the customer was advised that more than one
    # person may deal with them and that entering their CSID routes calls to the same area.
    holistic_advice_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["customer", "-started_at"], name="contact_customer_time")]

    def __str__(self) -> str:
        return f"Contact with {self.customer.csid} ({self.get_channel_display()}, {self.get_status_display()})"

    @property
    def poi_confirmed(self) -> bool:
        return self.poi_confirmed_at is not None or self.poi_carried

    @property
    def poi_failed(self) -> bool:
        return self.poi_failed_at is not None

    @property
    def abandon_reason_label(self) -> str:
        from .policy import ABANDON_REASONS

        return ABANDON_REASONS.get(self.abandon_reason, self.abandon_reason)

    @property
    def poi_failed_checks_labels(self) -> list[str]:
        from .policy import POI_CHECKS

        return [POI_CHECKS.get(c, c) for c in self.poi_failed_checks]

    @property
    def is_open(self) -> bool:
        return self.status == ContactStatus.OPEN

    # A contact ends once: transferred, referred for follow-up, finalised or abandoned. The guards (POI, MCA, everything in
    # scope done) are evaluated by the service before the transition.
    @transition(source=ContactStatus.OPEN, target=ContactStatus.TRANSFERRED, step_ids=("CMA-1.1",),
                callers=("contacts.services.contact_transfer",))
    def transfer(self) -> None:
        """Wrong business area: cold or warm transfer."""

    @transition(source=ContactStatus.OPEN, target=ContactStatus.FOLLOW_UP, step_ids=("CMA-2.9", "CMA-2.10"),
                callers=("contacts.services.contact_not_resolved",), act="refer for follow-up")
    def refer_for_follow_up(self) -> None:
        """Not resolved in real time: locked to the officer or referred to the owner."""

    @transition(source=ContactStatus.OPEN, target=ContactStatus.FINALISED, step_ids=("CMA-2.9", "CMA-3.1", "CMA-3.2"),
                callers=("contacts.services.contact_finalise",))
    def finalise(self) -> None:
        """Everything in scope is done."""

    @transition(source=ContactStatus.OPEN, target=ContactStatus.ABANDONED, step_ids=("CMA-1.1",),
                callers=("contacts.services.contact_abandon",))
    def abandon(self) -> None:
        """Issue 14: the contact ends without an outcome (call dropped, hung up, wrong customer, POI failed)."""

    UNLOCK_LABELS = {
        "unlocked": "Unlocked by the ownership rules",
        "relocked": "Locked to the officer of the outstanding specialised issue (CMA-3.3)",
        "not_locked": "Not locked: nothing to unlock",
        "auto_unlock_scheduled": "Decision letters sent; automatic unlock scheduled",
        "letters_sent": "Decision letters sent",
    }

    @property
    def unlock_outcome_label(self) -> str:
        return self.UNLOCK_LABELS.get(self.unlock_outcome, self.unlock_outcome)


class ContactIssue(models.Model):
    """A presenting issue raised in this contact, with how the ownership rules say it is handled (CMA-1.2)."""

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="issues")
    presenting_issue = models.ForeignKey(PresentingIssue, on_delete=models.PROTECT, related_name="contact_links")
    handling = models.CharField(max_length=20, blank=True, help_text="point_of_entry | specialist_area | referral | ...")
    handling_reason = models.TextField(blank=True)
    handled_by = models.CharField(max_length=40, blank=True)
    step_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    # Where a specialised issue went when the contact ended (CMA-1.2 referral, CMA-1.4 collaborative management):
    # the area and the intray now holding it, so the issue is never "open, nobody's".
    referred_area = models.ForeignKey(BusinessArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    referred_intray = models.ForeignKey(
        "intrays.Intray", null=True, blank=True, on_delete=models.PROTECT, related_name="contact_issues"
    )
    referred_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["contact", "presenting_issue"], name="contact_issue_once")]

    @property
    def handling_label(self) -> str:
        return HANDLING_LABELS.get(self.handling, self.handling or "—")


HANDLING_LABELS = {
    "point_of_entry": "Handled here (point of entry)",
    "owning_area": "Handled by the owning area",
    "specialist_area": "Specialist area",
    "referral": "Referral to the specialist area",
    "collaborative": "Collaborative customer management",
}


class ExternalReferral(models.Model):
    """A non-child-support referral (CMA-1.2): organisation and reason; given to the customer or still pending."""

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="external_referrals")
    organisation = models.CharField(max_length=200)
    reason = models.TextField()
    given_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]

    @property
    def is_given(self) -> bool:
        return self.given_at is not None


class ExplanationStatus(models.TextChoices):
    PENDING = "pending", "Not yet explained"
    EXPLAINED = "explained", "Decision explained verbally"
    NOT_CONTACTABLE = "not_contactable", "Not explained: contact attempted (decision letter, CMA-3.4)"


class ImpactedCustomer(ProtectedStateModel, models.Model):
    """A customer impacted by the decisions of this contact, and whether the decision was explained (CMA-3.1)."""

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="impacted")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    status = FSMField(max_length=16, choices=ExplanationStatus.choices, default=ExplanationStatus.PENDING,
                      protected=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    letter = models.ForeignKey("letters.Letter", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["contact", "customer"], name="contact_impacted_once")]

    # CMA-3.1: explained is final; after attempts (CMA-3.4) the decision can still be explained later.
    @transition(source=[ExplanationStatus.PENDING, ExplanationStatus.NOT_CONTACTABLE], target=ExplanationStatus.EXPLAINED,
                step_ids=("CMA-3.1",), callers=("contacts.services.contact_decision_explained",))
    def explain(self) -> None:
        """The decision was explained verbally to this customer."""

    @transition(source=[ExplanationStatus.PENDING, ExplanationStatus.NOT_CONTACTABLE],
                target=ExplanationStatus.NOT_CONTACTABLE, step_ids=("CMA-3.1", "CMA-3.4"),
                callers=("contacts.services.contact_decision_explained",), act="record as not contactable")
    def record_not_contactable(self) -> None:
        """Contact was attempted; a decision letter goes out on unlock."""


class ContactCorrection(AppendOnlyModel):
    """One corrected fact of a contact (issue 14): what the officer typed (channel, POI method, notes, the
    not-resolved reason...) before and after, why, who and when, so the original stays readable. Never the outcomes
    other rules hang on (MCA documented, finalisation): see ``policy.contact_correct_check``. Append-only."""

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="corrections")
    field = models.CharField(max_length=40)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    reason = models.TextField()
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField()

    class Meta:
        ordering = ["corrected_at", "id"]

    @property
    def field_label(self) -> str:
        from .policy import CORRECTABLE_FIELDS

        return CORRECTABLE_FIELDS.get(self.field, self.field)

    def __str__(self) -> str:
        return f"{self.field_label}: {self.old_value} → {self.new_value}"
