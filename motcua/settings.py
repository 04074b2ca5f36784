"""MotCua settings: one module, every value from the environment (docs/configuration.md)."""

import hashlib
import hmac
import re
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from motcua.api.description import DESCRIPTION as API_DESCRIPTION
from motcua.core.client import parse_networks
from motcua.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# pytest-django loads settings before any conftest runs, so a bare `pytest` counts as testing too.
TESTING = env_bool("MOTCUA_TESTING", False) or "pytest" in sys.modules
SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key" if DEBUG or TESTING else None)
if SECRET_KEY is None:
    raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is false.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Django's admin with a site that also asks officers for the second factor.
    "motcua.accounts.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "motcua.core",
    "motcua.accounts",
    "motcua.catalogue",
    "motcua.registers",
    "motcua.registers.contrib.sandbox",
    "motcua.accounts.contrib.vneid_sandbox",
    "motcua.dossiers",
    "motcua.documents",
    "motcua.notifications",
    "motcua.workdays",
    "motcua.workflow",
    "motcua.proactive",
    "motcua.payments",
    "motcua.payments.contrib.sandbox",
    "motcua.payments.contrib.paygov_sandbox",
    "motcua.signing",
    "motcua.results",
    "motcua.delivery",
    "motcua.delivery.contrib.sandbox",
    "motcua.feedback",
    "motcua.reports",
    "motcua.nationalportal",
    "motcua.nationalportal.contrib.sandbox",
    "motcua.api",
    "rest_framework",
    "drf_spectacular",
    "oauth2_provider",
    "motcua.notifications.contrib.sms",
    "motcua.notifications.contrib.sms_sandbox",
]

MIDDLEWARE = [
    # The client's address and scheme behind trusted proxies, before anything uses them.
    "motcua.core.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which reads the form: limits and checks on what a request brings in
    # (motcua/core/boundary.py, decisions 0028 and 0029).
    "motcua.core.middleware.RequestBodyLimitMiddleware",
    "motcua.core.middleware.ControlCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's OTPMiddleware without user.is_verified(), which User already has.
    "motcua.accounts.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "motcua.core.middleware.SecurityHeadersMiddleware",
    "motcua.core.middleware.PrivateResponsesMiddleware",
    # Last, so it sees the views' exceptions first: a rate limit without its counters is a 503.
    "motcua.core.middleware.RateLimitUnavailableMiddleware",
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "motcua" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "motcua.core.context_processors.sandbox",
                "motcua.notifications.context_processors.unread",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'motcua.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue
        # instead of failing with "database is locked" on lock upgrade.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["OPTIONS"] = {}
    # Server-side prepared statements: a query run this many times on a connection is
    # planned once; planning the dossier table's joins cost more than running them
    # (decision 16). 0 turns it off (e.g. behind PgBouncer in transaction mode without
    # prepared-statement support).
    _prepare_threshold = env_int("DATABASE_PREPARE_THRESHOLD", 2, minimum=0)
    if _prepare_threshold:
        _db["OPTIONS"].update(server_side_binding=True, prepare_threshold=_prepare_threshold)
    _pool_max = env_int("DATABASE_POOL_MAX", 10, minimum=0)
    if _pool_max:
        _db["CONN_MAX_AGE"] = 0  # the pool owns connection lifetime
        _db["OPTIONS"]["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN", 2, minimum=0),
            "max_size": _pool_max,
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 10, minimum=1),
        }
    else:
        _db["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
else:
    raise ImproperlyConfigured("DATABASE_URL must point to SQLite or PostgreSQL.")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security ------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["motcua.accounts.backends.EmailOrPhoneBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dossiers:mine"
LOGOUT_REDIRECT_URL = "catalogue:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 900, minimum=1)
# Past the limit an account (or dossier code) is not locked but slowed down: each further try
# waits 1, 2, 4 ... seconds, at most this long (docs/decisions/0025).
LOGIN_DELAY_MAX_SECONDS = env_int("LOGIN_DELAY_MAX_SECONDS", 30, minimum=1)
# Registrations per client address per hour (counted whether the address was free or taken).
REGISTRATIONS_PER_HOUR = env_int("REGISTRATIONS_PER_HOUR", 5, minimum=1)
# Officer inbox counts are cached per unit and recounted on every change; what moves with the
# clock alone (overdue, due soon) at least this often. 0: count on every page.
INBOX_COUNTS_SECONDS = env_int("INBOX_COUNTS_SECONDS", 60, minimum=0)
# An apology may move the due date once (D61 art.19(9)), at most this many working days later.
EXTENSION_MAX_WORKING_DAYS = env_int("EXTENSION_MAX_WORKING_DAYS", 20, minimum=1)
TRACKING_MAX_FAILURES = env_int("TRACKING_MAX_FAILURES", 10, minimum=1)
TRACKING_WINDOW_SECONDS = env_int("TRACKING_WINDOW_SECONDS", 900, minimum=1)
TRACKING_DELAY_MAX_SECONDS = env_int("TRACKING_DELAY_MAX_SECONDS", 30, minimum=1)
VERIFICATION_CODE_TTL_SECONDS = env_int("VERIFICATION_CODE_TTL_SECONDS", 900, minimum=60)

# Officers (cán bộ) confirm their login with an authenticator app (docs/decisions/0010).
OFFICER_2FA_REQUIRED = env_bool("OFFICER_2FA_REQUIRED", True)
OFFICER_HOME_URL = "/officer/"
# Wrong codes are counted by motcua.core.ratelimit (LOGIN_MAX_FAILURES), not by the devices.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Administrators may delete an officer's device (to re-enrol), never read its secret.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_HTTPONLY = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
# Only once every sub-domain of the portal's domain serves HTTPS: browsers then refuse plain
# HTTP to all of them for SECURE_HSTS_SECONDS. Preload asks browsers to ship the rule built in.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# The reverse proxies (addresses or CIDR networks) whose X-Forwarded-For and
# X-Forwarded-Proto are believed (motcua/core/client.py); nobody's by default. The older
# BEHIND_TLS_PROXY=true stands for a proxy on this machine (127.0.0.1, ::1).
TRUSTED_PROXIES = env_list(
    "TRUSTED_PROXIES", ["127.0.0.1", "::1"] if env_bool("BEHIND_TLS_PROXY", False) else []
)
try:
    parse_networks(TRUSTED_PROXIES)
except ValueError as exc:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from None
# X-Forwarded-Proto is read by ClientAddressMiddleware, only from a trusted proxy.
SECURE_PROXY_SSL_HEADER = None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Cache (rate limits, sessions) -----------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "motcua.core.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The page chrome of base.html ({% cache %}): the same for everyone in a language and fixed
# by the deployed templates, so each process keeps its own copy; no network round trip.
CACHES["template_fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "template-fragments",
    "TIMEOUT": None,
}

# --- Background work ---------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
# Without a broker, tasks run in-process right after commit (the embedded default).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = TESTING
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"

# --- Domain events: the transactional outbox (docs/architecture.md) ------------
# A fresh event is left to its after-commit delivery for this long before a sweep
# (beat, deliver_outbox) may take it; a delivery holds an event for OUTBOX_LEASE_SECONDS.
OUTBOX_GRACE_SECONDS = env_int("OUTBOX_GRACE_SECONDS", 60, minimum=1)
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300, minimum=10)
# Failed deliveries are retried after 30 s, 1 min, 2 min... capped at 6 h, 12 tries in all.
OUTBOX_RETRY_SECONDS = env_int("OUTBOX_RETRY_SECONDS", 30, minimum=1)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 6 * 3600, minimum=1)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 12, minimum=1)
# Without a broker (no beat), due retries are tried after requests, once a minute.
OUTBOX_INLINE_SWEEP = CELERY_TASK_ALWAYS_EAGER and not TESTING

# The statistics subscriber (reports.refresh_fact) keeps facts and daily aggregates live; False
# makes it do nothing (a bulk import, or the benchmark comparing the submission rate with and
# without it): run `manage.py rebuild_facts` afterwards. Decision 0060.
REPORTS_LIVE = env_bool("REPORTS_LIVE", True)

# --- The API for integrators (docs/api.md, decision 0067) ----------------------
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    # Client credentials only: agency systems, not people, hold these tokens.
    "SCOPES_BACKEND_CLASS": "motcua.api.clients.ClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "motcua.api.clients.TokenValidator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("API_TOKEN_SECONDS", 3600, minimum=60),
    "REFRESH_TOKEN_EXPIRE_SECONDS": 3600,
    "PKCE_REQUIRED": True,
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "oauth2_provider.contrib.rest_framework.OAuth2Authentication"
    ],
    "DEFAULT_PERMISSION_CLASSES": ["motcua.api.permissions.ClientScopes"],
    "DEFAULT_THROTTLE_CLASSES": ["motcua.api.permissions.ClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "motcua.api.pagination.Cursor",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "motcua.api.problems.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MotCua API",
    "DESCRIPTION": API_DESCRIPTION,
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "OAUTH2_FLOWS": ["clientCredentials"],
    "OAUTH2_TOKEN_URL": "/api/oauth/token/",
    "OAUTH2_REFRESH_URL": None,
    "OAUTH2_AUTHORIZATION_URL": None,
    # Every operation declares the problems it can answer (decision 0068).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "motcua.api.schema.declare_problems",
    ],
}
# Webhook deliveries (motcua/api/webhooks.py): retried after 1 min, 2, 4 … capped at an hour,
# for three days after the event; each try waits at most WEBHOOK_TIMEOUT_SECONDS.
# An Idempotency-Key is remembered this long (a retry after that runs the request again).
API_IDEMPOTENCY_KEEP_HOURS = env_int("API_IDEMPOTENCY_KEEP_HOURS", 7 * 24, minimum=1)
WEBHOOK_RETRY_SECONDS = env_int("WEBHOOK_RETRY_SECONDS", 60, minimum=1)
WEBHOOK_RETRY_MAX_SECONDS = env_int("WEBHOOK_RETRY_MAX_SECONDS", 3600, minimum=1)
WEBHOOK_GIVE_UP_HOURS = env_int("WEBHOOK_GIVE_UP_HOURS", 72, minimum=1)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)

# --- Files ---------------------------------------------------------------------
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
for _prefix, _path in (
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/be-vietnam-pro", BASE_DIR / "node_modules" / "@fontsource" / "be-vietnam-pro"),
    ("vendor/chart.js", BASE_DIR / "node_modules" / "chart.js" / "dist"),
    ("vendor/swagger-ui", BASE_DIR / "node_modules" / "swagger-ui-dist"),
):
    if _path.exists():
        STATICFILES_DIRS.append((_prefix, _path))

STORAGE_BACKEND = env_choice("STORAGE_BACKEND", ("local", "s3"), "local")
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL", None),
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            "region_name": env_str("S3_REGION", None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if TESTING or DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Request bodies (decision 0028): a body longer than its view's limit is refused from its
# Content-Length before it is read, and files stop being read once past their limit.
# Any request: REQUEST_MAX_BYTES (form fields, and files on pages that take none). Attachments:
# UPLOAD_MAX_BYTES a file, UPLOAD_REQUEST_MAX_BYTES the files of one request together, plus the
# form. The proxy's body limit: the largest of these plus REQUEST_MAX_BYTES (docs/production.md).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
UPLOAD_REQUEST_MAX_BYTES = env_int(
    "UPLOAD_REQUEST_MAX_BYTES", 50 * 1024 * 1024, minimum=UPLOAD_MAX_BYTES
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
REQUEST_MAX_BYTES = env_int(
    "REQUEST_MAX_BYTES", DATA_UPLOAD_MAX_MEMORY_SIZE + 1024 * 1024, minimum=64 * 1024
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "motcua.core.boundary.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Drafts and big forms (docs/decisions/0030-draft-quotas-and-expiry.md). An account's open
# drafts, their form data and their files are bounded; an account whose e-mail is not verified
# (it cannot submit yet) gets DRAFTS_PER_UNVERIFIED_ACCOUNT drafts and the account-wide totals
# scaled down in the same proportion.
DRAFTS_PER_ACCOUNT = env_int("DRAFTS_PER_ACCOUNT", 20, minimum=1)
DRAFTS_PER_UNVERIFIED_ACCOUNT = env_int("DRAFTS_PER_UNVERIFIED_ACCOUNT", 3, minimum=1)
DRAFT_FORM_BYTES_PER_ACCOUNT = env_int(
    "DRAFT_FORM_BYTES_PER_ACCOUNT", 2 * 1024 * 1024, minimum=1024
)
DRAFT_FILES_PER_DRAFT = env_int("DRAFT_FILES_PER_DRAFT", 120, minimum=1)
DRAFT_FILE_BYTES_PER_DRAFT = env_int("DRAFT_FILE_BYTES_PER_DRAFT", 200 * 1024 * 1024, minimum=1024)
DRAFT_FILES_PER_ACCOUNT = env_int("DRAFT_FILES_PER_ACCOUNT", 300, minimum=1)
DRAFT_FILE_BYTES_PER_ACCOUNT = env_int(
    "DRAFT_FILE_BYTES_PER_ACCOUNT", 500 * 1024 * 1024, minimum=1024
)
# Retention (decision 0058): a dossier ended (returned, refused, stopped, withdrawn) longer ago
# than its procedure's retention_years, or RETENTION_DEFAULT_YEARS when the procedure has none,
# loses its personal data and files (`manage.py purge_expired`, nightly when enabled).
RETENTION_DEFAULT_YEARS = env_int("RETENTION_DEFAULT_YEARS", 10, minimum=1)
RETENTION_PURGE_ENABLED = env_bool("RETENTION_PURGE_ENABLED", True)
RETENTION_BATCH = env_int("RETENTION_BATCH", 200, minimum=1)
# A draft untouched this long is deleted with its files; its applicant is reminded this many
# days before (0: no reminder), and a reminded draft is kept at least that long after the mail.
DRAFT_EXPIRY_DAYS = env_int("DRAFT_EXPIRY_DAYS", 30, minimum=1)
DRAFT_REMINDER_DAYS = env_int("DRAFT_REMINDER_DAYS", 7, minimum=0)

# Proactive services (issue 17, decision 0084). A dossier the agency prepared is kept this
# many days unless the person takes it up (changes or submits it), then deleted like a draft.
PROACTIVE_DRAFT_DAYS = env_int("PROACTIVE_DRAFT_DAYS", 30, minimum=1)
# What the statistics count as time saved: seconds per answer prefilled, per component the
# agency already held (a scan found, an upload made); an estimate, stated as such.
PROACTIVE_SECONDS_PER_FIELD = env_int("PROACTIVE_SECONDS_PER_FIELD", 20, minimum=0)
PROACTIVE_SECONDS_PER_COMPONENT = env_int("PROACTIVE_SECONDS_PER_COMPONENT", 300, minimum=0)
# Items a repeating group (a JSON Schema array) may hold when its schema gives no maxItems.
FORM_MAX_ITEMS = env_int("FORM_MAX_ITEMS", 100, minimum=1)
# The conversation between the applicant and the handling unit (decision 0044): open while the
# dossier is handled and this many days after it ends; files per message; messages an account
# may post an hour.
DOSSIER_MESSAGE_DAYS_AFTER_END = env_int("DOSSIER_MESSAGE_DAYS_AFTER_END", 30, minimum=0)
DOSSIER_MESSAGE_MAX_FILES = env_int("DOSSIER_MESSAGE_MAX_FILES", 5, minimum=1)
DOSSIER_MESSAGES_PER_HOUR = env_int("DOSSIER_MESSAGES_PER_HOUR", 30, minimum=1)
VIRUS_SCANNER = env_choice("VIRUS_SCANNER", ("off", "clamav"), "off")
CLAMD_HOST = env_str("CLAMD_HOST", "127.0.0.1")
CLAMD_PORT = env_int("CLAMD_PORT", 3310, minimum=1)

# --- E-mail ----------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Where django.core.mail.backends.filebased.EmailBackend writes (staging, bench/faults.py).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "MotCua <no-reply@motcua.local>")

# --- Language and time -------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["motcua.formats"]

# Working-day calendar (motcua/workdays, docs/decisions/0009): one office window a working day,
# HH:MM local time, lunch not subtracted; a dossier received at or after the cut-off counts
# from the next working day. The values are checked when the app starts.
WORKDAY_START = env_str("WORKDAY_START", "07:30")
WORKDAY_END = env_str("WORKDAY_END", "17:00")
WORKDAY_CUTOFF = env_str("WORKDAY_CUTOFF", WORKDAY_END)

# --- Sandboxes of outside systems ------------------------------------------------
# /sandbox/ serves MotCua's own copies of the payment gateway and the postal service,
# speaking their protocols, for the demo and the tests. Never on in production: its gateway
# "pays" any fee without money, so a server without DEBUG refuses to start with it unless
# DEMO_MODE says this is a demonstration (docs/decisions/0032-sandbox-only-in-a-demo.md).
SANDBOX_ENABLED = env_bool("SANDBOX_ENABLED", TESTING)
DEMO_MODE = env_bool("DEMO_MODE", False)
if SANDBOX_ENABLED and not (DEBUG or TESTING or DEMO_MODE):
    raise ImproperlyConfigured(
        "SANDBOX_ENABLED=true serves a test payment gateway that marks fees paid without "
        "money; it is refused with DEBUG off. Set DEMO_MODE=true if this server is a "
        "demonstration, else turn the sandbox off."
    )
# Webhook endpoints (motcua/api/webhooks.py, decision 0070): plain http only in a sandbox, a
# demo or development; private and loopback addresses only in development and the tests.
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", DEBUG or TESTING or SANDBOX_ENABLED)
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", DEBUG or TESTING)


def _sandbox_secret(name: str) -> str:
    """A secret of the sandbox (its VNPay hash secret, the post office's token and webhook
    secret): derived from SECRET_KEY, so it is private to this installation, the same in
    every process, and nothing has to be stored. Nothing public signs a payment here."""
    return hmac.new(
        SECRET_KEY.encode(), f"motcua-sandbox:{name}".encode(), hashlib.sha256
    ).hexdigest()


# --- Payments (motcua/payments, docs/payments.md) ----------------------------------
# Plugin modules to import (each registers a gateway with @register("id")), and the ids of
# the gateways applicants may pay through (the first is the default). Without the sandbox
# no gateway is on until one is configured; counter payments always work.
# Each agency and procedure may name its gateway (catalogue, decision 0082); the first
# active one is for those that name none.
PAYMENT_PLUGINS = env_list(
    "PAYMENT_PLUGINS",
    ["motcua.payments.contrib.vnpay.plugin", "motcua.payments.contrib.paygov.plugin"],
)
PAYMENT_GATEWAYS = env_list("PAYMENT_GATEWAYS", ["vnpay", "paygov"] if SANDBOX_ENABLED else [])
PAYMENT_EXPIRY_MINUTES = env_int("PAYMENT_EXPIRY_MINUTES", 15, minimum=5)
# An online attempt still pending this long after its link expired (vnp_ExpireDate) was
# abandoned: it is marked expired (decision 0049).
PAYMENT_EXPIRY_MARGIN_MINUTES = env_int("PAYMENT_EXPIRY_MARGIN_MINUTES", 15, minimum=0)
# Pending online payments older than this are asked about (querydr) by poll_payments.
PAYMENT_POLL_MIN_AGE_SECONDS = env_int("PAYMENT_POLL_MIN_AGE_SECONDS", 120, minimum=0)
PAYMENT_HTTP_TIMEOUT = env_int("PAYMENT_HTTP_TIMEOUT", 15, minimum=1)
# Our server's address, sent as vnp_IpAddr in server-to-server requests.
PAYMENT_SERVER_IP = env_str("PAYMENT_SERVER_IP", "127.0.0.1")
# VNPay 2.1.0. Empty URLs mean MotCua's sandbox under SITE_URL (/sandbox/vnpay/).
VNPAY_PAY_URL = env_str("VNPAY_PAY_URL", "")
VNPAY_API_URL = env_str("VNPAY_API_URL", "")
# While the sandbox is on, its terminal code and its secret (derived, never a public value)
# are the defaults; otherwise both must be configured.
_SANDBOX_VNPAY_TMN_CODE = "MOTCUA01"
_SANDBOX_VNPAY_SECRET = _sandbox_secret("vnpay") if SANDBOX_ENABLED else ""
VNPAY_TMN_CODE = env_str("VNPAY_TMN_CODE", _SANDBOX_VNPAY_TMN_CODE if SANDBOX_ENABLED else "")
VNPAY_HASH_SECRET = env_str("VNPAY_HASH_SECRET", _SANDBOX_VNPAY_SECRET)
if "vnpay" in PAYMENT_GATEWAYS and not (VNPAY_TMN_CODE and VNPAY_HASH_SECRET):
    raise ImproperlyConfigured("VNPAY_TMN_CODE and VNPAY_HASH_SECRET are required for vnpay.")
# The sandbox gateway's side: the merchant terminal it knows and where it sends the IPN
# (as VNPay's merchant portal would have it configured). Empty: SITE_URL's IPN address.
SANDBOX_VNPAY_TMN_CODE = env_str("SANDBOX_VNPAY_TMN_CODE", _SANDBOX_VNPAY_TMN_CODE)
SANDBOX_VNPAY_HASH_SECRET = env_str("SANDBOX_VNPAY_HASH_SECRET", _SANDBOX_VNPAY_SECRET)
SANDBOX_VNPAY_IPN_URL = env_str("SANDBOX_VNPAY_IPN_URL", "")
# PayGov, the national payment platform (docs/payments.md, decision 0082). Empty URLs mean
# MotCua's sandbox under SITE_URL (/sandbox/paygov/): the payment page, and the API's base
# (query, refund, transactions are appended).
PAYGOV_PAY_URL = env_str("PAYGOV_PAY_URL", "")
PAYGOV_API_URL = env_str("PAYGOV_API_URL", "")
# The merchant's partner code (mã đối tác) and secret key from PayGov; with the sandbox on,
# the sandbox's partner and a secret derived from SECRET_KEY, else both must be configured.
_SANDBOX_PAYGOV_PARTNER_CODE = "MOTCUA-DVC"
_SANDBOX_PAYGOV_SECRET = _sandbox_secret("paygov") if SANDBOX_ENABLED else ""
PAYGOV_PARTNER_CODE = env_str(
    "PAYGOV_PARTNER_CODE", _SANDBOX_PAYGOV_PARTNER_CODE if SANDBOX_ENABLED else ""
)
PAYGOV_SECRET_KEY = env_str("PAYGOV_SECRET_KEY", _SANDBOX_PAYGOV_SECRET)
if "paygov" in PAYMENT_GATEWAYS and not (PAYGOV_PARTNER_CODE and PAYGOV_SECRET_KEY):
    raise ImproperlyConfigured("PAYGOV_PARTNER_CODE and PAYGOV_SECRET_KEY are required for paygov.")
# The sandbox platform's side: the partner it knows, and where it sends notifications
# (empty: SITE_URL/payments/ipn/paygov/), how many times it tries when not acknowledged.
SANDBOX_PAYGOV_PARTNER_CODE = env_str("SANDBOX_PAYGOV_PARTNER_CODE", _SANDBOX_PAYGOV_PARTNER_CODE)
SANDBOX_PAYGOV_SECRET_KEY = env_str("SANDBOX_PAYGOV_SECRET_KEY", _SANDBOX_PAYGOV_SECRET)
SANDBOX_PAYGOV_NOTIFY_URL = env_str("SANDBOX_PAYGOV_NOTIFY_URL", "")
SANDBOX_PAYGOV_NOTIFY_ATTEMPTS = env_int("SANDBOX_PAYGOV_NOTIFY_ATTEMPTS", 5, minimum=1)

# --- National and sector registers (motcua/registers, docs/registers.md, decision 0078) --
# Plugin modules to import (each registers a connector with @register("id")), and the ids of
# the registers this installation is connected to: forms prefill from them and components
# are obtained from them only while their id is here.
REGISTERS_PLUGINS = env_list(
    "REGISTERS_PLUGINS",
    [
        "motcua.registers.contrib.population.plugin",
        "motcua.registers.contrib.business.plugin",
        "motcua.registers.contrib.vehicles.plugin",
    ],
)
REGISTERS = env_list("REGISTERS", ["population", "business", "vehicles"] if SANDBOX_ENABLED else [])
# Seconds to wait for a register (connect and read, and for the whole answer); past it the
# applicant fills the fields by hand.
REGISTERS_TIMEOUT = env_int("REGISTERS_TIMEOUT", 5, minimum=1)
# Look-ups one applicant may ask for with the "fetch from the register" button per hour.
REGISTERS_LOOKUPS_PER_HOUR = env_int("REGISTERS_LOOKUPS_PER_HOUR", 60, minimum=1)
# The data-sharing platform (NDXP/LGSP): its OAuth 2 token endpoint and our client there.
# Empty URLs mean the sandbox under SITE_URL (/sandbox/registers/).
REGISTERS_TOKEN_URL = env_str("REGISTERS_TOKEN_URL", "")
_SANDBOX_REGISTERS_CLIENT_ID = "motcua-ndxp"
_SANDBOX_REGISTERS_CLIENT_SECRET = _sandbox_secret("registers-client") if SANDBOX_ENABLED else ""
REGISTERS_CLIENT_ID = env_str(
    "REGISTERS_CLIENT_ID", _SANDBOX_REGISTERS_CLIENT_ID if SANDBOX_ENABLED else ""
)
REGISTERS_CLIENT_SECRET = env_str("REGISTERS_CLIENT_SECRET", _SANDBOX_REGISTERS_CLIENT_SECRET)
# Each register's query endpoint (empty: the sandbox's).
REGISTERS_POPULATION_URL = env_str("REGISTERS_POPULATION_URL", "")
REGISTERS_BUSINESS_URL = env_str("REGISTERS_BUSINESS_URL", "")
REGISTERS_VEHICLES_URL = env_str("REGISTERS_VEHICLES_URL", "")
# The sandbox registers' side: the client they accept, how long their tokens live, and how
# long a "slow" key makes them wait before answering (longer than REGISTERS_TIMEOUT).
SANDBOX_REGISTERS_CLIENT_ID = env_str("SANDBOX_REGISTERS_CLIENT_ID", _SANDBOX_REGISTERS_CLIENT_ID)
SANDBOX_REGISTERS_CLIENT_SECRET = env_str(
    "SANDBOX_REGISTERS_CLIENT_SECRET", _SANDBOX_REGISTERS_CLIENT_SECRET
)
SANDBOX_REGISTERS_TOKEN_SECONDS = env_int("SANDBOX_REGISTERS_TOKEN_SECONDS", 300, minimum=1)
SANDBOX_REGISTERS_SLOW_SECONDS = env_int("SANDBOX_REGISTERS_SLOW_SECONDS", 8, minimum=0)

# --- Results and signing (motcua/results, docs/results.md) -------------------------
# PAdES signing keys: SIGNING_DIR/ca.crt is the trust root verification accepts; each
# agency signs with <identifier>.key + <identifier>.crt (PEM), else default.key/.crt when
# SIGNING_ALLOW_DEFAULT. `manage.py create_demo_pki` writes a demo set.
SIGNING_DIR = Path(env_str("SIGNING_DIR", str(VAR_DIR / "pki")))
SIGNING_KEY_PASSPHRASE = env_str("SIGNING_KEY_PASSPHRASE", "")
SIGNING_ALLOW_DEFAULT = env_bool("SIGNING_ALLOW_DEFAULT", DEBUG or TESTING)
# Public verification by upload (/verify/): size cap and uploads per IP per hour.
VERIFY_UPLOAD_MAX_BYTES = env_int("VERIFY_UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
VERIFY_UPLOADS_PER_HOUR = env_int("VERIFY_UPLOADS_PER_HOUR", 30, minimum=1)

# --- Postal delivery (motcua/delivery, docs/delivery.md) ---------------------------
# Carrier plugin modules to import (each registers a carrier with @register("id")), and the
# id of the carrier in use; empty = results are not sent by post. By default, when the
# sandbox is on, it talks to the sandbox post office on this server.
# --- Notifications (docs/notifications.md) ---------------------------------------
# Channel plugin modules to import (each registers a channel with @channels.register("id")).
NOTIFICATION_CHANNEL_PLUGINS = env_list(
    "NOTIFICATION_CHANNEL_PLUGINS",
    [
        "motcua.notifications.contrib.email.plugin",
        "motcua.notifications.contrib.sms.plugin",
        "motcua.notifications.contrib.portal.plugin",
    ],
)
# A delivery that failed for a while is tried again after 60 s, 2 min, 4 min... capped at
# 1 h, NOTIFICATION_MAX_ATTEMPTS tries in all; then it fails and another channel is used.
NOTIFICATION_RETRY_SECONDS = env_int("NOTIFICATION_RETRY_SECONDS", 60, minimum=1)
NOTIFICATION_RETRY_MAX_SECONDS = env_int("NOTIFICATION_RETRY_MAX_SECONDS", 3600, minimum=1)
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 6, minimum=1)
NOTIFICATION_LEASE_SECONDS = env_int("NOTIFICATION_LEASE_SECONDS", 120, minimum=10)

POSTAL_PLUGINS = env_list("POSTAL_PLUGINS", ["motcua.delivery.contrib.viettelpost.plugin"])
POSTAL_CARRIER = env_str("POSTAL_CARRIER", "viettelpost" if SANDBOX_ENABLED else "")
# Empty: the sandbox at SITE_URL/sandbox/post/api.
POSTAL_API_URL = env_str("POSTAL_API_URL", "")
# With the sandbox, its post office's token and webhook secret (derived, as above).
POSTAL_API_TOKEN = env_str(
    "POSTAL_API_TOKEN", _sandbox_secret("postal-token") if SANDBOX_ENABLED else ""
)
POSTAL_WEBHOOK_SECRET = env_str(
    "POSTAL_WEBHOOK_SECRET", _sandbox_secret("postal-webhook") if SANDBOX_ENABLED else ""
)

# --- SMS (motcua/notifications/contrib/sms, docs/notifications-sms.md) -------------------
# A Vietnamese brandname SMS API. Empty URL: the sandbox gateway at SITE_URL/sandbox/sms/api.
# With the sandbox on, its account (a fixed key and brandname, secrets derived as above) is
# the default; otherwise all four must be configured for the channel to send.
SANDBOX_SMS_API_KEY = "MOTCUA-SANDBOX"
SANDBOX_SMS_BRANDNAME = "MOTCUA"
SANDBOX_SMS_API_SECRET = _sandbox_secret("sms-api") if SANDBOX_ENABLED else ""
SANDBOX_SMS_CALLBACK_SECRET = _sandbox_secret("sms-callback") if SANDBOX_ENABLED else ""
SMS_API_URL = env_str("SMS_API_URL", "")
SMS_API_KEY = env_str("SMS_API_KEY", SANDBOX_SMS_API_KEY if SANDBOX_ENABLED else "")
SMS_API_SECRET = env_str("SMS_API_SECRET", SANDBOX_SMS_API_SECRET)
SMS_BRANDNAME = env_str("SMS_BRANDNAME", SANDBOX_SMS_BRANDNAME if SANDBOX_ENABLED else "")
# Signs the provider's delivery reports (POST /notifications/sms/report/).
SMS_CALLBACK_SECRET = env_str("SMS_CALLBACK_SECRET", SANDBOX_SMS_CALLBACK_SECRET)
# Seconds to wait for the provider; a timeout is a temporary failure (retried).
SMS_HTTP_TIMEOUT = env_int("SMS_HTTP_TIMEOUT", 5, minimum=1)
# An SMS is cut to this many GSM segments (160 characters alone, 153 each when joined).
SMS_MAX_SEGMENTS = env_int("SMS_MAX_SEGMENTS", 2, minimum=1)

# --- The national public service portal (motcua/nationalportal, docs/national-portal.md) ---
# Plugin modules to import (each registers a portal with @register("id")) and the id of the
# one dossier statuses are pushed to; empty = nothing is pushed. With the sandbox on, its
# copy of the portal's API on this server (/sandbox/dvcqg/) is the default (not in the
# tests, where every dossier event would call it: theirs switch it on).
NATIONAL_PORTAL_PLUGINS = env_list(
    "NATIONAL_PORTAL_PLUGINS", ["motcua.nationalportal.contrib.dvcqg.plugin"]
)
NATIONAL_PORTAL = env_str("NATIONAL_PORTAL", "dvcqg" if SANDBOX_ENABLED and not TESTING else "")
# A push the portal did not take (down, 5xx, 429) is tried again after 60 s, 2 min, 4 min...
# capped at an hour, NATIONAL_PORTAL_MAX_ATTEMPTS tries in all; then it waits for the desk
# (or an administrator's "retry all"). Each try waits at most NATIONAL_PORTAL_TIMEOUT_SECONDS.
NATIONAL_PORTAL_RETRY_SECONDS = env_int("NATIONAL_PORTAL_RETRY_SECONDS", 60, minimum=1)
NATIONAL_PORTAL_RETRY_MAX_SECONDS = env_int("NATIONAL_PORTAL_RETRY_MAX_SECONDS", 3600, minimum=1)
NATIONAL_PORTAL_MAX_ATTEMPTS = env_int("NATIONAL_PORTAL_MAX_ATTEMPTS", 12, minimum=1)
NATIONAL_PORTAL_TIMEOUT_SECONDS = env_int("NATIONAL_PORTAL_TIMEOUT_SECONDS", 10, minimum=1)
# The portal's API (Cổng Dịch vụ công quốc gia): base URL (empty: the sandbox under
# SITE_URL), the OAuth2 client credentials it issued to this installation, and the key that
# signs each message (HMAC-SHA256). With the sandbox on, its client and keys (derived from
# SECRET_KEY, as above) are the defaults.
SANDBOX_DVCQG_CLIENT_ID = "motcua-sandbox"
SANDBOX_DVCQG_CLIENT_SECRET = _sandbox_secret("dvcqg-client") if SANDBOX_ENABLED else ""
SANDBOX_DVCQG_SIGNING_SECRET = _sandbox_secret("dvcqg-signing") if SANDBOX_ENABLED else ""
DVCQG_API_URL = env_str("DVCQG_API_URL", "").rstrip("/")
DVCQG_CLIENT_ID = env_str("DVCQG_CLIENT_ID", SANDBOX_DVCQG_CLIENT_ID if SANDBOX_ENABLED else "")
DVCQG_CLIENT_SECRET = env_str("DVCQG_CLIENT_SECRET", SANDBOX_DVCQG_CLIENT_SECRET)
DVCQG_SIGNING_SECRET = env_str("DVCQG_SIGNING_SECRET", SANDBOX_DVCQG_SIGNING_SECRET)
# The sandbox portal's own side: how long its access tokens last, and whether it answers
# every call with 503 (an outage, also switched on its page /sandbox/dvcqg/).
SANDBOX_DVCQG_TOKEN_SECONDS = env_int("SANDBOX_DVCQG_TOKEN_SECONDS", 3600, minimum=10)
SANDBOX_DVCQG_OUTAGE = env_bool("SANDBOX_DVCQG_OUTAGE", False)

# --- Officers' daily digest (motcua/notifications/digest.py, decision 0043) -------------
# Local time (HH:MM, Asia/Ho_Chi_Minh) Celery beat sends it, on working days; dossiers due
# within this many working days are "due soon".
OFFICER_DIGEST_TIME = env_str("OFFICER_DIGEST_TIME", "07:00")
if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", OFFICER_DIGEST_TIME):
    raise ImproperlyConfigured("OFFICER_DIGEST_TIME must be HH:MM (00:00 to 23:59).")
OFFICER_DIGEST_DUE_DAYS = env_int("OFFICER_DIGEST_DUE_DAYS", 2, minimum=1)

# --- Refused calls from outside systems (motcua/core/rejected_calls.py) -----------------
# Payment notifications and postal webhooks that fail their signature are counted per day;
# this many of the most recent are kept, cut short, to see what was sent (0: none).
REJECTED_CALL_SAMPLES = env_int("REJECTED_CALL_SAMPLES", 100, minimum=0)

# --- Ratings and questions (motcua/feedback, decisions 0045 and 0046) ---------------
# The applicant may change a rating this many days after first giving it; officers see
# aggregates of groups of at least RATING_MIN_GROUP ratings only.
RATING_CHANGE_DAYS = env_int("RATING_CHANGE_DAYS", 30, minimum=0)
RATING_MIN_GROUP = env_int("RATING_MIN_GROUP", 5, minimum=2)
# Questions on procedures one client address may ask per hour.
QUESTIONS_PER_HOUR = env_int("QUESTIONS_PER_HOUR", 5, minimum=1)

# --- Public statistics (motcua/reports, decision 0063) -------------------------------
# /statistics/ is the same for everyone at a URL: Cache-Control public for this many seconds,
# and the rendered page kept as long in the cache. A client address may make the page be
# computed (a URL not in the cache) this many times a minute.
PUBLIC_STATISTICS_MAX_AGE = env_int("PUBLIC_STATISTICS_MAX_AGE", 300, minimum=0)
PUBLIC_STATISTICS_MISSES_PER_MINUTE = env_int("PUBLIC_STATISTICS_MISSES_PER_MINUTE", 60, minimum=1)
# --- Report exports (motcua/reports/exports.py, decision 0064) -------------------------
# Exports one officer may start per hour; days an export's file is kept; an export left
# queued or running this many minutes (its worker died) is marked failed.
REPORTS_EXPORTS_PER_HOUR = env_int("REPORTS_EXPORTS_PER_HOUR", 20, minimum=1)
REPORTS_EXPORT_KEEP_DAYS = env_int("REPORTS_EXPORT_KEEP_DAYS", 7, minimum=1)
REPORTS_EXPORT_STALE_MINUTES = env_int("REPORTS_EXPORT_STALE_MINUTES", 60, minimum=5)
# Without a broker an export is built in a thread of the web process, after the request
# (tests build it in the request, after commit, unless they turn this on).
REPORTS_EXPORT_IN_THREAD = CELERY_TASK_ALWAYS_EAGER and not TESTING

# --- Sign-in with a national identity provider (motcua/accounts/identity.py, docs/identity.md)
# Plugin modules to import (each registers a provider with @register("id")), and the ids of
# the providers the login page offers. With the sandbox on, VNeID is offered against the
# sandbox identity provider at SITE_URL/sandbox/vneid/ (decision 0074).
IDENTITY_PROVIDER_PLUGINS = env_list(
    "IDENTITY_PROVIDER_PLUGINS", ["motcua.accounts.contrib.vneid.plugin"]
)
IDENTITY_PROVIDERS = env_list("IDENTITY_PROVIDERS", ["vneid"] if SANDBOX_ENABLED else [])
# VNeID's OpenID Connect discovery document. Empty: the sandbox's, under SITE_URL.
VNEID_DISCOVERY_URL = env_str("VNEID_DISCOVERY_URL", "")
# The client MotCua is registered as at VNeID. With the sandbox on, the sandbox's client
# (a fixed id and a secret derived from SECRET_KEY) is the default.
_SANDBOX_VNEID_CLIENT_ID = "motcua-sandbox"
_SANDBOX_VNEID_CLIENT_SECRET = _sandbox_secret("vneid-client") if SANDBOX_ENABLED else ""
VNEID_CLIENT_ID = env_str("VNEID_CLIENT_ID", _SANDBOX_VNEID_CLIENT_ID if SANDBOX_ENABLED else "")
VNEID_CLIENT_SECRET = env_str("VNEID_CLIENT_SECRET", _SANDBOX_VNEID_CLIENT_SECRET)
# Scopes asked for: "openid profile" and the claims MotCua maps to the account.
VNEID_SCOPES = env_str("VNEID_SCOPES", "openid profile citizen_id phone address email")
# Seconds to wait for the provider; how long its discovery document and keys are kept.
VNEID_HTTP_TIMEOUT = env_int("VNEID_HTTP_TIMEOUT", 10, minimum=1)
VNEID_METADATA_TTL_SECONDS = env_int("VNEID_METADATA_TTL_SECONDS", 3600, minimum=0)
# Seconds of clock difference with the provider tolerated on the ID token's exp and iat.
VNEID_CLOCK_LEEWAY_SECONDS = env_int("VNEID_CLOCK_LEEWAY_SECONDS", 30, minimum=0)
# How long an identity verified by the provider but not yet tied to an account waits in the
# session for the person to create an account or sign in to link theirs.
VNEID_PENDING_SECONDS = env_int("VNEID_PENDING_SECONDS", 600, minimum=60)
# The sandbox identity provider's registered client (as VNeID's registration would have it):
# its id and secret, and the redirect and post-logout URIs it accepts (empty: MotCua's own
# under SITE_URL).
SANDBOX_VNEID_CLIENT_ID = env_str("SANDBOX_VNEID_CLIENT_ID", _SANDBOX_VNEID_CLIENT_ID)
SANDBOX_VNEID_CLIENT_SECRET = env_str("SANDBOX_VNEID_CLIENT_SECRET", _SANDBOX_VNEID_CLIENT_SECRET)
SANDBOX_VNEID_REDIRECT_URIS = env_list("SANDBOX_VNEID_REDIRECT_URIS", [])
SANDBOX_VNEID_LOGOUT_URIS = env_list("SANDBOX_VNEID_LOGOUT_URIS", [])
# The password every person of the sandbox population signs in with at the sandbox.
SANDBOX_VNEID_PASSWORD = env_str("SANDBOX_VNEID_PASSWORD", "MotCua-Demo-2026")

# --- Benchmarks ------------------------------------------------------------------
# Exposes /bench/json and /bench/insert, the machine's ceiling for bench/load_test.py.
BENCH_ENDPOINTS = env_bool("BENCH_ENDPOINTS", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# E-mail is unique case-insensitively through a functional constraint (accounts.User.Meta),
# which this check cannot see.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
