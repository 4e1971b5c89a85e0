"""Production settings: everything in settings.py, hardened. ``manage.py check --deploy`` reports nothing."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F401,F403
from .settings import env_bool, env_list

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("embedded-") or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters in production.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the hosts this service answers for.")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Cookies only over HTTPS. `make serve-prod` on a developer's machine (plain http on 127.0.0.1) turns this off with
# SECURE_COOKIES=false; a real deployment never does.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_AGE = 8 * 3600

# Static files: hashed names, compressed, served by whitenoise from the app server.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Documents (letter PDFs, issue 15): S3-compatible object storage through django-storages when a bucket is named,
# else the filesystem under MEDIA_ROOT (settings.py). Private objects only: the app streams them through its
# authenticated views, never a public or signed URL handed to a browser. Credentials: STORAGE_S3_ACCESS_KEY_ID /
# STORAGE_S3_SECRET_ACCESS_KEY, or (unset) boto3's own chain (instance role, AWS_* variables). docs/operations.md.
if os.environ.get("STORAGE_S3_BUCKET"):
    _s3 = {
        "bucket_name": os.environ["STORAGE_S3_BUCKET"],
        "location": os.environ.get("STORAGE_S3_PREFIX", "casework"),
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": True,  # a re-run of a crashed render writes the same name (letters.storage)
        "signature_version": "s3v4",
    }
    for _option, _var in (("endpoint_url", "STORAGE_S3_ENDPOINT_URL"), ("region_name", "STORAGE_S3_REGION"),
                          ("access_key", "STORAGE_S3_ACCESS_KEY_ID"), ("secret_key", "STORAGE_S3_SECRET_ACCESS_KEY")):
        if os.environ.get(_var):
            _s3[_option] = os.environ[_var]
    if os.environ.get("STORAGE_S3_SSE"):  # e.g. "AES256" or "aws:kms", where the store supports it
        _s3["object_parameters"] = {"ServerSideEncryption": os.environ["STORAGE_S3_SSE"]}
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3}
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_FORMAT == "json" else "text"  # noqa: F405
