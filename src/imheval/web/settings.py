"""Django settings for imheval's web app, read from the environment.

Nothing needs setting up: with no DATABASE_URL the database is SQLite (WAL) in the per-user data
directory. The variables (all optional) are listed in docs/deployment.md:

* ``DATABASE_URL``: ``postgres://user:password@host:5432/name`` for PostgreSQL (psycopg 3);
* ``IMHEVAL_DATA_DIR``: where the SQLite file and the generated secret key live;
* ``IMHEVAL_SECRET_KEY``: a fixed secret key (else one is generated and kept in the data dir);
* ``IMHEVAL_MODE``: ``production`` (the default: HTTPS only, secure cookies, HSTS) or ``local``
  (plain HTTP on this machine, for ``imheval demo`` and tests);
* ``IMHEVAL_ALLOWED_HOSTS``: comma-separated host names (default: this machine's names);
* ``IMHEVAL_CSRF_TRUSTED_ORIGINS``: comma-separated origins, e.g. ``https://imh.example.nhs.uk``;
* ``IMHEVAL_BEHIND_PROXY``: ``1`` when a TLS-terminating proxy sets ``X-Forwarded-Proto``;
* ``IMHEVAL_ADMIN``: ``1`` to mount the Django admin site at /admin/ (off by default);
* ``IMHEVAL_DEBUG``: ``1`` for Django's debug pages while developing (never in production);
* ``IMHEVAL_RESULTS_REFRESH``: ``background`` (the default: an evaluation page whose data changed
  shows its last results at once and works out the new ones behind) or ``inline`` (the visit
  waits while they are worked out).
"""

from __future__ import annotations

import os
from pathlib import Path

from imheval.web.database import parse_database_url, sqlite_database
from imheval.web.paths import data_dir, secret_key


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()
MODE = os.environ.get("IMHEVAL_MODE", "production").strip().lower()
if MODE not in {"production", "local"}:
    raise ValueError(f"IMHEVAL_MODE must be 'production' or 'local', not {MODE!r}")
PRODUCTION = MODE == "production"

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = _flag("IMHEVAL_DEBUG")
ALLOWED_HOSTS = _list("IMHEVAL_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = _list("IMHEVAL_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "imheval.web.organisations",
    "imheval.web.workspace",
    "imheval.web.capture",
    "imheval.web.results",
    "imheval.web.paper",
    "imheval.web.network",
    "imheval.web.qualitative",
    "imheval.web.workforce",
    "imheval.web.tasks",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "imheval.web.organisations.middleware.SecurityHeadersMiddleware",
    "imheval.web.organisations.middleware.AuditActorMiddleware",
]

ROOT_URLCONF = "imheval.web.urls"
WSGI_APPLICATION = "imheval.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "imheval.web.organisations.context.navigation",
            ],
        },
    },
]

_database_url = os.environ.get("DATABASE_URL", "").strip()
DATABASES = {
    "default": (
        parse_database_url(_database_url)
        if _database_url
        else sqlite_database(DATA_DIR / "imheval.sqlite3")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id first (strong, memory-hard); the others only read hashes made before a change.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "imheval.web.organisations.passwords.LowVarietyPasswordValidator"},
]
#: One backend for every sign-in path (ours, the admin's): it refuses locked user names.
AUTHENTICATION_BACKENDS = ["imheval.web.organisations.backends.LockoutBackend"]
LOGIN_URL = "organisations:login"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "organisations:login"

#: Sign-in lockout: this many failed attempts for one user name within the window locks it.
IMHEVAL_LOGIN_MAX_FAILURES = 5
IMHEVAL_LOGIN_WINDOW_SECONDS = 15 * 60
#: The Django admin site (/admin/) is mounted only when IMHEVAL_ADMIN=1: organisation admins
#: manage members, invitations and password resets in the workspace, so most sites never need it.
IMHEVAL_ADMIN = _flag("IMHEVAL_ADMIN")

#: How an evaluation page whose data changed is brought up to date (see results.snapshots).
IMHEVAL_RESULTS_REFRESH = os.environ.get("IMHEVAL_RESULTS_REFRESH", "background").strip().lower()
if IMHEVAL_RESULTS_REFRESH not in {"background", "inline"}:
    raise ValueError(
        f"IMHEVAL_RESULTS_REFRESH must be 'background' or 'inline', not {IMHEVAL_RESULTS_REFRESH!r}"
    )

#: Background work (results refreshes, report files, large imports, housekeeping) runs as tasks
#: kept in the database, run by ``imheval worker`` processes (see imheval.web.tasks): workers on
#: any machine that reaches the same database share the queue.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

#: Participant pages (capture/throttle.py): questionnaires started per link per minute (a room of
#: 30 scanning one QR code together fits twice over), and per browser session per window; 0 is
#: off. The link limit can be raised for a very large room with the environment variable.
_per_link = os.environ.get("IMHEVAL_CAPTURE_STARTS_PER_LINK_PER_MINUTE", "60").strip()
if not _per_link.isdecimal():
    raise ValueError(
        f"IMHEVAL_CAPTURE_STARTS_PER_LINK_PER_MINUTE must be a whole number, not {_per_link!r}"
    )
IMHEVAL_CAPTURE_STARTS_PER_LINK_PER_MINUTE = int(_per_link)
IMHEVAL_CAPTURE_STARTS_PER_SESSION = 5
IMHEVAL_CAPTURE_SESSION_WINDOW_SECONDS = 10 * 60
#: Unfinished questionnaires started longer ago than this are deleted by `imheval purge`
#: (capture/housekeeping.py); their session ended long before (SESSION_COOKIE_AGE).
IMHEVAL_CAPTURE_DRAFT_DAYS = 7
#: A draft with a code left unsaved this many minutes is held by whatever step opens it next:
#: only its code, typed again, shows it (capture/journey.py, a shared phone); 0 is off.
_idle_minutes = os.environ.get("IMHEVAL_CAPTURE_IDLE_MINUTES", "20").strip()
if not _idle_minutes.isdecimal():
    raise ValueError(f"IMHEVAL_CAPTURE_IDLE_MINUTES must be a whole number, not {_idle_minutes!r}")
IMHEVAL_CAPTURE_IDLE_MINUTES = int(_idle_minutes)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns when STATIC_ROOT is missing
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# WhiteNoise serves straight from the package's static folders: no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_MAX_AGE = 3600

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 60 * 60
# The instrument editor posts about 15 fields per question and allows 300 questions
# (instrument_draft.MAX_ENTRIES); Django's default of 1,000 fields turned a long questionnaire's
# Save into a 400. The request body stays bounded by DATA_UPLOAD_MAX_MEMORY_SIZE.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "imheval.web.organisations.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = False
    if _flag("IMHEVAL_BEHIND_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # /healthz answers over plain HTTP too, so a load balancer can probe the server directly.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a one-way decision for the whole domain; each organisation makes it.
    "security.W021",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
