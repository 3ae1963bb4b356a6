"""Settings shared by every environment; values come from the environment (12-factor)."""

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "auditlog",
    "channels",
    "contactcenter.apps.ContactcenterConfig",
    "projects",
    "agents",
    "calls",
    "quality",
    "workforce",
    "billing",
    "dashboard",
    "wallboard",
    "demo",
    "alerts",
    "webhooks",
    "live",
    "telephony",
    "portal",
    "selfservice",
]

MIDDLEWARE = [
    # Outermost: times the whole request, logs it once, and gives it an id (X-Request-ID).
    "contactcenter.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (admin, API docs, dashboard CSS) served by the app server itself.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of each request: the admin's switch (a cookie), else Accept-Language
    # (the API's error messages follow it), else LANGUAGE_CODE (docs/i18n.md).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The audit trail's actor: the session user, or the API token's user once DRF has
    # authenticated it (contactcenter.audit).
    "contactcenter.audit.AuditActorMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out username+address before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "contactcenter.urls"
WSGI_APPLICATION = "contactcenter.wsgi.application"
# The ASGI entry (HTTP and WebSocket; docs/wallboard.md) and its WebSocket routes, named
# by string so that contactcenter imports no app.
ASGI_APPLICATION = "contactcenter.asgi.application"
WEBSOCKET_URLPATTERNS = "wallboard.routing.websocket_urlpatterns"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "contactcenter" / "templates"],
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


def _as_role(url, role):
    """``url`` with ``role`` as its user and no password."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{role}@{parts.netloc.rpartition('@')[2]}"))


# Two PostgreSQL roles (docs/database-roles.md): the application connects as a role that
# reads and writes rows and owns nothing (DATABASE_URL), so it cannot switch the database's
# guards off; migrations run as the schema's owner (MIGRATE_DATABASE_URL, by default the
# same URL with the owner role): `DATABASE_ROLE=owner manage.py migrate`, as `make db` does.
DATABASE_URL = env(
    "DATABASE_URL", default="postgres://contactcenter_app@127.0.0.1:5432/contactcenter"
)
MIGRATE_DATABASE_URL = env(
    "MIGRATE_DATABASE_URL", default=_as_role(DATABASE_URL, "contactcenter_owner")
)
DATABASE_ROLE = env("DATABASE_ROLE", default="app")
if DATABASE_ROLE not in ("app", "owner"):
    raise ImproperlyConfigured(f"DATABASE_ROLE is 'app' or 'owner', not {DATABASE_ROLE!r}.")
DATABASES = {
    "default": env.db_url_config(MIGRATE_DATABASE_URL if DATABASE_ROLE == "owner" else DATABASE_URL)
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Idle request threads the ASGI server keeps per process, each with its database connection
# (contactcenter/asgi_threads.py); more requests at once get more threads, dropped after.
ASGI_IDLE_THREADS = env.int("ASGI_IDLE_THREADS", default=8)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages (docs/i18n.md): English source strings, a Russian catalogue per app in
# <app>/locale/ru/LC_MESSAGES/django.po. DJANGO_LANGUAGE_CODE is the default of a request
# that names none (dev and the demo: Russian; tests: English); each user switches in the
# admin's header. Russian number formats: contactcenter/formats/ru/formats.py.
LANGUAGE_CODE = env("DJANGO_LANGUAGE_CODE", default="en")
LANGUAGES = [("ru", "Русский"), ("en", "English")]
FORMAT_MODULE_PATH = ["contactcenter.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # the admin switch's choice sticks for a year
TIME_ZONE = "UTC"
# The zone an admin list spanning projects of different zones shows its days and times in
# (projects.admin_time); a list of one project's rows uses that project's zone.
DISPLAY_TIME_ZONE = env("DISPLAY_TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True  # every instant is stored in UTC (SPEC section 2)

# A batch of 10,000 calls is about 3.6 MB of JSON; Django's 2.5 MB default would refuse it.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=32 * 1024 * 1024)
# A multipart upload (the CSV import's 50 MB file and its envelope) past this is a 413
# before it is read (contactcenter.api.parsers); Django itself bounds only a form's fields.
FILE_UPLOAD_MAX_BYTES = env.int("FILE_UPLOAD_MAX_BYTES", default=51 * 1024 * 1024)

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Generated files (monthly invoice archives); a shared volume or object storage in production.
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# The cache holds the API's rate and failed-token counters: Redis in production (shared by
# every worker process), this process's memory where CACHE_URL is not set (dev, tests).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# KPI answers (projects/{code}/kpis/, pool/occupancy/) kept until a rollup changes the days
# they cover, at most this long; 0 turns the cache off (calls/kpi_cache.py, docs/kpis.md).
KPI_CACHE_SECONDS = env.int("KPI_CACHE_SECONDS", default=600)

# Proxies in front of the app whose X-Forwarded-For entries are trusted (0: use the
# connection's address; 1 behind one reverse proxy). A client cannot forge its address
# past this count, so it cannot dodge the login and token lockouts (contactcenter.throttling).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Admin login throttling (django-axes, attempts stored in the database): the Nth failed
# login of one username from one address locks that pair out for the cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "contactcenter.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "contactcenter.throttling.admin_lockout_response"

# API token throttling (contactcenter.throttling): the Nth request with a wrong token from
# one address within the window locks that address out for the lockout time: its wrong
# tokens get 429 with Retry-After; a valid token is always served (docs/tokens.md).
API_AUTH_FAILURE_LIMIT = env.int("API_AUTH_FAILURE_LIMIT", default=10)
API_AUTH_FAILURE_WINDOW_SECONDS = env.int("API_AUTH_FAILURE_WINDOW_SECONDS", default=900)
API_AUTH_LOCKOUT_SECONDS = env.int("API_AUTH_LOCKOUT_SECONDS", default=900)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "contactcenter.throttling.ThrottledTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "contactcenter.throttling.AnonRateThrottle",
        "contactcenter.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="120/minute"),
        # An integration posting 10,000-call batches needs few requests; a dashboard
        # or a load test many more: per user, generous.
        "user": env("API_THROTTLE_USER", default="6000/minute"),
    },
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "contactcenter.api.pagination.PageNumberPagination",
    # orjson, byte for byte what DRF's JSONRenderer writes (contactcenter/api/renderers.py).
    "DEFAULT_RENDERER_CLASSES": [
        "contactcenter.api.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "contactcenter.api.exceptions.exception_handler",
    # JSON bounded in size (413) and nesting (400); multipart in size (contactcenter.api.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "contactcenter.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "contactcenter.api.parsers.BoundedMultiPartParser",
    ],
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Contact center operations API",
    "DESCRIPTION": (
        "Clients, projects, operators, tariffs and call records of an outsourced contact "
        "center. Authenticate with `Authorization: Token <key>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from the sidecar package: served from our static files, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets whose field name another set also uses: named here (a dotted path, not an
    # import), so the schema's enum names are stable (ReasonEnum: the name it always had).
    "ENUM_NAME_OVERRIDES": {
        "ReasonEnum": "agents.models.DismissalReason",
        "ParkedCallReasonEnum": "telephony.models.ParkedCall.Reason",
    },
}

# Celery: JSON only, explicit time limits, no result storage (tasks report through the database).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="contactcenter")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A lost worker (SIGKILL, OOM, a lost host) never acknowledges the task it ran, and the
# idempotent tasks are acknowledged only after they ran (acks_late), so Redis hands the
# task out again after this many seconds. It must stay above the longest task time limit
# (3300 s), or a task still running would be given to a second worker. The fault tests
# shorten it for their own workers (tests/faults/).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=3600),
}
# When only a pool process dies (the OOM killer, a SIGKILL), the worker itself would
# acknowledge its acks_late task as failed and the job would be lost; this puts it back in
# the queue instead, to run again at once. Only acks_late tasks are affected, and those are
# the idempotent ones.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# KPI rollups and alerts (calls.rollups, alerts: docs/alerts.md).
KPI_ROLLUP_LATE_COMMIT_SECONDS = env.int("KPI_ROLLUP_LATE_COMMIT_SECONDS", default=600)
KPI_ALERT_MIN_OFFERED = env.int("KPI_ALERT_MIN_OFFERED", default=10)
ALERT_DELIVERY_MAX_ATTEMPTS = env.int("ALERT_DELIVERY_MAX_ATTEMPTS", default=6)
ALERT_DELIVERY_BACKOFF_SECONDS = env.int("ALERT_DELIVERY_BACKOFF_SECONDS", default=30)
# Live alert conditions (live.alert_conditions): thresholds, and how often a live update may
# judge a project's live conditions.
ALERT_WAITING_CALLS = env.int("ALERT_WAITING_CALLS", default=5)
ALERT_LONGEST_WAIT_SECONDS = env.int("ALERT_LONGEST_WAIT_SECONDS", default=120)
ALERT_LIVE_EVALUATE_SECONDS = env.int("ALERT_LIVE_EVALUATE_SECONDS", default=15)
ALERT_OUT_OF_ADHERENCE_SECONDS = env.int("ALERT_OUT_OF_ADHERENCE_SECONDS", default=600)
# The wallboard re-sends each project's current intraday interval this often (seconds).
WALLBOARD_INTRADAY_SECONDS = env.int("WALLBOARD_INTRADAY_SECONDS", default=60)
ALERT_WEBHOOK_TIMEOUT_SECONDS = env.int("ALERT_WEBHOOK_TIMEOUT_SECONDS", default=10)

# Asterisk queue_log import (docs/telephony-queue-log.md): a call with no line for this long
# expires (reported, not stored); a pause reason that is no break reason code becomes this.
QUEUE_LOG_PENDING_EXPIRY_SECONDS = env.int("QUEUE_LOG_PENDING_EXPIRY_SECONDS", default=4 * 3600)
QUEUE_LOG_DEFAULT_BREAK_REASON = env("QUEUE_LOG_DEFAULT_BREAK_REASON", default="break")
# Webhooks (docs/webhooks.md): seconds before each retry (1 min, 5 min, 30 min, 2 h, 6 h,
# 12 h), the request timeout, days of failures before an endpoint is switched off, hours the
# old secret still signs after a rotation, and whether loopback/private URLs may receive
# (never in production: server-side request forgery).
WEBHOOK_RETRY_SECONDS = env.list(
    "WEBHOOK_RETRY_SECONDS", cast=int, default=[60, 300, 1800, 7200, 21600, 43200]
)
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
WEBHOOK_DISABLE_AFTER_DAYS = env.int("WEBHOOK_DISABLE_AFTER_DAYS", default=3)
WEBHOOK_SECRET_GRACE_HOURS = env.int("WEBHOOK_SECRET_GRACE_HOURS", default=24)
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=False)

# Workforce: the center's zone (the days of pool shifts and absences), schedule adherence
# thresholds and the intraday reforecast (docs/adherence.md, docs/intraday.md).
CENTER_TIME_ZONE = env("CENTER_TIME_ZONE", default="Europe/Moscow")
ADHERENCE_LATE_LOGIN_SECONDS = env.int("ADHERENCE_LATE_LOGIN_SECONDS", default=120)
ADHERENCE_EARLY_LOGOUT_SECONDS = env.int("ADHERENCE_EARLY_LOGOUT_SECONDS", default=120)
ADHERENCE_LONG_BREAK_SECONDS = env.int("ADHERENCE_LONG_BREAK_SECONDS", default=120)
ADHERENCE_UNSCHEDULED_BREAK_SECONDS = env.int("ADHERENCE_UNSCHEDULED_BREAK_SECONDS", default=120)
INTRADAY_MIN_CALLS = env.int("INTRADAY_MIN_CALLS", default=30)
INTRADAY_MIN_ELAPSED_SECONDS = env.int("INTRADAY_MIN_ELAPSED_SECONDS", default=3600)
INTRADAY_FACTOR_BOUNDS = (0.5, 2.0)

# Live state (live.state, docs/live.md): the Redis it lives in, a DB number of its own
# (Celery's broker holds 0), and its key prefix; a call's events close into a call record
# when no record came this long after its last event.
LIVE_REDIS_URL = env("LIVE_REDIS_URL", default="redis://127.0.0.1:6379/2")
LIVE_KEY_PREFIX = env("LIVE_KEY_PREFIX", default="live:")
LIVE_STALE_CALL_SECONDS = env.int("LIVE_STALE_CALL_SECONDS", default=3600)
# The wallboard's push (live.push): Django Channels on Redis, another DB number again.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [env("CHANNEL_REDIS_URL", default="redis://127.0.0.1:6379/3")]},
    }
}

# Bounds of a call record and of every instant a batch row states (docs/limits.md). The
# database's CHECKs hold the defaults, so a setting may only tighten them.
CALL_MAX_CONNECTED_SECONDS = env.int("CALL_MAX_CONNECTED_SECONDS", default=86_400)
CALL_MAX_WAIT_SECONDS = env.int("CALL_MAX_WAIT_SECONDS", default=86_400)
CALL_MAX_WRAP_SECONDS = env.int("CALL_MAX_WRAP_SECONDS", default=3_600)
CALL_EARLIEST_INSTANT = env("CALL_EARLIEST_INSTANT", default="2000-01-01T00:00:00Z")
CALL_MAX_FUTURE_SECONDS = env.int("CALL_MAX_FUTURE_SECONDS", default=86_400)

# Billing (billing.invoicing, billing.invoices).
BILLING_NUMBERING_TIMEZONE = env("BILLING_NUMBERING_TIMEZONE", default="Europe/Moscow")
BILLING_RECEIVED_SETTLE_SECONDS = env.int("BILLING_RECEIVED_SETTLE_SECONDS", default=5)
BILLING_LATE_CALLS_LOOKBACK_MONTHS = env.int("BILLING_LATE_CALLS_LOOKBACK_MONTHS", default=3)
# The call detail's one sort (a million calls take about 150 MB) in memory rather than on
# disk: PostgreSQL's work_mem for the detail's session while it runs (docs/billing.md).
BILLING_DETAIL_WORK_MEM = env("BILLING_DETAIL_WORK_MEM", default="256MB")
# Callers' data: pseudonymize the callers of calls older than this many months (the daily
# job calls.erase_old_callers; docs/privacy.md). 0: keep them.
CALLER_RETENTION_MONTHS = env.int("CALLER_RETENTION_MONTHS", default=0)

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@contactcenter.local")

# Logs: one line per request (contactcenter.request_log) and per task event, each record
# carrying the request id or the Celery task's name and id. Human-readable by default;
# production writes JSON (LOG_FORMAT=json, python-json-logger).
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "contactcenter.request_log.LogContextFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(context)s] %(message)s",
        },
        "json": {
            "()": "contactcenter.request_log.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # The request line of contactcenter.request_log says it once, with the duration.
        "django.server": {"level": "WARNING"},
    },
}
# The worker and beat log through the LOGGING above instead of replacing the root handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Audit trail (django-auditlog): who changed prices, invoices and project settings, with
# the old and new value of each field. Registered here by label, so no app imports it;
# the actor comes from contactcenter.audit.AuditActorMiddleware.
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {"model": "projects.Client", "exclude_fields": ["updated_at"]},
    "projects.VatRate",
    {"model": "projects.Project", "exclude_fields": ["updated_at"], "m2m_fields": ["managers"]},
    "projects.BusinessHours",
    "billing.Tariff",
    "billing.TariffBand",
    # The snapshot taken at issue is the issued document itself, not a change of a field.
    {"model": "billing.Invoice", "exclude_fields": ["snapshot"]},
)
# Each entry's correlation id is the request's X-Request-ID (contactcenter.request_log).
AUDITLOG_CID_GETTER = "contactcenter.request_log.current_request_id"

# The first seller (our company): read once, by projects/migrations/0006_seller_and_contract,
# which creates the Seller row "main" from them; sellers are data since (admin, sellers/ in
# the API). The defaults are a demo company with checksum-valid numbers.
SELLER_NAME = env("SELLER_NAME", default="ООО «Контакт-Центр Демо»")
SELLER_INN = env("SELLER_INN", default="7709876545")
SELLER_KPP = env("SELLER_KPP", default="770901001")
SELLER_OGRN = env("SELLER_OGRN", default="1027709876545")
SELLER_ADDRESS = env("SELLER_ADDRESS", default="105064, г. Москва, ул. Земляной Вал, д. 9")
SELLER_BANK = env("SELLER_BANK", default="АО «Демо Банк», г. Москва")
SELLER_BIK = env("SELLER_BIK", default="044525999")
SELLER_ACCOUNT = env("SELLER_ACCOUNT", default="40702810600000012345")
SELLER_CORRESPONDENT_ACCOUNT = env("SELLER_CORRESPONDENT_ACCOUNT", default="30101810600000000999")
SELLER_DIRECTOR = env("SELLER_DIRECTOR", default="Иванов И. И.")
SELLER_ACCOUNTANT = env("SELLER_ACCOUNTANT", default="Петрова А. С.")

# The wallboard's TV link (wallboard.tv): signed, read-only, at most this many days.
WALLBOARD_TV_MAX_DAYS = env.int("WALLBOARD_TV_MAX_DAYS", default=90)
# Raise it to refuse every TV link made so far (a screen's link leaked).
WALLBOARD_TV_GENERATION = env.int("WALLBOARD_TV_GENERATION", default=1)
