"""Balai settings, read from the environment.

BALAI_ENV selects the mode: ``development`` (default), ``test`` or ``production``.
Production refuses to start without real DATABASE_URL, REDIS_URL and SECRET_KEY;
development without DATABASE_URL/REDIS_URL starts embedded servers (balai.devservices).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

REPO_DIR = Path(__file__).resolve().parents[2]
env = environ.Env()

# Under pytest the default is the test mode, so a bare `pytest` never touches a dev database.
BALAI_ENV = env.str("BALAI_ENV", default="test" if "pytest" in sys.modules else "development")
if BALAI_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"BALAI_ENV must be development, test or production: {BALAI_ENV!r}")
PRODUCTION = BALAI_ENV == "production"
TESTING = BALAI_ENV == "test"


def _required_in_production(name: str) -> str | None:
    value = env.str(name, default="") or None
    if PRODUCTION and not value:
        raise ImproperlyConfigured(f"{name} must be set when BALAI_ENV=production")
    return value


SECRET_KEY = _required_in_production("SECRET_KEY") or "balai-development-only-not-secret"
DEBUG = env.bool("DEBUG", default=BALAI_ENV == "development")

_database_url = _required_in_production("DATABASE_URL")
_redis_url = _required_in_production("REDIS_URL")
if not _database_url or not _redis_url:
    from balai import devservices

    _database_url = _database_url or devservices.embedded_database_url()
    _redis_url = _redis_url or devservices.embedded_redis_url()
    # Child processes (worker, beat, runserver's reloader) reuse the same servers.
    os.environ.setdefault("DATABASE_URL", _database_url)
    os.environ.setdefault("REDIS_URL", _redis_url)
REDIS_URL = _redis_url

# Hosts: the public (control-plane) host is BALAI_BASE_DOMAIN; village N lives on
# <slug>.BALAI_BASE_DOMAIN or on a custom domain recorded in tenants.Domain.
BALAI_BASE_DOMAIN = env.str("BALAI_BASE_DOMAIN", default="localhost").lower().strip(".")
BALAI_PUBLIC_HOSTS = {BALAI_BASE_DOMAIN, *env.list("BALAI_EXTRA_PUBLIC_HOSTS", default=[])}
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[BALAI_BASE_DOMAIN, f".{BALAI_BASE_DOMAIN}"])
if TESTING:
    ALLOWED_HOSTS = ["*"]
# Seconds a web process trusts its in-memory host -> village map before asking the
# database again. Changes are broadcast through Redis (see tenants.routing), so this is
# only the bound that holds when Redis is unreachable.
BALAI_ROUTING_CACHE_SECONDS = env.float("BALAI_ROUTING_CACHE_SECONDS", default=10.0)
# How often a process asks Redis whether another process changed routing.
BALAI_ROUTING_SYNC_SECONDS = env.float("BALAI_ROUTING_SYNC_SECONDS", default=1.0)
# Ready-made village schemas kept in stock so onboarding only renames one.
BALAI_SCHEMA_POOL_SIZE = env.int("BALAI_SCHEMA_POOL_SIZE", default=5)
BALAI_PG_DUMP = env.str("BALAI_PG_DUMP", default="")
BALAI_DATA_DIR = Path(env.str("BALAI_DATA_DIR", default=str(Path.cwd() / ".balai-data")))
try:
    BALAI_DATA_DIR.mkdir(parents=True, exist_ok=True)
except OSError:  # a read-only data folder is fine for web processes
    pass
BALAI_EXPORT_DIR = Path(env.str("BALAI_EXPORT_DIR", default=str(BALAI_DATA_DIR / "exports")))

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "balai.regions",
    "balai.accounts",
    "balai.onboarding",
    "balai.supervision",
    "balai.marketplace",
    "balai.learning",
    "balai.rollups",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Trigram indexes (resident names, the product catalog) and their OpClass wrapper.
    "django.contrib.postgres",
    "django.contrib.admin",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_htmx",
    "frontend",
    "balai",
]
TENANT_APPS = [
    "services.village",
    "services.residents",
    "services.events",
    "services.imports",
    "services.audit",
    "services.letters",
    "services.news",
    "services.budget",
    "services.complaints",
    "services.economy",
    "services.programmes",
    "services.notifications",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Village"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "balai.urls_public"
ROOT_URLCONF = "balai.urls_village"
# Issue SET search_path once per connection and schema switch, not before every cursor.
TENANT_LIMIT_SET_CALLS = True
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

MIDDLEWARE = [
    "tenants.middleware.VillageRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "balai.accounts.middleware.ResidentSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [REPO_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    }
]
WSGI_APPLICATION = "balai.wsgi.application"

_db = env.db_url_config(_database_url)
_db["ENGINE"] = "django_tenants.postgresql_backend"
# Every village schema a connection touches grows PostgreSQL's per-backend catalog cache
# (bench/results/catalog.md); recycling connections bounds that growth (deploy/README.md).
_db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=300)
_db["CONN_HEALTH_CHECKS"] = True
_db.setdefault("OPTIONS", {})["application_name"] = env.str("DB_APPLICATION_NAME", default="balai")
if TESTING:
    _db["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="balai_test")}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="balai"),
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"

# Session cookies are host-only: a login on one village host is never sent to another.
SESSION_COOKIE_DOMAIN = None
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [REPO_DIR / "frontend" / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BALAI_DATA_DIR / "static")))
# Outside production WhiteNoise also serves straight from the apps' static folders, so
# development and tests need no collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
if PRODUCTION:
    # `balai collectstatic` writes hashed, pre-compressed files that browsers cache forever.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BALAI_DATA_DIR / "media")))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        "balai.accounts.authentication.ResidentSessionAuthentication",
        "balai.accounts.authentication.ResidentTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "balai.api_errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {"TITLE": "Balai API", "VERSION": "0.1.0", "SERVE_INCLUDE_SCHEMA": False}

# Celery: Redis broker, tasks acknowledged after they finish so a killed worker's task is
# redelivered; tasks are therefore written to be safe to run twice.
# kombu names a Redis Unix socket (the embedded development server) redis+socket://.
_celery_redis_url = (
    "redis+socket://" + REDIS_URL.removeprefix("unix://")
    if REDIS_URL.startswith("unix://")
    else REDIS_URL
)
CELERY_BROKER_URL = _celery_redis_url
CELERY_RESULT_BACKEND = _celery_redis_url
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A connection's catalog cache grows with each village schema it touches (31-96 KiB per
# village with today's apps, bench/results/catalog.md; more as village apps grow):
# recycle worker processes after this many tasks to bound it.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=500)
# CELERY_DB_REUSE_MAX (environment, default 200; read in balai.celery_app): tasks a worker
# keeps its database connection for instead of reconnecting around every task.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Beat schedules read in Indonesian western time, like the villages they serve.
CELERY_TIMEZONE = "Asia/Jakarta"
CELERY_BEAT_SCHEDULE_FILENAME = str(BALAI_DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "refill-schema-pool": {
        "task": "balai.tenants.refill_schema_pool",
        "schedule": crontab(minute="*/5"),
    },
    # Fans out one escalation message per village (services.complaints.tasks).
    "complaints-escalation-sweep": {
        "task": "balai.complaints.escalation_sweep",
        "schedule": crontab(minute=17),
    },
    # Records "announcement.published" for scheduled announcements now due (services.news.tasks).
    "news-announcements-fan-out": {
        "task": "balai.news.announcements_fan_out",
        "schedule": crontab(minute="*/5"),
    },
    # Re-queues waiting notifications and ends stuck ones (services.notifications.tasks).
    "notifications-sweep": {
        "task": "balai.notifications.sweep_fan_out",
        "schedule": env.int("BALAI_NOTIFY_SWEEP_SECONDS", default=60),
    },
    # Every active village's indicators of the day just ended (balai.rollups.tasks).
    "rollups-nightly": {
        "task": "balai.rollups.nightly",
        "schedule": crontab(hour=0, minute=40),
    },
    "marketplace-resync-nightly": {
        "task": "balai.marketplace.resync_all",
        # 02:15 WIB, when villages are quiet.
        "schedule": crontab(hour=2, minute=15),
    },
    # Digital-adoption figures per village (balai.learning.tasks fans out one per village).
    "learning-adoption-refresh-nightly": {
        "task": "balai.learning.adoption_refresh_all",
        "schedule": crontab(hour=2, minute=45),
    },
}
# Notifications: first retry delay (doubles per attempt), how long a message may stay in
# "sending" before the sweep takes it back (longer than the send task's 300 s time limit,
# so a live task is never overtaken), and a failing provider's cool-down.
BALAI_NOTIFY_RETRY_BASE_SECONDS = env.int("BALAI_NOTIFY_RETRY_BASE_SECONDS", default=30)
BALAI_NOTIFY_SENDING_TIMEOUT_SECONDS = env.int("BALAI_NOTIFY_SENDING_TIMEOUT_SECONDS", default=600)
BALAI_NOTIFY_BREAKER_COOLDOWN_SECONDS = env.int("BALAI_NOTIFY_BREAKER_COOLDOWN_SECONDS", default=60)
# Roll-ups: recompute a village this many seconds after a change (one recompute per burst);
# switched off under tests except where a test turns it on.
BALAI_ROLLUP_ON_CHANGE = env.bool("BALAI_ROLLUP_ON_CHANGE", default=not TESTING)
BALAI_ROLLUP_DEBOUNCE_SECONDS = env.int("BALAI_ROLLUP_DEBOUNCE_SECONDS", default=10)
# Anonymous complaint filing: at most this many per IP address and per phone number in
# each window (Redis cache). The bench raises it; production keeps the default.
BALAI_COMPLAINT_ANON_LIMIT = env.int("BALAI_COMPLAINT_ANON_LIMIT", default=5)
BALAI_COMPLAINT_ANON_WINDOW_SECONDS = env.int("BALAI_COMPLAINT_ANON_WINDOW_SECONDS", default=3600)
# The request header that carries the client's address when a proxy is in front (e.g.
# HTTP_X_REAL_IP, which nginx overwrites with $remote_addr); empty: REMOTE_ADDR.
BALAI_CLIENT_IP_HEADER = env.str("BALAI_CLIENT_IP_HEADER", default="")

SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default=BALAI_ENV)
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from balai.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"scrub_pii": {"()": "balai.logging_filters.ScrubPersonalDataFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["scrub_pii"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
