"""Rekisteri settings: one module, every value from the environment (django-environ).

The README has a table of every variable. Defaults are safe for production except where a
development convenience is switched on by ``DEBUG=true`` (which ``make run`` sets).
"""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "value (python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=true for local development."
        )
    # Development only: a fixed key is fine because DEBUG is never on in production.
    SECRET_KEY = "development-only-key-never-used-when-debug-is-off"  # noqa: S105

# The controller of the register, as the public pages name it (GDPR Art. 13(1)(a)): required in
# production, like SECRET_KEY; demo values on a laptop.
CONTROLLER_NAME = env.str("CONTROLLER_NAME", default="Esimerkki Oy (demo)" if DEBUG else "")
CONTROLLER_ADDRESS = env.str(
    "CONTROLLER_ADDRESS", default="Esimerkkikatu 1, 00100 Helsinki" if DEBUG else ""
)
CONTROLLER_BUSINESS_ID = env.str("CONTROLLER_BUSINESS_ID", default="")
CONTROLLER_PHONE = env.str("CONTROLLER_PHONE", default="")
PRIVACY_CONTACT_EMAIL = env.str(
    "PRIVACY_CONTACT_EMAIL", default="tietosuoja@example.com" if DEBUG else ""
)
if not (CONTROLLER_NAME and CONTROLLER_ADDRESS and PRIVACY_CONTACT_EMAIL):
    raise ImproperlyConfigured(
        "CONTROLLER_NAME, CONTROLLER_ADDRESS and PRIVACY_CONTACT_EMAIL must be set: the privacy "
        "pages must name the controller of the register and an address for privacy matters "
        "(GDPR Art. 13). DEBUG=true uses demo values."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "phonenumber_field",
    "django_countries",
    "auditlog",
    # The project package, for its admin module (the staff accounts' admin, config/admin.py).
    "config",
    # Rekisteri's own apps. privacy comes first: it owns the personal-data declarations that
    # the other apps register in their personal_data.py modules.
    "privacy",
    "crm",
    "consent",
    "events",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "config.staff_auth.StaffTwoFactorMiddleware",
    # Sets the actor and the remote address of every audit entry written during the request.
    "config.middleware.AuditlogMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.public_site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite cannot share connections across threads the way PostgreSQL pools them.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker and tasks ----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
# Seconds any Redis call may take: a broker that accepts connections but never answers must not
# hang a web request (or /healthz) with it.
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=3.0)


def _next_redis_database(url: str) -> str:
    """The cache lives in the database after the broker's: a cache flush must never touch queued
    tasks, and eviction settings for a cache must never apply to them."""
    parts = urlsplit(url)
    current = int(parts.path.strip("/") or 0)
    if current >= 15:
        raise ImproperlyConfigured(
            f"REDIS_URL uses database {current}; the cache needs the next one. Use a lower "
            "database number or set CACHE_URL."
        )
    return urlunsplit(parts._replace(path=f"/{current + 1}"))


CACHE_URL = env.str("CACHE_URL", default=_next_redis_database(REDIS_URL) if REDIS_URL else "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="rekisteri"),
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Without a broker, tasks run in-process as soon as they are queued, so that `make run` needs
# no other service. With one, they go to the Celery workers.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only when it has finished, so a worker killed half-way hands the
# message back to the broker and another worker runs it again (tasks are idempotent).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis hands an unacknowledged task to another worker after the visibility timeout, so no task
# may run (or wait for an ETA) that long: the hard time limit stays well below it.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * 3600,
    "socket_timeout": REDIS_TIMEOUT,
    "socket_connect_timeout": REDIS_TIMEOUT,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "socket_timeout": REDIS_TIMEOUT,
    "socket_connect_timeout": REDIS_TIMEOUT,
}
CELERY_TASK_SOFT_TIME_LIMIT = 50 * 60
CELERY_TASK_TIME_LIMIT = 55 * 60
# On shutdown (a deploy), running tasks get this long to finish before they are handed back.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 60.0
CELERY_TIMEZONE = env.str("TIME_ZONE", default="Europe/Helsinki")
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "privacy.tasks.worker_heartbeat", "schedule": 60.0},
    "import-files-purge": {"task": "crm.import_jobs_purge", "schedule": 3600.0},
    "audit-entries-purge": {"task": "privacy.audit_entries_purge", "schedule": 3600.0},
    "import-jobs-requeue": {"task": "crm.import_jobs_requeue", "schedule": 60.0},
    "consents-expire": {"task": "consent.consents_expire", "schedule": 24 * 3600.0},
    "consent-renewal-reminders": {"task": "consent.renewal_reminders", "schedule": 3600.0},
    "sign-ups-unconfirmed-purge": {"task": "consent.sign_ups_purge", "schedule": 3600.0},
    "consent-evidence-purge": {"task": "consent.evidence_purge", "schedule": 24 * 3600.0},
    "mailings-resume": {"task": "consent.mailings_resume", "schedule": 600.0},
    "events-data-shred": {"task": "events.shred_due", "schedule": 24 * 3600.0},
    "data-exports-purge": {"task": "privacy.exports_purge", "schedule": 3600.0},
    "breach-deadline-warn": {"task": "privacy.breach_deadline_warn", "schedule": 900.0},
    "rights-requests-sweep": {"task": "privacy.rights_requests_sweep", "schedule": 120.0},
    "rights-requests-reminders": {"task": "privacy.rights_requests_remind", "schedule": 3600.0},
    "rights-requests-deadlines": {"task": "privacy.rights_requests_deadlines", "schedule": 86400.0},
}
# An unnotified personal data breach is mailed to the DPO role this many hours before its
# 72-hour deadline (GDPR Art. 33(1)), and again once the deadline has passed.
BREACH_WARN_HOURS_BEFORE = env.int("BREACH_WARN_HOURS_BEFORE", default=24)
# An import whose task has not started this long after it was queued is sent again (the broker
# may have been down when it was sent). Shorter would send a merely busy queue's jobs twice.
IMPORT_REQUEUE_AFTER_SECONDS = env.int("IMPORT_REQUEUE_AFTER_SECONDS", default=300)
if IMPORT_REQUEUE_AFTER_SECONDS < 60:
    raise ImproperlyConfigured(
        f"IMPORT_REQUEUE_AFTER_SECONDS is {IMPORT_REQUEUE_AFTER_SECONDS}; use 60 seconds or more."
    )

# --- Authentication -----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_EMAIL_VERIFICATION = "none"  # staff accounts are made by an administrator
ACCOUNT_RATE_LIMITS = {
    # Per IP and per account ("key": the account the login reaches, whether typed as a username
    # or an email address, config.accounts); a locked-out attacker learns nothing about which
    # accounts exist.
    "login": "20/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# The set-up page keeps its secret when reloaded (config.staff_auth).
MFA_FORMS = {"activate_totp": "config.staff_auth.StaffActivateTOTPForm"}
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Rekisteri")
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "config.accounts.StaffOnlyAccountAdapter"
LOGIN_REDIRECT_URL = "/admin/"

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Helsinki")
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = "FI"
PHONENUMBER_DB_FORMAT = "E164"

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# --- Email ------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Rekisteri <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------------------------
# Production values are the defaults; DEBUG turns the HTTPS-only ones off for the dev server.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# /healthz is probed over plain HTTP inside the cluster by the load balancer and compose.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Trusted because web is reachable only through the proxy (docker-compose binds it to localhost).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies stand in front of web: allauth's per-IP rate limits read the client address
# from X-Forwarded-For accordingly (0 = use the connection's address).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
X_FRAME_OPTIONS = "DENY"
# Messages stay on the server: one of them carries a new API client's token.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Never HTTP basic auth: it would let a password alone, without the second factor, in.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "DEFAULT_THROTTLE_RATES": {"api_client": env.str("API_RATE", default="1200/min")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # The API's viewsets take JSON bodies only (crm.api.ApiJSONParser: capped in size and
    # depth, a multipart upload is a 415). Not set here: APIView reads it while crm.api loads.
    # Every error in one JSON shape (status, code, detail, errors), in the client's language.
    "EXCEPTION_HANDLER": "crm.api.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rekisteri API",
    "DESCRIPTION": "Push contacts, organisations, memberships and interactions into the register. "
    "Authenticate with `Authorization: Bearer <token>`; each endpoint needs a read or write scope.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The API's shape is no secret; the data behind it needs a token.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI's files are served from this site (drf-spectacular-sidecar): no CDN, and the
    # Content-Security-Policy stays 'self'.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SECURITY": [{"bearerAuth": []}],
    "APPEND_COMPONENTS": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
}

# --- Personal data --------------------------------------------------------------------------
# Every concrete model of these apps must declare each of its fields in <app>/personal_data.py
# (checked by privacy.E001 and friends at `manage.py check`).
PRIVACY_DECLARED_APPS = ["crm", "consent", "events", "privacy"]
# Models of other packages that hold personal data; each is declared by the app that owns the
# concern (the audit trail in privacy/personal_data.py) and checked like the apps' models.
PRIVACY_DECLARED_MODELS = ["auditlog.LogEntry"]
# Audit entries older than this are deleted by a scheduled job (privacy.audit_entries_purge).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=730)
if AUDIT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS must be a positive number of days.")

# Where the copies of people's data made for access requests wait for their download: a
# directory of its own, outside MEDIA_ROOT and never served by the web server.
PRIVACY_EXPORT_ROOT = env.path("PRIVACY_EXPORT_ROOT", default=BASE_DIR / "var" / "exports")
# Days a download link works (the file is removed when fetched or by the purge after this).
PRIVACY_EXPORT_DAYS = env.int("PRIVACY_EXPORT_DAYS", default=7)
if not 1 <= PRIVACY_EXPORT_DAYS <= 30:
    raise ImproperlyConfigured("PRIVACY_EXPORT_DAYS must be 1 to 30.")

# People erased per transaction by the batch erasure job (privacy.erasure_jobs): a killed
# worker rolls back at most this many whole people.
# Each batch pays a fixed cost (one query per declared model and one over the audit trail);
# 2,000 people keep a batch under a second of locks while that cost stays small per person.
PRIVACY_ERASURE_BATCH_SIZE = env.int("PRIVACY_ERASURE_BATCH_SIZE", default=2000)
if not 1 <= PRIVACY_ERASURE_BATCH_SIZE <= 5000:
    raise ImproperlyConfigured("PRIVACY_ERASURE_BATCH_SIZE must be 1 to 5000.")

# --- Consents -------------------------------------------------------------------------------
# Days a sign-up's confirmation link works (the unconfirmed sign-up is removed after 7 days).
CONSENT_CONFIRM_LINK_DAYS = env.int("CONSENT_CONFIRM_LINK_DAYS", default=7)
# Days the unsubscribe, preference and renewal links in a mail work.
CONSENT_MAIL_LINK_DAYS = env.int("CONSENT_MAIL_LINK_DAYS", default=365)
# Public sign-ups per hour from one client address, and for one email address.
CONSENT_SIGNUPS_PER_IP_HOUR = env.int("CONSENT_SIGNUPS_PER_IP_HOUR", default=20)
CONSENT_SIGNUPS_PER_EMAIL_HOUR = env.int("CONSENT_SIGNUPS_PER_EMAIL_HOUR", default=5)
if not 1 <= CONSENT_CONFIRM_LINK_DAYS <= 7:
    raise ImproperlyConfigured(
        "CONSENT_CONFIRM_LINK_DAYS must be 1 to 7: unconfirmed sign-ups are removed after 7 days."
    )
if CONSENT_MAIL_LINK_DAYS < 30:
    raise ImproperlyConfigured(
        "CONSENT_MAIL_LINK_DAYS must be at least 30: an unsubscribe link must keep working."
    )

# Events: days a registration's view/cancel and networking links work (the shredder ends them
# earlier, when it removes the event's data), and public registrations per hour from one client
# address.
EVENTS_LINK_DAYS = env.int("EVENTS_LINK_DAYS", default=400)
EVENTS_REGISTRATIONS_PER_IP_HOUR = env.int("EVENTS_REGISTRATIONS_PER_IP_HOUR", default=30)
if EVENTS_LINK_DAYS < 1:
    raise ImproperlyConfigured("EVENTS_LINK_DAYS must be at least 1.")
# --- Privacy portal and rights requests ------------------------------------------------------
# The key of the suppression list's hashes (HMAC-SHA256 of an address): required in production,
# like SECRET_KEY. Changing it makes every suppressed address unknown again: keep it.
SUPPRESSION_KEY = env.str("SUPPRESSION_KEY", default="")
if not SUPPRESSION_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SUPPRESSION_KEY is not set. Set it to a long random value (python -c 'import "
            "secrets; print(secrets.token_urlsafe(50))') and keep it: it keys the suppression "
            "list of erased and objecting people's addresses. DEBUG=true uses a demo value."
        )
    SUPPRESSION_KEY = "development-only-suppression-key"
# Minutes an identity link of the privacy portal works (single use).
PRIVACY_LINK_MINUTES = env.int("PRIVACY_LINK_MINUTES", default=30)
# Portal requests per hour from one client address, and for one email address.
PRIVACY_REQUESTS_PER_IP_HOUR = env.int("PRIVACY_REQUESTS_PER_IP_HOUR", default=10)
PRIVACY_REQUESTS_PER_EMAIL_HOUR = env.int("PRIVACY_REQUESTS_PER_EMAIL_HOUR", default=3)
# A rights request's job that has not started this long after it was queued is sent again by
# the sweeper (the broker may have been down).
PRIVACY_REQUEUE_AFTER_SECONDS = env.int("PRIVACY_REQUEUE_AFTER_SECONDS", default=300)
# Hours after which a request whose identity was never proven gets its one reminder.
PRIVACY_REMINDER_AFTER_HOURS = env.int("PRIVACY_REMINDER_AFTER_HOURS", default=24)
if not 5 <= PRIVACY_LINK_MINUTES <= 60:
    raise ImproperlyConfigured("PRIVACY_LINK_MINUTES must be 5 to 60.")
if PRIVACY_REQUEUE_AFTER_SECONDS < 60:
    raise ImproperlyConfigured("PRIVACY_REQUEUE_AFTER_SECONDS must be 60 seconds or more.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
