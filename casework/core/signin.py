"""Sign-ins, failed sign-ins and lockouts go into the audit trail (who, which username, from which address).

Connected in ``CoreConfig.ready``. Only sign-ins that arrive over the network are recorded: a request without
``REMOTE_ADDR`` (the test client's ``force_login``, a shell) is not a sign-in anybody made.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from .audit import audit_record

USERNAME_MAX = 150


def client_address(request: Any) -> str:
    request = getattr(request, "_request", request)  # DRF Request wraps the HttpRequest
    meta = getattr(request, "META", None) or {}
    return str(meta.get("REMOTE_ADDR", ""))


def _target(username: str):
    user = get_user_model()._default_manager.filter(username=username).first() if username else None
    return user if user is not None else ("user", username or "-")


def record_sign_in(*, user: Any, request: Any, via: str) -> None:
    ip = client_address(request)
    if not ip:
        return
    with transaction.atomic():
        audit_record(actor=user, action="auth.sign_in", target=user, after={"ip": ip, "via": via})


def record_sign_in_failed(*, username: str, request: Any, locked_out: bool) -> None:
    ip = client_address(request)
    if not ip:
        return
    username = (username or "")[:USERNAME_MAX]
    with transaction.atomic():
        audit_record(
            actor=None,
            action="auth.sign_in_locked_out" if locked_out else "auth.sign_in_failed",
            target=_target(username),
            after={"username": username, "ip": ip},
            reason="Too many failed sign-ins: refused until the cool-off ends" if locked_out else "",
        )


def on_user_logged_in(sender, request, user, **kwargs):
    if request is None:
        return
    via = "api" if request.path.startswith("/api/") else "web"
    record_sign_in(user=user, request=request, via=via)


def on_user_login_failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    record_sign_in_failed(username=str(credentials.get("username", "")), request=request, locked_out=False)


def on_user_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    if request is None:
        return
    record_sign_in_failed(username=str(username or ""), request=request, locked_out=True)


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in, user_login_failed

    user_logged_in.connect(on_user_logged_in, dispatch_uid="casework.core.signin.logged_in")
    from axes.signals import user_locked_out

    user_login_failed.connect(on_user_login_failed, dispatch_uid="casework.core.signin.login_failed")
    user_locked_out.connect(on_user_locked_out, dispatch_uid="casework.core.signin.locked_out")
