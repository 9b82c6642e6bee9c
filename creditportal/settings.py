"""Settings for creditportal.

Configuration comes only from environment variables. Every variable has a safe
development default so that ``make demo`` works on a bare machine; with
``DEBUG=false`` the development defaults for secrets are refused.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


# --- Secrets ---------------------------------------------------------------
# Development defaults. They are public (they are in this file) and so are
# refused when DEBUG is off.
DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production-000000"
DEV_FIELD_ENCRYPTION_KEY = base64.urlsafe_b64encode(b"dev-only-field-encryption-key-32").decode()
DEV_BLIND_INDEX_KEY = base64.urlsafe_b64encode(b"dev-only-blind-index-key-of-32by").decode()

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", DEV_FIELD_ENCRYPTION_KEY)
BLIND_INDEX_KEY = os.environ.get("BLIND_INDEX_KEY", DEV_BLIND_INDEX_KEY)


def _decode_key(name: str, value: str, *, exact: int | None = None, minimum: int | None = None) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii") + b"=" * (-len(value) % 4))
    except (ValueError, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured(f"{name}: not URL-safe base64") from exc
    if exact is not None and len(raw) != exact:
        raise ImproperlyConfigured(f"{name}: each key must decode to {exact} bytes, got {len(raw)}")
    if minimum is not None and len(raw) < minimum:
        raise ImproperlyConfigured(f"{name}: must decode to at least {minimum} bytes, got {len(raw)}")
    return raw


if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must name at least one key")
for _key in FIELD_ENCRYPTION_KEYS:
    _decode_key("FIELD_ENCRYPTION_KEYS", _key, exact=32)
_decode_key("BLIND_INDEX_KEY", BLIND_INDEX_KEY, minimum=32)

if not DEBUG:
    _defaults_in_use = [
        name
        for name, in_use in (
            ("SECRET_KEY", SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50),
            ("FIELD_ENCRYPTION_KEYS", DEV_FIELD_ENCRYPTION_KEY in FIELD_ENCRYPTION_KEYS),
            ("BLIND_INDEX_KEY", BLIND_INDEX_KEY == DEV_BLIND_INDEX_KEY),
        )
        if in_use
    ]
    if _defaults_in_use:
        raise ImproperlyConfigured(
            "DEBUG is off but these are unset or development defaults: "
            + ", ".join(_defaults_in_use)
            + ". Set them in the environment (see README, 'Operating')."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Applications ------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "simple_history",
    "import_export",
    "creditportal",
    "registry",
    "repair",
    "disclosure",
    "education",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # ID numbers never in an admin address (refused, with a message: needs messages).
    "registry.middleware.IdNumbersOutOfAdminAddressesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "creditportal.middleware.NoStoreForStaffPagesMiddleware",
]

ROOT_URLCONF = "creditportal.urls"
WSGI_APPLICATION = "creditportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "registry.context_processors.holiday_schedule",
                "repair.context_processors.public_site",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Guardian's anonymous user is not used: citizens are not Django users of the
# admin, and anonymous visitors get no object permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# --- Database ----------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'creditportal.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _sqlite_name = str(DATABASES["default"]["NAME"])
    if _sqlite_name not in ("", ":memory:") and not _sqlite_name.startswith("file:"):
        Path(_sqlite_name).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Internationalisation ------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded files (import files, later evidence) go through Django's storage API:
# local disk under MEDIA_ROOT for the demo and one machine; S3-compatible object
# storage (django-storages) when several web and worker machines must all read
# them. Set STORAGE_BACKEND=s3 and the S3_* variables for that.
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("S3_BUCKET", ""),
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID", ""),
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY", ""),
            "location": os.environ.get("S3_PREFIX", "creditportal"),
            # Personal data: private objects, server-side encryption, short-lived signed URLs.
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "object_parameters": {"ServerSideEncryption": "AES256"},
            "file_overwrite": False,
        },
    }
    if not _default_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs S3_BUCKET")
elif STORAGE_BACKEND == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be local or s3, not {STORAGE_BACKEND!r}")

STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# With DEBUG on (make serve's default), WhiteNoise finds static files in the
# apps directly; in production it serves what collectstatic gathered.
WHITENOISE_USE_FINDERS = DEBUG

# --- Celery -------------------------------------------------------------------
# Without REDIS_URL (the `make demo` path) tasks run eagerly in the caller's
# process; with it, a worker consumes them from Redis.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
SYSTEM_USERNAME = os.environ.get("SYSTEM_USERNAME", "system")

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- E-mail -------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "creditportal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Notifications (registry.notifications) -----------------------------------
# Text messages: a dotted path to a class with send(phone, text) (see
# registry/notifications/sms.py); the default writes them to the log.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "registry.notifications.sms.LogSmsBackend")
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 8)
# Wait before the 2nd attempt; doubled each time (60 s, 2 min, 4 min, ...), capped.
NOTIFICATION_RETRY_BASE_SECONDS = env_int("NOTIFICATION_RETRY_BASE_SECONDS", 60)
NOTIFICATION_RETRY_MAX_SECONDS = env_int("NOTIFICATION_RETRY_MAX_SECONDS", 6 * 3600)

# --- Admin --------------------------------------------------------------------
# Above this many rows (PostgreSQL planner estimate) the records changelist
# shows an estimated count instead of running COUNT(*) over the table.
ADMIN_ESTIMATED_COUNT_THRESHOLD = env_int("ADMIN_ESTIMATED_COUNT_THRESHOLD", 10000)

# --- Logging ------------------------------------------------------------------
# Every handler passes through the ID-masking filter: nothing shaped like a
# resident ID number reaches a log unmasked.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_ids": {"()": "registry.log_filters.MaskIdentifiersFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_ids"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO"), "propagate": False},
    },
}
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Bulk import of credit records (registry.importing) -------------------------
# Largest file the admin accepts (bytes); larger uploads are refused with a message.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
# Files above this size are checked and imported by a Celery worker (an ImportJob
# whose progress the admin shows); smaller ones within the request.
IMPORT_BACKGROUND_THRESHOLD_BYTES = env_int("IMPORT_BACKGROUND_THRESHOLD_BYTES", 2 * 1024 * 1024)
# At most this many problems are kept in a job's error report (all are counted).
IMPORT_MAX_REPORTED_ERRORS = env_int("IMPORT_MAX_REPORTED_ERRORS", 10000)
# A job that has shown no progress for this long (a killed worker) may be rerun.
IMPORT_STALE_SECONDS = env_int("IMPORT_STALE_SECONDS", 900)
# An uploaded file holds ID numbers in clear. It is deleted as soon as its import
# is done, and otherwise (a preview never confirmed, a failed or invalid file)
# after this many days without activity (daily task registry.tasks.purge_import_files).
IMPORT_FILE_RETENTION_DAYS = env_int("IMPORT_FILE_RETENTION_DAYS", 7)

# --- The public site (repair app) --------------------------------------------------
# The office whose contact every public page's footer shows.
PUBLIC_OFFICE = {
    "name": os.environ.get("PUBLIC_OFFICE_NAME", "云南省公共信用信息中心"),
    "address": os.environ.get("PUBLIC_OFFICE_ADDRESS", "云南省昆明市五华区示例路 1 号"),
    "phone": os.environ.get("PUBLIC_OFFICE_PHONE", "0871-12345678"),
    "email": os.environ.get("PUBLIC_OFFICE_EMAIL", "credit@example.gov.cn"),
    "hours": os.environ.get("PUBLIC_OFFICE_HOURS", "周一至周五 9:00-12:00, 13:30-17:00"),
}
# A one-time code is valid this long; a verified citizen session lasts this long.
VERIFICATION_CODE_MINUTES = env_int("VERIFICATION_CODE_MINUTES", 10)
VERIFIED_SESSION_MINUTES = env_int("VERIFIED_SESSION_MINUTES", 15)
# Wrong entries that kill a code; requests and attempts counted per person and per
# network address over a window (in the cache below).
VERIFICATION_MAX_ATTEMPTS = env_int("VERIFICATION_MAX_ATTEMPTS", 5)
VERIFICATION_RATE_WINDOW_SECONDS = env_int("VERIFICATION_RATE_WINDOW_SECONDS", 3600)
VERIFICATION_REQUESTS_PER_PERSON = env_int("VERIFICATION_REQUESTS_PER_PERSON", 3)
VERIFICATION_REQUESTS_PER_ADDRESS = env_int("VERIFICATION_REQUESTS_PER_ADDRESS", 10)
VERIFICATION_ATTEMPTS_PER_PERSON = env_int("VERIFICATION_ATTEMPTS_PER_PERSON", 10)
VERIFICATION_ATTEMPTS_PER_ADDRESS = env_int("VERIFICATION_ATTEMPTS_PER_ADDRESS", 30)
# Every answer to a code request takes at least this long, matched or not (a
# match sends mail; the time must not tell).
VERIFICATION_MIN_RESPONSE_SECONDS = float(os.environ.get("VERIFICATION_MIN_RESPONSE_SECONDS", "0.8"))
# Trust X-Forwarded-For's last hop for the client address (behind one proxy only).
USE_X_FORWARDED_FOR = env_bool("USE_X_FORWARDED_FOR", False)

# --- Cache (rate limits) ------------------------------------------------------------
# Redis when REDIS_URL is set (production); otherwise the database cache, whose
# table `make demo` and the tests create (manage.py createcachetable).
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "creditportal_cache"}}
