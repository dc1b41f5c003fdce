"""Tether's one settings module, read from the environment (healthchecks style).

SQLite in the data directory by default; DATABASE_URL=postgres://… switches to
PostgreSQL. Nothing here reads settings of other modules at import time.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from tether import config


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default)
    if value not in ("True", "False", "1", "0"):
        raise ValueError(f"{name} must be True or False, not {value!r}")
    return value in ("True", "1")


def envint(name: str, default: str, minimum: int = 0) -> int:
    value = os.environ.get(name, default)
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {number}")
    return number


def _secret_key(data_dir: Path) -> str:
    """TETHER_SECRET_KEY, else a key generated once and kept in the data dir."""
    if os.environ.get("TETHER_SECRET_KEY"):
        return os.environ["TETHER_SECRET_KEY"]
    path = data_dir / "secret-key"
    if not path.exists():
        config.private_file(path).write_text(
            secrets.token_urlsafe(50), encoding="utf-8"
        )
    return path.read_text(encoding="utf-8").strip()


BASE_DIR = Path(__file__).resolve().parent
# Created 700, its database and secret key 600 (docs/operations.md §Files).
DATA_DIR = config.private_dir(config.data_dir())
DEMO = envbool("TETHER_DEMO", "False")
DEBUG = envbool("TETHER_DEBUG", "False")
SECRET_KEY = _secret_key(DATA_DIR)
ALLOWED_HOSTS = os.environ.get("TETHER_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "simple_history",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "tether.core",
    "tether.audit",
    "tether.accounts",
    "tether.care",
    "tether.portal",
    "tether.reports",
    "tether.api",
    # Its docs page then uses the bundled Swagger UI, not a CDN (ecosystem §A.6).
    "ninja",
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "caseload"
LOGOUT_REDIRECT_URL = "login"

MIDDLEWARE = [
    # First, so every response has the header, redirects and static files too.
    "tether.core.headers.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every page Django renders is no-store: on a shared device Back must ask
    # the server again. Static files, served by WhiteNoise above, stay cached.
    "tether.core.caching.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The address and browser of each request, for the audit events it records.
    "tether.audit.origin.RequestOrigin",
    "django_otp.middleware.OTPMiddleware",
    # On a clinic tablet in kiosk mode, only the questionnaires are reachable.
    "tether.portal.kiosk_lock.KioskLockMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A session ends TETHER_SESSION_MAX_HOURS after sign-in (after the
    # messages, to say so on the sign-in page).
    "tether.accounts.session_lifetime.AbsoluteSessionLifetime",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A GET on an address that only takes a form gets a page, not a blank
    # 405; inside the CSP middleware, which then sets the page's nonce.
    "tether.core.errors.FriendlyNotAllowed",
    # Last, as django-axes asks: it turns lockouts into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tether.urls"
CSRF_FAILURE_VIEW = "tether.core.errors.csrf_failure"
WSGI_APPLICATION = "tether.wsgi.application"

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
                "tether.core.context.site",
                "tether.core.context.csp_nonce",
            ],
        },
    }
]


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL")
    if url:
        database = dj_database_url.parse(url, conn_max_age=0)
        if database["ENGINE"] == "django.db.backends.postgresql":
            database["OPTIONS"] = {"pool": True}
        return dict(database)
    name = "demo.sqlite3" if DEMO else "tether.sqlite3"
    return {
        "ENGINE": "django.db.backends.sqlite3",
        # Created 600 before SQLite opens it, so its -wal and -shm files are
        # 600 too, whatever the umask of the process.
        "NAME": config.private_file(DATA_DIR / name),
        # WAL and a 30 s busy timeout avoid "database is locked" with several
        # workers; IMMEDIATE takes the write lock at BEGIN (docs/architecture.md
        # §Dependencies).
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000;",
            "transaction_mode": "IMMEDIATE",
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
TIME_ZONE = "UTC"
USE_I18N = True
# gettext catalogues (docs/translating.md): `tether makemessages -l es`, translate, then
# `tether compilemessages`; the compiled .mo files are committed. Clinician pages
# are English (no LocaleMiddleware); member pages use the link's language.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True
# One way to write a date on every page: tether/formats/en/formats.py (the
# templates use `|date` and `|date:"DATETIME_FORMAT"`, never a format of their own).
FORMAT_MODULE_PATH = ["tether.formats"]

STATIC_URL = "/static/"
# `collectstatic` writes a gzip and a brotli copy of each file beside it, which
# whitenoise serves to browsers that accept them.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve straight from the apps' static folders, so the demo and tests need no
# collectstatic step; a production install runs collectstatic and may turn it off.
WHITENOISE_USE_FINDERS = envbool("TETHER_STATIC_FINDERS", "True")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Idle sign-out after 30 minutes: the session expires 30 minutes after the last
# request, and each request renews it.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# And however busy, a sign-in lasts at most this long (accounts/session_lifetime.py).
TETHER_SESSION_MAX_HOURS = envint("TETHER_SESSION_MAX_HOURS", "12", minimum=1)

# The JSON API (docs/api.md): requests per personal token, counted in a cache
# every server process shares (a folder in the data directory).
TETHER_API_RATE = os.environ.get("TETHER_API_RATE", "600/min")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api-throttle": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "api-throttle"),
    },
}
# A questionnaire's answers are a few kilobytes: a body over this is refused (413).
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

# HTTPS (docs/operations.md §HTTPS): TETHER_HTTPS=1 where people reach Tether
# at an https:// address, directly or through the trusted proxy.
TETHER_HTTPS = envbool("TETHER_HTTPS", "False")
SECURE_SSL_REDIRECT = TETHER_HTTPS
SESSION_COOKIE_SECURE = TETHER_HTTPS
CSRF_COOKIE_SECURE = TETHER_HTTPS
SECURE_HSTS_SECONDS = (
    envint("TETHER_HSTS_SECONDS", str(365 * 24 * 3600), minimum=1)
    if TETHER_HTTPS
    else 0
)
# Whether every subdomain is HTTPS too, and whether to ask browsers to ship the
# name in their preload list, is the site's decision, not Tether's: off unless
# set, and Django's reminders of them (W005, W021) silenced.
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("TETHER_HSTS_INCLUDE_SUBDOMAINS", "False")
SECURE_HSTS_PRELOAD = envbool("TETHER_HSTS_PRELOAD", "False")
SILENCED_SYSTEM_CHECKS = [
    "security.W005",
    "security.W021",
    # django-axes asks for the address among the lockout parameters; Tether
    # counts by account on purpose (docs/security.md §Sign-in lockout).
    "axes.W006",
]

# The reverse proxy in front of Tether (docs/operations.md §Behind a reverse proxy):
# the header it puts the client's address in (e.g. X-Forwarded-For, or
# X-Real-IP), and how many proxies add to it. Unset, the address is the
# connection's own (REMOTE_ADDR) and forwarded headers are ignored.
TETHER_TRUSTED_PROXY_HEADER = os.environ.get("TETHER_TRUSTED_PROXY_HEADER", "")
TETHER_TRUSTED_PROXY_COUNT = envint("TETHER_TRUSTED_PROXY_COUNT", "1", minimum=1)
if TETHER_TRUSTED_PROXY_HEADER:
    # The proxy says whether the browser's request was https (it must set the
    # header itself, replacing any the browser sent).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Repeated failed passwords and codes make the account wait before each further
# try, 1 minute at first, doubling to 15 (accounts/lockout.py; docs/security.md
# §Sign-in lockout). By username alone, from any address, so an attacker cannot
# dodge it by changing address nor lock anyone out for long.
AXES_FAILURE_LIMIT = envint("TETHER_LOGIN_FAILURE_LIMIT", "5", minimum=1)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_HANDLER = "tether.accounts.lockout.GrowingWaitHandler"
AXES_COOLOFF_TIME = timedelta(hours=24)  # how long failures are remembered
# A try refused during a wait is not counted: it would extend the wait.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A password alone clears nothing; a verified second factor does (views.py).
AXES_RESET_ON_SUCCESS = False
# The client's address behind the trusted proxy, not the proxy's own.
AXES_CLIENT_IP_CALLABLE = "tether.core.addresses.client_ip"
AXES_VERBOSE = False
# A plain page saying how long to wait and what else to do.
AXES_LOCKOUT_CALLABLE = "tether.accounts.lockout.lockout_response"
# A mistyped one-time or backup code, and the name typed at sign-in (a
# person's name or email address), are kept out of the failure log.
AXES_SENSITIVE_PARAMETERS = ["code", "username"]

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TETHER_TASK_BACKEND", "django_tasks_db.DatabaseBackend"
        )
    }
}
"""Background work (the queued signal recompute, settling expired links, risk
emails) runs in `tether worker`, jobs kept in the database: no broker. The
test suite runs each task at once (tests/conftest.py)."""

TETHER_BASE_URL = os.environ.get("TETHER_BASE_URL", "")
"""Where links in invitations and notifications point, e.g.
https://tether.example.org. Unset, links take the address of the request that
shows them (the demo, development); a production server (neither debug nor
demo) refuses to start without it (core/checks.py)."""
TETHER_FHIR_IDENTIFIER_SYSTEM = os.environ.get(
    "TETHER_FHIR_IDENTIFIER_SYSTEM", "urn:tether:local"
)
"""The identifier system of the people and sessions in a FHIR export: a
member is `member-<id>` in it, never a name (docs/interop.md §Identifiers).
Set it to a URI the receiving EHR knows as this deployment's."""
if not TETHER_FHIR_IDENTIFIER_SYSTEM or any(
    c.isspace() for c in TETHER_FHIR_IDENTIFIER_SYSTEM
):
    raise ValueError(
        "TETHER_FHIR_IDENTIFIER_SYSTEM must be a URI without spaces, e.g. "
        f"https://clinic.example.org/tether, not {TETHER_FHIR_IDENTIFIER_SYSTEM!r}"
    )
TETHER_TRUSTED_PROXY_HEADER = os.environ.get("TETHER_TRUSTED_PROXY_HEADER", "")
"""Behind a reverse proxy: the header in which it passes on the client's
address, e.g. X-Forwarded-For (core/addresses.py reads its last entry, the one
the proxy added). Unset, the address of the connection counts."""


def _audit_retention_years() -> int:
    value = os.environ.get("TETHER_AUDIT_RETENTION_YEARS", "6")
    if not value.isdigit() or int(value) < 1:
        raise ValueError(
            f"TETHER_AUDIT_RETENTION_YEARS must be a whole number of years, at least 1, not {value!r}"
        )
    return int(value)


TETHER_AUDIT_RETENTION_YEARS = _audit_retention_years()
"""How long audit events are kept before `tether audit prune` deletes them:
six years by default, as HIPAA asks of its required documentation (45 CFR
164.316(b)(2)(i); docs/security.md §Audit trail)."""
TETHER_SMS_BACKEND = os.environ.get(
    "TETHER_SMS_BACKEND", "tether.portal.sms.ConsoleSMSBackend"
)

OTP_TOTP_ISSUER = "Tether"
OTP_VERIFY_URL = "/accounts/verify/"

CONSOLE_EMAIL_BACKEND = "tether.core.mail.ConsoleEmailBackend"
EMAIL_BACKEND = os.environ.get("TETHER_EMAIL_BACKEND", CONSOLE_EMAIL_BACKEND)
if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
    # Django's own prints every message whole, reset links and addresses too,
    # in production as well; Tether's does so only in debug and demo mode.
    EMAIL_BACKEND = CONSOLE_EMAIL_BACKEND
EMAIL_HOST = os.environ.get("TETHER_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("TETHER_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("TETHER_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("TETHER_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("TETHER_EMAIL_TLS", "False")
DEFAULT_FROM_EMAIL = os.environ.get("TETHER_EMAIL_FROM", "tether@localhost")
CSRF_COOKIE_HTTPONLY = True

# Link tokens, email addresses and phone numbers are never written to logs:
# every handler redacts them (core/redaction.py; docs/security.md).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "tether.core.redaction.RedactSecrets"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
        },
    },
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
    }
}
