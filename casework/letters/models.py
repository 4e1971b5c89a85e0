"""Letters: what was sent to a customer, kept as issued with the data and the HTML it was made from; its PDF is
rendered after the issuing transaction commits (a job) and kept in Django's storage as a ``LetterDocument``.

Append-only: a letter is never changed or deleted; a correction is a new letter. So is its rendition.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from casework.customers.models import AppendOnlyModel, Case, Customer

# The render job's failures are recorded under this job and item type (core.JobItemFailure, item_id = letter id).
RENDER_JOB = "letters.render"
RENDER_ITEM = "letter"


class LetterStatus(models.TextChoices):
    """Where a letter's PDF stands (issue 15): rendered after the issue commits."""

    PREPARING = "preparing", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be prepared yet (retrying)"


class Letter(AppendOnlyModel):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="letters")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="letters")
    template_code = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    # Exactly the customer-facing data the PDF was rendered from (after the allow-list).
    source_data = models.JSONField(default=dict)
    html = models.TextField(help_text="The rendered HTML, as converted to PDF.")
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-issued_at"], name="letter_customer_time"),
            # The render sweep (jobs.letters_render_pending) looks at the letters issued lately.
            models.Index(fields=["issued_at"], name="letter_issued_at"),
        ]

    def __str__(self) -> str:
        return f"{self.title} to {self.customer.csid}"

    @property
    def status(self) -> str:
        """``ready`` once its ``LetterDocument`` exists; ``failed`` while a render failure is open (the selectors
        annotate ``render_failed``); ``preparing`` otherwise."""
        try:
            self.document  # noqa: B018 (select_related by the selectors)
        except models.ObjectDoesNotExist:
            return LetterStatus.FAILED.value if getattr(self, "render_failed", False) else LetterStatus.PREPARING.value
        return LetterStatus.READY.value

    @property
    def status_label(self) -> str:
        return LetterStatus(self.status).label


def letter_document_path(instance: LetterDocument, filename: str) -> str:  # noqa: ARG001 (the name is ours)
    """Where a rendition lives in storage. The name is set by ``services.letter_render`` (non-guessable, one per
    letter); this only backs Django's FileField contract."""
    return filename


class LetterDocument(AppendOnlyModel):
    """The PDF of a letter, rendered from ``Letter.html`` after the issuing transaction committed (issue 15). One per
    letter, never changed: the file lives in Django's storage (``STORAGES["default"]``: the filesystem under
    ``var/media`` by default, S3-compatible in production) under a name nobody can guess, and is only ever served
    through the authenticated, permission-checked ``/api/v1/letters/<id>/pdf/`` (never a public media URL)."""

    letter = models.OneToOneField(Letter, on_delete=models.PROTECT, related_name="document")
    file = models.FileField(upload_to=letter_document_path, max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    rendered_at = models.DateTimeField()

    class Meta:
        ordering = ["-rendered_at", "-id"]

    def __str__(self) -> str:
        return f"PDF of letter {self.letter_id} ({self.sha256[:12]})"
