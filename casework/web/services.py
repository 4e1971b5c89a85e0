"""Writes of the web shell. Keyword-only, one transaction, audited (docs/architecture.md)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework.authtoken.models import Token

from casework.core.audit import audit_record


def api_token_issue(*, user: Any) -> str:
    """The API token of a signed-in (already authenticated) user: the existing one, or a new one, audited
    ``api_token.issue`` (the key itself is never written to the audit trail)."""
    with transaction.atomic():
        token, created = Token.objects.get_or_create(user=user)
        if created:
            audit_record(actor=user, action="api_token.issue", target=("user", user.pk))
    return token.key
