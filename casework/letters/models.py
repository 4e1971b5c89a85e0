"""Letters: what was sent to a customer, kept as issued (PDF bytes) with the data it was made from.

Append-only: a letter is never changed or deleted; a correction is a new letter.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from casework.customers.models import AppendOnlyModel, Case, Customer


class Letter(AppendOnlyModel):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="letters")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="letters")
    template_code = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    # Exactly the customer-facing data the PDF was rendered from (after the allow-list).
    source_data = models.JSONField(default=dict)
    html = models.TextField(help_text="The rendered HTML, as converted to PDF.")
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["customer", "-issued_at"], name="letter_customer_time")]

    def __str__(self) -> str:
        return f"{self.title} to {self.customer.csid}"
