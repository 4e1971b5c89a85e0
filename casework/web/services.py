"""API tokens: issued on a sign-in, revoked by their holder. Stored hashed by django-rest-knox; every issue and
revocation is audited (the secret never is)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from casework.core.audit import audit_record
from casework.core.errors import NotFound


def token_issue(*, user: Any, ip: str) -> tuple[AuthToken, str]:
    """A new expiring token for ``user`` (already authenticated). Returns the stored row and the secret, which is
    shown once and never stored in clear."""
    with transaction.atomic():
        # The holder's expired tokens go now (knox deleted them on every authenticated call; issue 15 moved that
        # read off the request path: core.auth.ExpiringTokenAuthentication).
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        instance, secret = AuthToken.objects.create(user=user)
        audit_record(
            actor=user,
            action="auth.token_issue",
            target=("user", user.pk),
            after={"token_key": instance.token_key, "expiry": instance.expiry, "ip": ip},
        )
    return instance, secret


def token_revoke(*, actor: Any, token_key: str, ip: str = "") -> None:
    """Revoke one of the actor's own tokens (by its public key prefix). The credential row goes; the audit trail
    keeps that it existed and when it was revoked."""
    with transaction.atomic():
        tokens = list(AuthToken.objects.select_for_update().filter(user=actor, token_key=token_key))
        if not tokens:
            raise NotFound("You have no token with that key.")
        for token in tokens:
            token.delete()
        audit_record(
            actor=actor,
            action="auth.token_revoke",
            target=("user", actor.pk),
            after={"token_key": token_key, "ip": ip},
        )
