"""Sinergi settings: one module, read from environment variables.

Development defaults are safe: SQLite in the project folder, Celery tasks run
in-process, emails printed to the console. Production sets DEBUG=0, SECRET_KEY,
ALLOWED_HOSTS, DATABASE_URL and CELERY_BROKER_URL.
"""

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def envbool(name, default):
    return env(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name, default):
    return int(env(name, default))


def envlist(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# `make run` (SINERGI_DEMO=1): the demo on this computer, served as in
# production (DEBUG off: friendly error pages, static files by WhiteNoise) but
# over plain HTTP, with a secret key of its own, console email and in-process tasks.
DEMO = envbool("SINERGI_DEMO", "0")
DEBUG = envbool("DEBUG", "0" if DEMO else "1")
TESTING = envbool("SINERGI_TESTING", "0")


def _demo_secret_key(path):
    """The local demo's secret key: made on first run, kept in a private file out of git."""
    path = Path(path)
    if not path.exists():
        import secrets

        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if DEMO:
        SECRET_KEY = _demo_secret_key(env("SECRET_KEY_FILE", str(BASE_DIR / ".secret_key")))
    elif not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    else:
        SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

# Confidential case notes are encrypted in the database with these Fernet keys
# (common.crypto): comma-separated, newest first; the first encrypts, all
# decrypt. Rotate with `manage.py rotate_encryption_keys` (README). Required
# when DEBUG is off.
FIELD_ENCRYPTION_KEYS = envlist("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG and not DEMO:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DEBUG is off.")
    # INSECURE, development and tests only: derived from a public string.
    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(b"sinergi-insecure-development-field-encryption-key").digest()).decode()
    ]

# The demo's address is the one `make run` serves (HOST and PORT).
_demo_host = env("HOST", "127.0.0.1")
_demo_host = "127.0.0.1" if _demo_host in ("0.0.0.0", "::", "") else _demo_host  # noqa: S104 — a name for links
_demo_host = f"[{_demo_host}]" if ":" in _demo_host else _demo_host
SITE_URL = env("SITE_URL", f"http://{_demo_host}:{env('PORT', '8000')}" if DEMO else "http://127.0.0.1:8000")
SITE_URL = SITE_URL.rstrip("/")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or DEMO else "")
if DEMO and "ALLOWED_HOSTS" not in os.environ:
    # Also the name the demo is served under (make run HOST=sinergi.local), and any
    # address when it listens on all of them (HOST=0.0.0.0).
    ALLOWED_HOSTS += ["*"] if env("HOST") in ("0.0.0.0", "::") else [_demo_host]  # noqa: S104
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "roster",
    "referrals",
    "casework",
    "schooldata",
    "forums",
    "interventions",
    "reports",
    "notifications",
    "audit",
    "privacy",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "audit.middleware.AccessDeniedAuditMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "accounts.middleware.PolicyMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.actor",
                "notifications.context_processors.unread_count",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# SQLite by default, tuned for several users at once: WAL lets readers and a
# writer work together, IMMEDIATE takes the write lock at BEGIN (no deadlocking
# upgrade from a read lock), and the busy timeout waits instead of failing.
SQLITE_PATH = BASE_DIR / env("SQLITE_NAME", "db.sqlite3")
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"), conn_max_age=envint("DB_CONN_MAX_AGE", "0")
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Planner settings for each connection (docs/scaling.md). Sinergi's statements
    # are short: the JIT compiler, which starts on estimated cost, costs more than
    # it saves (41 ms with JIT, 24 ms without, for one report query); DB_JIT=1
    # turns it back on. Random reads cost little more than sequential ones on
    # SSDs: 1.1 (PostgreSQL's default of 4 is for spinning disks) lets the
    # planner use the school-first indexes instead of scanning a whole table.
    planner = [f"-c random_page_cost={env('DB_RANDOM_PAGE_COST', '1.1')}"]
    if not envbool("DB_JIT", "0"):
        planner.append("-c jit=off")
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(planner)
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses sign-ins of a locked-out username+IP before
# the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2 for new and changed passwords; older PBKDF2 hashes (e.g. a demo
# database seeded before) still verify and are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = env("LANGUAGE_CODE", "id")
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
# Our date and time formats (config/formats/<lang>/formats.py) before Django's.
# Templates use the named formats (DATE_FORMAT, DATETIME_FORMAT), never a
# pattern of their own. No thousand separator: ids printed in pages would get one.
FORMAT_MODULE_PATH = ["config.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING or DEMO
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# The demo serves static files through WhiteNoise straight from the app's folders
# (no collectstatic), as DEBUG is off.
WHITENOISE_USE_FINDERS = DEMO
# Uploads are private: never under STATIC or a web-served folder; they are
# served only through permission-checked views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "private_media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Several app processes (or machines) need uploads and exports on storage they
# all reach: a shared MEDIA_ROOT (NFS), or S3-compatible object storage through
# django-storages when S3_BUCKET is set (AWS S3, MinIO, Ceph, a cloud's own).
# Objects stay private (no public ACL); they are still served only through the
# permission-checked views, which read them from the bucket.
if env("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL") or None,
            "region_name": env("S3_REGION") or None,
            "access_key": env("S3_ACCESS_KEY_ID") or None,
            "secret_key": env("S3_SECRET_ACCESS_KEY") or None,
            "location": env("S3_PREFIX", "sinergi"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env("CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("CACHE_URL"),
            # A Redis that is down or hangs costs a second, not a stuck request.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

# Email: console in development, SMTP from the environment in production.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Sinergi <noreply@sinergi.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email_backend = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG or DEMO
    else "django.core.mail.backends.smtp.EmailBackend",
)
_email_options = {}
if _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": env("EMAIL_HOST", "localhost"),
        "port": envint("EMAIL_PORT", "587"),
        "username": env("EMAIL_HOST_USER"),
        "password": env("EMAIL_HOST_PASSWORD"),
        "use_tls": envbool("EMAIL_USE_TLS", "1"),
        "timeout": 10,
    }
elif _email_backend.endswith("filebased.EmailBackend"):
    _email_options = {"file_path": env("EMAIL_FILE_PATH", str(BASE_DIR / "sent_emails"))}
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}

# Celery: with no broker configured, tasks run eagerly in-process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_ACKS_LATE = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 1}
# The school's morning: reminders on the hour, daily digests at half past. The
# sweep sends the digests a missed run left (from DIGESTS_MINUTE on).
REMINDERS_HOUR = envint("REMINDERS_HOUR", "6")
DIGESTS_MINUTE = 30
CELERY_BEAT_SCHEDULE = {
    # Sends deliveries whose task was lost (broker down at commit, worker crash),
    # and the day's digests still due after their time.
    "notifications-sweep": {"task": "notifications.tasks.sweep_pending", "schedule": 60.0},
    # Follow-ups due or overdue, referrals waiting for triage (school's morning).
    "notifications-reminders": {
        "task": "notifications.tasks.send_reminders",
        "schedule": crontab(hour=REMINDERS_HOUR, minute=0),
    },
    "notifications-digests": {
        "task": "notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=REMINDERS_HOUR, minute=DIGESTS_MINUTE),
    },
    # Report exports: queue again those whose task was lost; remove week-old files.
    "reports-exports-sweep": {"task": "reports.tasks.sweep_exports", "schedule": 300.0},
    "reports-exports-purge": {"task": "reports.tasks.purge_old_exports", "schedule": crontab(hour=2, minute=45)},
    # Anonymises the records of students who left school, after the period below.
    "privacy-retention": {"task": "privacy.tasks.apply_retention", "schedule": crontab(hour=2, minute=15)},
    # Spent one-time tokens of create forms (accounts.once), after a week.
    "accounts-form-tokens-purge": {"task": "accounts.tasks.purge_form_tokens", "schedule": crontab(hour=2, minute=30)},
}
CELERY_TIMEZONE = TIME_ZONE

# Data protection (README, "Data protection"): the case records of a student
# who left school are anonymised this many years after their last case closed
# (privacy.retention, run daily by beat; `manage.py apply_retention --dry-run`).
RETENTION_YEARS_AFTER_LEAVING = envint("RETENTION_YEARS_AFTER_LEAVING", "5")
if RETENTION_YEARS_AFTER_LEAVING < 1:
    raise ImproperlyConfigured("RETENTION_YEARS_AFTER_LEAVING must be 1 or more.")

# Decision rules on a goal's progress (casework.progress): how many measurements
# in a row behind (or ahead of) the aim line suggest a decision, and the share of
# planned sessions that must have been held before "change the plan" is suggested.
DECISION_RULE_POINTS = envint("DECISION_RULE_POINTS", "4")
DECISION_RULE_FIDELITY = float(env("DECISION_RULE_FIDELITY", "0.8"))
if DECISION_RULE_POINTS < 2 or not 0 <= DECISION_RULE_FIDELITY <= 1:
    raise ImproperlyConfigured("DECISION_RULE_POINTS must be 2 or more and DECISION_RULE_FIDELITY between 0 and 1.")

# Report exports with more rows than this are built by a Celery task.
REPORTS_STREAM_MAX_ROWS = envint("REPORTS_STREAM_MAX_ROWS", "5000")

# The report page's indicators and charts are cached this many seconds per
# school and filters (reports.report_cache); the writes they read make the
# cached ones stale at once (common.report_version). 0 turns the cache off,
# which is the default without CACHE_URL: a local-memory cache is each
# process's own, so a write seen by one process would not reach the others.
REPORT_CACHE_SECONDS = envint("REPORT_CACHE_SECONDS", "600" if env("CACHE_URL") or TESTING else "0")

# Notifications outside the app. WhatsApp messages go through the WhatsApp
# Business Cloud API only when WHATSAPP_BACKEND=cloud_api; otherwise people
# reach each other with click-to-chat links (wa.me) on referral and case pages.
WHATSAPP_BACKEND = env("WHATSAPP_BACKEND", "none")
WHATSAPP_API_URL = env("WHATSAPP_API_URL", "https://graph.facebook.com/v21.0").rstrip("/")
WHATSAPP_TOKEN = env("WHATSAPP_TOKEN")
WHATSAPP_PHONE_NUMBER_ID = env("WHATSAPP_PHONE_NUMBER_ID")
if WHATSAPP_BACKEND not in ("none", "cloud_api"):
    raise ImproperlyConfigured("WHATSAPP_BACKEND must be 'none' or 'cloud_api'.")
if WHATSAPP_BACKEND == "cloud_api" and not (WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID):
    raise ImproperlyConfigured("WHATSAPP_BACKEND=cloud_api needs WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID.")

# Security. Production (DEBUG off) gets HTTPS-only cookies, HSTS and redirects.
SESSION_COOKIE_HTTPONLY = True
# Sessions end after 10 hours in all (SESSION_COOKIE_AGE, also enforced from
# the sign-in time by accounts.middleware.SessionTimeoutMiddleware) and after
# SESSION_IDLE_TIMEOUT seconds without a request.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(10 * 60 * 60))
SESSION_IDLE_TIMEOUT = envint("SESSION_IDLE_TIMEOUT", str(30 * 60))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy, enforced everywhere: only our own files, scripts
# also by nonce ({{ csp_nonce }}); no inline scripts, event handlers or style
# attributes in templates (tests/accounts/test_headers.py scans them).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Behind a reverse proxy: how many proxies append to X-Forwarded-For (see
# accounts/net.py). The client IP is used for lockouts and the audit trail.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")

# Sign-in lockout (django-axes): 5 failures for the same username from the
# same IP lock that pair for 15 minutes. Never by IP alone: a whole school
# shares one address.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "accounts.net.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit trail

# Two-step sign-in (django-otp, TOTP apps plus recovery codes). Required for
# counselors, vice principals, school admins and admin-site users when on;
# on by default in production, off in development (the demo) and tests.
REQUIRE_2FA = envbool("REQUIRE_2FA", "0" if DEBUG or TESTING or DEMO else "1")
OTP_TOTP_ISSUER = "Sinergi"

if not DEBUG and not DEMO:  # the demo is served over plain HTTP on this computer
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# No student data in logs or error reports: Django logs only the path of a
# failing request; error reports (if ADMINS or a reporter is configured) hide
# every POST value and local variable (accounts.errors).
DEFAULT_EXCEPTION_REPORTER_FILTER = "accounts.errors.NoPersonalDataExceptionReporterFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
