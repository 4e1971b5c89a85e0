"""Who may sign in, and how: the authentication backends and the API token scheme (docs/security.md).

* ``ThrottledSignInBackend`` (django-axes): failures are counted per username and per address; once either is locked
  out, every further attempt is refused — even with the right password — until the cool-off ends.
* ``NoSuperuserModelBackend``: a Django superuser passes every ``has_perm`` check, so nobody works as one. Such an
  account can neither sign in nor keep a session (break-glass: ``CASEWORK_ALLOW_SUPERUSER_SIGNIN``, never in
  production, where a system check also refuses to start while an active superuser exists).
* ``ExpiringTokenAuthentication`` (django-rest-knox): API tokens are stored as a SHA-512 digest, expire, and are
  refused for superusers and inactive accounts.
"""

from __future__ import annotations

import binascii
from hmac import compare_digest

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend, UserModel
from knox.auth import TokenAuthentication
from rest_framework import exceptions


def superuser_refused(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) and not settings.CASEWORK_ALLOW_SUPERUSER_SIGNIN


class ThrottledSignInBackend(AxesStandaloneBackend):
    """Axes' lockout check. Every network sign-in (web form, admin, token endpoint) passes the request; a call
    without one (a management command, a test's ``Client.login``) has no address to count and is not throttled."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class NoSuperuserModelBackend(ModelBackend):
    """Checks passwords; grants no permission. Permissions come from the role rules only (``*/rules.py``): Django's
    per-user and per-group permissions (whose names coincide with ours, e.g. ``customers.add_note``) would let
    whoever edits users grant themselves caseworker actions."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not superuser_refused(user)

    def get_user(self, user_id):
        """The signed-in user of each request, with the officer, position, office and business area every page asks
        for read in the same query (issue 15: three queries fewer on every page)."""
        user = (
            UserModel._default_manager.select_related(
                "officer__position__office", "officer__position__business_area"
            ).filter(pk=user_id).first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token):
        """Knox's check in one query (issue 15): the token row read with its user and the user's officer, position,
        office and business area (the same read as a session's ``get_user``), where knox read the token with its
        user, then every token of that user (to delete the expired ones), then the officer on first use. An expired
        token is still refused and deleted as knox does; the holder's *other* expired tokens are deleted when they
        get a new one (``web.services.token_issue``), not on every call."""
        from django.utils import timezone
        from knox.crypto import hash_token
        from knox.models import get_token_model
        from knox.settings import CONSTANTS, knox_settings
        from knox.signals import token_expired

        msg = "Invalid token."
        token = token.decode("utf-8")
        now = timezone.now()
        rows = get_token_model().objects.filter(token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH]).select_related(
            "user__officer__position__office", "user__officer__position__business_area"
        )
        for auth_token in rows:
            if auth_token.expiry is not None and auth_token.expiry < now:
                username = auth_token.user.get_username()
                auth_token.delete()
                token_expired.send(sender=self.__class__, username=username, source="auth_token")
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed(msg) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(msg)

    def validate_user(self, auth_token):
        if superuser_refused(auth_token.user):
            raise exceptions.AuthenticationFailed("Superuser accounts cannot use the API.")
        return super().validate_user(auth_token)


LOCKED_OUT_MESSAGE = "Too many failed sign-ins: this account or address is locked for a while. Try again later."


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: JSON for the API sign-in, the "Sign-in locked" page for the web."""
    from django.http import JsonResponse
    from django.shortcuts import render

    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": LOCKED_OUT_MESSAGE, "code": "locked_out"}, status=status)
    return render(request, "registration/locked_out.html", {"cooloff_timedelta": settings.AXES_COOLOFF_TIME},
                  status=status)


try:  # the API schema names the token scheme (drf-spectacular)
    from drf_spectacular.extensions import OpenApiAuthenticationExtension

    class ExpiringTokenScheme(OpenApiAuthenticationExtension):
        target_class = ExpiringTokenAuthentication
        name = "tokenAuth"

        def get_security_definition(self, auto_schema):
            return {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": 'Expiring token from POST /api/v1/auth/token/, sent as "Token <token>".',
            }
except ImportError:  # pragma: no cover
    pass
