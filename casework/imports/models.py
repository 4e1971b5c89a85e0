"""Which local row each source-system record became, so a second import of the same file changes nothing."""

from __future__ import annotations

from django.db import models


class SourceRecord(models.Model):
    """One record of the agency's assessment and payments system, by its key, mapped to the local row it created
    (``record_type`` names the local table: customer, case, child, care, income, debt, arrangement). ``fingerprint``
    is the hash of the row as last imported: the same row again is skipped without a write."""

    record_type = models.CharField(max_length=20)
    source_key = models.CharField(max_length=80)
    object_id = models.BigIntegerField()
    fingerprint = models.CharField(max_length=64)
    first_imported_at = models.DateTimeField()
    last_imported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record_type", "source_key"], name="source_record_key_once"),
        ]
        indexes = [models.Index(fields=["record_type", "object_id"], name="source_record_local")]

    def __str__(self) -> str:
        return f"{self.record_type} {self.source_key} → {self.object_id}"
