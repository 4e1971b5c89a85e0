"""Settings for casework, read from the environment.

Embedded default (``make run``): SQLite under ``var/``, django-q2 on the ORM broker, no other service.
Production: ``DJANGO_SETTINGS_MODULE=config.settings_production`` (see docs/operations.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CASEWORK_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The embedded default key is only accepted while DEBUG is on; production settings refuse it.
SECRET_KEY = os.environ.get("SECRET_KEY") or "embedded-development-key-not-for-production-use-0000000000"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_q",
    "casework.core",
    "casework.org",
    "casework.customers",
    "casework.notifications",
    "casework.intrays",
    "casework.approvals",
    "casework.ownership",
    "casework.contacts",
    "casework.ps",
    "casework.letters",
    "casework.imports",
    "casework.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "casework.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "casework.core.middleware.OfficerTimezoneMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casework.core.context_processors.officer",
                "casework.notifications.context_processors.unread",
                "casework.web.nav.nav_items",
            ],
            # ``{{ moment|when }}`` everywhere without {% load %} (casework/core/timefmt.py, issue 14);
            # ``{{ someone|officer_name }}``: names instead of usernames (casework/core/people.py).
            "builtins": ["casework.core.templatetags.casework_time", "casework.core.templatetags.people"],
        },
    },
]

DEFAULT_SQLITE_URL = f"sqlite:///{VAR_DIR / 'casework.sqlite3'}"
# A connection pool (psycopg_pool, Django >= 5.1) replaces persistent connections when DB_POOL is on.
DB_POOL = env_bool("DB_POOL", False)
# Issue 15: call routing and the lock path's reads run as prepared statements on PostgreSQL
# (casework.ownership.selectors.prepared_statements); off for PgBouncer in transaction mode before 1.21.
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
# Issue 15: the audit hash chain is sealed by the scheduled job every minute (core.jobs.audit_chain_seal_job) and at
# the end of each job, not after every audited commit (~6 statements and a transaction per request): an event is
# chained within ~90 s. True restores the seal after each commit (docs/security.md, "The audit hash chain").
AUDIT_SEAL_AFTER_COMMIT = env_bool("AUDIT_SEAL_AFTER_COMMIT", False)


def database_from_url(url: str) -> dict:
    """One database alias from a URL, with the options this project relies on for its engine."""
    config = dj_database_url.parse(url, conn_max_age=0 if DB_POOL else int(os.environ.get("DB_CONN_MAX_AGE", "0")))
    # A connection the server dropped (restart, failover, idle kill) is detected before the request uses it.
    config["CONN_HEALTH_CHECKS"] = True
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers and the writer work together; IMMEDIATE makes every transaction take the write lock at
        # BEGIN so concurrent officers wait (up to `timeout` seconds) instead of failing with "database is locked"
        # when a read transaction tries to upgrade to a write.
        config.setdefault("OPTIONS", {}).update(
            {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            }
        )
    elif DB_POOL and config["ENGINE"] == "django.db.backends.postgresql":
        config.setdefault("OPTIONS", {})["pool"] = {
            "min_size": int(os.environ.get("DB_POOL_MIN", "2")),
            "max_size": int(os.environ.get("DB_POOL_MAX", "10")),
            "timeout": 10,
        }
        # Issue 15: the pool asks the server whether a connection is alive only when it has been idle for
        # DB_POOL_CHECK_IDLE_SECONDS (config/dbpool.py), not with a round trip on every request: Django's backend
        # with that check installed on its pool.
        config["ENGINE"] = "config.postgresql_pool"
    return config


DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL") or DEFAULT_SQLITE_URL)}
if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded database lives here; a fresh clone has no var/
if os.environ.get("DATABASE_REPLICA_URL"):
    # A PostgreSQL streaming replica: reports and dashboards read from it (casework.core.db_router).
    DATABASES["replica"] = database_from_url(os.environ["DATABASE_REPLICA_URL"])
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["casework.core.db_router.ReplicaRouter"]
if os.environ.get("TEST_DB_NAME"):
    # Lets several test runs share one PostgreSQL server without clobbering each other's test database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DB_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-au"
# Stored times are UTC (USE_TZ). Display defaults to Canberra time; a signed-in officer sees their office's zone.
TIME_ZONE = "Australia/Sydney"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# whitenoise serves collected static files from the app server (gunicorn) with far-future caching in production.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

SESSION_COOKIE_HTTPONLY = True
# Issue 15: CACHE_URL (redis://host:6379/N) gives every process one shared cache (Django's Redis backend). Sessions are
# then read from it and written to it and to the database ("cached_db"): a signed-in request reads its session
# without a database round trip, and signing out deletes it from both, so a session is gone at once on every app
# server. Without a shared cache sessions stay in the database: a per-process cache (locmem) would let a signed-out
# session live on in the other workers, and signed-cookie sessions cannot be revoked at all (a copied cookie would
# work until it expires). docs/security.md, "Sessions".
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "casework"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag; kept default
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "casework.core.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Casework API",
    "DESCRIPTION": "Child support case management: customers, cases, ownership, intrays, contacts, Personalised Services. "
    "Every decision names the procedure step (e.g. CMA-1.5) that it implements.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets whose field names ("kind", "status") recur across apps get stable component names.
    "ENUM_NAME_OVERRIDES": {
        "NoteKindEnum": "casework.customers.models.NoteKind",
        "IntrayStatusEnum": "casework.intrays.models.IntrayStatus",
        "DebtKindEnum": "casework.customers.models.DebtKind",
        "ArrangementStatusEnum": "casework.customers.models.ArrangementStatus",
        "DpoStatusEnum": "casework.customers.models.DpoStatus",
        "RestrictionStatusEnum": "casework.customers.models.RestrictionStatus",
        "ApprovalKindEnum": "casework.approvals.models.KIND_CHOICES",
        "ApprovalStatusEnum": "casework.approvals.models.ApprovalStatus",
        "NotificationKindEnum": "casework.notifications.models.NotificationKind",
        "ContactChannelEnum": "casework.contacts.models.Channel",
    },
}

Q_CLUSTER = {
    "name": "casework",
    "workers": int(os.environ.get("Q_WORKERS", "1")),
    "timeout": 120,
    "retry": 300,
    "catch_up": False,
    "max_attempts": 3,
    "poll": 2,
    "sync": env_bool("Q_SYNC", False),
}
if os.environ.get("Q_REDIS_URL"):
    # More than one worker machine: Redis is the broker (the schedule itself stays in the database, and
    # django-q2 lets one cluster at a time claim a due schedule row).
    Q_CLUSTER["redis"] = os.environ["Q_REDIS_URL"]
else:
    Q_CLUSTER["orm"] = "default"  # embedded default: no service besides the database

LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # "json" in production: one JSON object a line
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "casework.core.logging.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "casework.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Procedure settings that are policy parameters, not code.
CASEWORK = {
    # CMA-3.4: hours after the last decision letter before a customer is unlocked automatically.
    "AUTO_UNLOCK_AFTER_HOURS": int(os.environ.get("AUTO_UNLOCK_AFTER_HOURS", str(14 * 24))),
    # Intrays created at or after this local time count from the next working day.
    "INTRAY_CUTOFF_HOUR": int(os.environ.get("INTRAY_CUTOFF_HOUR", "17")),
    # CMA-1.1: an item keyed as received more than this many days ago is refused (400 on received_at).
    "RECEIVED_MAX_AGE_DAYS": int(os.environ.get("RECEIVED_MAX_AGE_DAYS", "90")),
    # The front-line area that takes calls for customers nobody owns.
    "DEFAULT_FRONT_LINE_AREA": os.environ.get("DEFAULT_FRONT_LINE_AREA", "SERVICES"),
    # Issue 14: the agency's phone number, printed in every letter.
    "AGENCY_PHONE": os.environ.get("AGENCY_PHONE", "131 272"),
}

# ---------------------------------------------------------------------------------------------------------------
# i13-platform: security — API tokens (knox), sign-in throttling (axes), Content-Security-Policy (django-csp),
# no superuser in operation, database roles. See docs/security.md.
# ---------------------------------------------------------------------------------------------------------------
from datetime import timedelta as _timedelta  # noqa: E402

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "rest_framework.authtoken"] + ["knox", "axes"]
MIDDLEWARE = (
    MIDDLEWARE[:1]
    + ["csp.middleware.CSPMiddleware"]
    + MIDDLEWARE[1:]
    # Axes turns a locked-out sign-in into a refusal; it must come last.
    + ["axes.middleware.AxesMiddleware"]
)
AUTHENTICATION_BACKENDS = [
    # Counts failures per username and per address; refuses further attempts once locked out.
    "casework.core.auth.ThrottledSignInBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Like ModelBackend, but a Django superuser can neither sign in nor keep a session: nobody works as one.
    "casework.core.auth.NoSuperuserModelBackend",
]
# The token scheme first: an unauthenticated API call gets 401 with "WWW-Authenticate: Token" (DRF answers 401 only
# when the first class names a challenge; the session class names none, which made it 403). A signed-in browser is
# still recognised by the session class (a request with no token header passes the token class by).
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "casework.core.auth.ExpiringTokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]
# API tokens: stored hashed (SHA-512 digest), expire after API_TOKEN_TTL_HOURS, at most 5 live tokens per person.
REST_KNOX = {
    "TOKEN_TTL": _timedelta(hours=int(os.environ.get("API_TOKEN_TTL_HOURS", "10"))),
    "TOKEN_LIMIT_PER_USER": 5,
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
# Sign-in throttling: after AXES_FAILURE_LIMIT failures for one username (from any address) or from one address,
# further attempts are refused for AXES_COOLOFF_MINUTES, even with the right password.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = _timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "casework.core.auth.lockout_response"  # JSON under /api/, a page elsewhere
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0")) or None
AXES_VERBOSE = False
# Content-Security-Policy: scripts only from this origin (htmx is served from static files; no inline script).
# Inline style attributes remain in a few templates, so styles allow 'unsafe-inline' (no script can run from them).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Superusers: none in operation. Only a break-glass setting lets one sign in (never set in production).
CASEWORK_ALLOW_SUPERUSER_SIGNIN = env_bool("CASEWORK_ALLOW_SUPERUSER_SIGNIN", False)
# Database roles (docs/security.md): DATABASE_URL is the application role (no superuser, owns nothing, may only
# INSERT/SELECT the audit trail); DATABASE_OWNER_URL is the owner role, used by ``manage.py migrate`` only.
DATABASE_OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "")
# ---- end i13-platform ----
