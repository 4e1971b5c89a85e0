"""The production settings' environment the bench gives gunicorn and ``request_cost`` (no Django import: the
processes that use it call ``django.setup()`` after setting it)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _env(database_url: str, port: int, root: Path = ROOT) -> dict:
    secret = ROOT / "var" / "secret_key"
    if not secret.exists() or not secret.read_text().strip():
        import secrets

        secret.parent.mkdir(parents=True, exist_ok=True)
        secret.write_text(secrets.token_urlsafe(64))
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings_production", "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "DB_POOL": os.environ.get("DB_POOL", "true"),
        "SECURE_SSL_REDIRECT": "false", "SECURE_COOKIES": "false", "SECRET_KEY": secret.read_text().strip(),
        "PORT": str(port), "HOST": "127.0.0.1", "GUNICORN_ACCESS_LOG": "", "PYTHONPATH": str(root),
        # The bench signs its officers in once each; keep sign-in throttling out of the measured path's way.
        "AXES_FAILURE_LIMIT": os.environ.get("AXES_FAILURE_LIMIT", "50"),
    })
    env.pop("BIND", None)
    return env
