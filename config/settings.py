"""Settings for the clinic service, read from the environment (12-factor).

Every variable is listed in the README. With nothing set, the service runs on a SQLite
file and kombu's file-system broker under ``var/`` so a fresh clone works offline.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. `make run` writes one to .env; in production set it."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-debug"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Behind TLS (a reverse proxy that sets X-Forwarded-Proto): secure cookies, HSTS, redirect.
HTTPS = env.bool("HTTPS", default=False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Staff sessions (the staff site, the admin) on shared desk PCs: they end after
# STAFF_SESSION_IDLE_MINUTES without a request, and when the browser closes.
SESSION_COOKIE_AGE = env.int("STAFF_SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

INSTALLED_APPS = [
    # First, so its admin templates (header, the location in the corner) come before Django's.
    "staff",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "phonenumber_field",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "clinic",
    "notifications",
    "escalations",
    "assessments",
    "programs",
    "bookings",
    "clinical_rules",
    "records",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database that is briefly away answers 503 (and a read is retried once), never 500.
    "clinic.api.outages.DatabaseOutageMiddleware",
    # Accept-Language (or English); a signed-in API user's own language follows in
    # clinic.api.authentication, where DRF learns who they are.
    "django.middleware.locale.LocaleMiddleware",
    "clinic.api.middleware.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "clinic.api.middleware.IdempotencyMiddleware",
    "clinic.api.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'clinic.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Worker, beat and web share one file: wait for locks instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# Sign-in throttling (clinic.api.auth) must count across all workers: it uses the cache
# when CACHE_URL names Redis or Memcached, else a database table (made by migrate).
if any(shared in CACHES["default"]["BACKEND"].lower() for shared in ("redis", "memcached")):
    CACHES["login"] = {**CACHES["default"], "KEY_PREFIX": "login"}
    # The API's rate limits (clinic.api.throttling) count in that same shared store.
    CACHES["rate_limits"] = {**CACHES["default"], "KEY_PREFIX": "rate"}
else:
    CACHES["login"] = {
        # Django's database cache, with counters that two workers cannot both miss.
        "BACKEND": "clinic.cache.AtomicDatabaseCache",
        "LOCATION": "clinic_login_throttle",
    }
    # Not the table: a database write on every API request costs too much. Without a cache
    # server each worker process counts its own requests (README, Operations).
    CACHES["rate_limits"] = CACHES["default"]

AUTH_USER_MODEL = "clinic.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: every new password, on any path, signs the account out of the apps.
    {"NAME": "accounts.passwords.SignedOutOnNewPassword"},
]
PASSWORD_HASHERS = [
    "clinic.hashers.ClinicArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env.bool("FAST_PASSWORD_HASHER", default=False):
    # Tests only: Argon2 costs ~50 ms per login, which adds up over a test suite.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Largest request body the API accepts; bigger ones get 413 before they are read.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MAX_REQUEST_BYTES", default=256 * 1024)

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Hamstring clinic <noreply@localhost>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "clinic.api.authentication.ClinicJWTAuthentication",
        "clinic.api.authentication.ClinicSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "clinic.api.pagination.ClinicCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": ["clinic.api.parsers.ClinicJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "clinic.api.schema.ClinicAutoSchema",
    "EXCEPTION_HANDLER": "clinic.api.errors.problem_exception_handler",
    # Rate limits of the whole API (clinic/api/throttling.py), counted in the shared cache.
    "DEFAULT_THROTTLE_CLASSES": [
        "clinic.api.throttling.UserRateThrottle",
        "clinic.api.throttling.AddressRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        # Sign-in attempts per client address, over all usernames (clinic.api.auth).
        "login": env("LOGIN_THROTTLE_RATE", default="30/min"),
        # A busy front desk clicks well under this; a stuck client loop does not.
        "user": env("API_RATE_USER", default="600/min"),
        # One location's staff may share one address (NAT), so this one is wider.
        "address": env("API_RATE_ADDRESS", default="3000/min"),
    },
    # Proxies in front that append to X-Forwarded-For; 0 takes the client from the socket.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=30)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "AUTH_HEADER_TYPES": ("Bearer",),
    # Answers {"mfa_required", "mfa_token"} instead of tokens for staff who need two-factor.
    "TOKEN_OBTAIN_SERIALIZER": "accounts.serializers.SignInSerializer",
}
# Failed sign-ins per username and client address before that pair is locked out (429).
LOGIN_MAX_FAILURES = env.int("LOGIN_MAX_FAILURES", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)

# The OpenAPI document's top-level tags: one per resource, in the order a reader meets them.
API_TAGS = [
    {"name": "auth", "description": "Sign in, refresh and sign out (JWT)."},
    {"name": "me", "description": "The signed-in user."},
    {"name": "locations", "description": "The clinic's two locations."},
    {"name": "clinicians", "description": "Physiotherapists and where they work."},
    {"name": "patients", "description": "Patients' administrative records (staff)."},
    {"name": "assessments", "description": "Clinical assessments and the rules they fire."},
    {"name": "exercises", "description": "The exercise library of the five-step method."},
    {"name": "programs", "description": "Five-step programs, their steps and prescriptions."},
    {"name": "check-ins", "description": "Patients' self-reports, with alerts and advice."},
    {"name": "escalations", "description": "Flags that need a clinician's attention."},
    {"name": "caseload", "description": "A clinician's patients, most urgent first."},
    {"name": "appointment-types", "description": "Kinds of appointment and their length."},
    {"name": "availability", "description": "Free slots to book."},
    {"name": "appointments", "description": "Booking, moving and cancelling appointments."},
    {"name": "calendar-feed", "description": "A clinician's private iCalendar feed."},
    {"name": "calendar", "description": "The iCalendar feed itself (token in the URL)."},
    {"name": "notifications", "description": "Messages sent or planned: a patient's inbox."},
    {"name": "access-log", "description": "Who opened which record (NEN 7513), for managers."},
    {"name": "rules", "description": "Every clinical rule, its severity and thresholds in force."},
    {"name": "rule-settings", "description": "A location's thresholds, severities, exit criteria."},
    {"name": "auth-events", "description": "Invitations, resets, two-factor: for managers."},
]

SPECTACULAR_SETTINGS = {
    "TITLE": "Hamstring clinic API",
    "DESCRIPTION": (
        "Clinic-side API of the hamstring clinic (Rotterdam, Zoetermeer): patients, "
        "assessments, the five-step program, check-ins, escalations, appointments and "
        "notifications. Errors are RFC 9457 problem details."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "CONTACT": {"name": "Hamstring clinic back office", "email": "it@clinic.example"},
    "LICENSE": {"name": "Proprietary: for the clinic's own apps and partners"},
    "SERVERS": [
        {
            "url": env("API_PUBLIC_URL", default="http://127.0.0.1:8000"),
            "description": "This service",
        }
    ],
    "TAGS": API_TAGS,
    "ENUM_NAME_OVERRIDES": {
        "Step": "programs.models.Step",
        "ProgramStatus": "programs.models.ProgramStatus",
        "ReferredTo": "programs.models.ReferredTo",
        "EscalationStatus": "escalations.models.EscalationStatus",
        "Severity": "escalations.models.Severity",
        "AppointmentStatus": "bookings.models.AppointmentStatus",
        "CancelReason": "bookings.models.CancelReason",
        "NotificationStatus": "notifications.models.Status",
        "Channel": "notifications.models.Channel",
        "NotificationKind": "notifications.models.Kind",
        "GateCriterion": "programs.rules.GATE_CRITERIA",
    },
    # A blank choice is "not given": say it with nullable/required, not a "BlankEnum".
    "ENUM_ADD_EXPLICIT_BLANK_NULL_CHOICE": False,
    "ENUM_SUFFIX": "",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "clinic.api.schema.add_problem_schema",
        "clinic.api.schema.name_integer_enums",
        "clinic.api.schema.open_growing_codes",
        "clinic.api.schema.add_examples",
    ],
}

# Problem-details "type" URIs are this base plus the error code (".../slot_taken").
PROBLEM_TYPE_BASE = env("PROBLEM_TYPE_BASE", default="https://clinic.example/problems/")

# A patient's view of who opened their record names the staff member (clinic policy).
ACCESS_LOG_SHOWS_STAFF_NAMES = env.bool("ACCESS_LOG_SHOWS_STAFF_NAMES", default=True)

# --- Celery -----------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
    # kombu creates only its control folder; the worker lists "queue" as soon as it polls.
    for _folder in ("queue", "processed"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
else:
    # Far above the longest task, so a long task is not redelivered while it still runs.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# Tasks are idempotent, so a task whose worker dies is safe to run again.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Notifications and scheduling (notifications) -----------------------------------
# Beat schedules are in CELERY_TIMEZONE (clinic time), so 08:00 stays 08:00 across DST.
NOTIFICATION_SWEEP_SECONDS = env.float("NOTIFICATION_SWEEP_SECONDS", default=15)
CELERY_BEAT_SCHEDULE.update(
    {
        "notifications-deliver-sweep": {
            "task": "notifications.sweep",
            "schedule": timedelta(seconds=NOTIFICATION_SWEEP_SECONDS),
        },
        "notifications-plan-check-in-reminders": {
            "task": "programs.plan_check_in_reminders",
            "schedule": crontab(minute="*/30"),
        },
        "notifications-escalation-digest": {
            "task": "programs.send_escalation_digests",
            "schedule": crontab(hour=8, minute=0),
        },
        "programs-nightly-trend-review": {
            "task": "programs.trend_review_sweep",
            "schedule": crontab(hour=2, minute=30),
        },
    }
)
# Drills only (tests/notifications/test_two_beats.py): every scheduled job runs this often,
# in seconds, instead of at its clock time, so hours of beat work fit in a minute.
BEAT_DRILL_SECONDS = env.float("BEAT_DRILL_SECONDS", default=0)
if BEAT_DRILL_SECONDS:
    for _entry in CELERY_BEAT_SCHEDULE.values():
        if _entry["task"] != "notifications.sweep":
            _entry["schedule"] = timedelta(seconds=BEAT_DRILL_SECONDS)
# Delay before a booking's messages go out, absorbing a booking moved or cancelled at once.
NOTIFICATION_GRACE_SECONDS = env.float("NOTIFICATION_GRACE_SECONDS", default=300)
NOTIFICATION_APPOINTMENT_REMINDER_HOURS = env.float(
    "NOTIFICATION_APPOINTMENT_REMINDER_HOURS", default=24
)
NOTIFICATION_QUIET_HOURS_START = env("NOTIFICATION_QUIET_HOURS_START", default="21:00")
NOTIFICATION_QUIET_HOURS_END = env("NOTIFICATION_QUIET_HOURS_END", default="08:00")
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
NOTIFICATION_RETRY_SECONDS = env.float("NOTIFICATION_RETRY_SECONDS", default=60)
NOTIFICATION_BATCH_SIZE = env.int("NOTIFICATION_BATCH_SIZE", default=200)
# A delivery task claims no new batch after this long and hands over to a fresh task, so a
# worker asked to stop (SIGTERM) finishes within about this time plus one batch.
NOTIFICATION_DELIVERY_SECONDS = env.float("NOTIFICATION_DELIVERY_SECONDS", default=10)
# A claimed row whose worker died is "in doubt" after this; above CELERY_TASK_TIME_LIMIT.
NOTIFICATION_CLAIM_LEASE_SECONDS = env.float("NOTIFICATION_CLAIM_LEASE_SECONDS", default=600)
NOTIFICATION_CHANNEL_BACKENDS = {
    "email": "notifications.channels.EmailBackend",
    "sms": env("NOTIFICATION_SMS_BACKEND", default="notifications.channels.LogBackend"),
    "push": env("NOTIFICATION_PUSH_BACKEND", default="notifications.channels.LogBackend"),
    "in_app": "notifications.channels.InAppBackend",
}
# One backend for every channel (tests, benchmark): notifications.channels.FileSinkBackend
NOTIFICATION_CHANNEL_BACKEND = env("NOTIFICATION_CHANNEL_BACKEND", default="")
NOTIFICATION_SINK_PATH = env("NOTIFICATION_SINK_PATH", default=str(VAR_DIR / "notifications.jsonl"))
NOTIFICATION_SINK_DELAY_MS = env.float("NOTIFICATION_SINK_DELAY_MS", default=0)

# --- Accounts: invitations, password reset, two-factor (accounts/) -----------------------
APP_INVITATION_HOURS = env.float("APP_INVITATION_HOURS", default=72)
# Django's PasswordResetTokenGenerator: a reset link lives this long, and is single use.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_MINUTES", default=60) * 60
# Reset requests per account (beyond it nothing is sent, the answer is still 202) and per
# client address (beyond it 429), in PASSWORD_RESET_WINDOW_MINUTES.
PASSWORD_RESET_PER_ACCOUNT = env.int("PASSWORD_RESET_PER_ACCOUNT", default=3)
PASSWORD_RESET_PER_ADDRESS = env.int("PASSWORD_RESET_PER_ADDRESS", default=20)
PASSWORD_RESET_WINDOW_MINUTES = env.int("PASSWORD_RESET_WINDOW_MINUTES", default=60)
# Which staff need a second factor: "managers", "all" staff, or "none" (only with DEBUG).
STAFF_2FA = env("STAFF_2FA", default="managers")
if STAFF_2FA not in {"managers", "all", "none"}:
    raise ImproperlyConfigured("STAFF_2FA must be managers, all or none.")
if STAFF_2FA == "none" and not DEBUG:
    raise ImproperlyConfigured("STAFF_2FA=none is only allowed with DEBUG.")
# Seconds between a correct password and the second step of an API sign-in.
MFA_TOKEN_SECONDS = env.int("MFA_TOKEN_SECONDS", default=300)
OTP_TOTP_ISSUER = "Hamstring clinic"
# django-otp's own admin never shows an authenticator's key or QR code (a superuser either).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Links in invitation and reset messages open the app (a deep link, or a web page).
APP_LINK_BASE = env("APP_LINK_BASE", default="hamstringclinic://")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

STATIC_ROOT.mkdir(parents=True, exist_ok=True)
