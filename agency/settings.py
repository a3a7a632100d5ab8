"""Settings, read from the environment (django-environ).

With nothing set the project runs on SQLite with a Celery worker on kombu's filesystem transport, so a
laptop needs no services. DATABASE_URL and CELERY_BROKER_URL move it onto PostgreSQL and Redis or
RabbitMQ. DEBUG=false is production: a real SECRET_KEY is required and `check --deploy` is clean.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET_KEY or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 50 characters when DEBUG is off."
    )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    # Ours, in the direction they may depend: each may import only those above it.
    "agency",
    "clients",
    "staffing",
    "compliance",
    "compliance.quality",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # NUL bytes and impossible ids are a 400/404, API errors are JSON (agency/middleware.py).
    "agency.middleware.InputGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "agency.queue_unavailable.QueueUnavailableMiddleware",
]

ROOT_URLCONF = "agency.urls"
WSGI_APPLICATION = "agency.wsgi.application"

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
                "agency.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
# Connections persist between requests on PostgreSQL (a new one costs a few milliseconds per request);
# health checks drop one the server has closed before a request uses it.
_PERSISTENT = 0 if DATABASES["default"]["ENGINE"].endswith("sqlite3") else 60
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=_PERSISTENT)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "agency.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection (agency/login.py): lock a username from one address after repeated failures, and an
# address after more failures across usernames (password spraying); a lockout runs its cool-off from the
# failure that locked, further attempts neither count nor restart it. Locked: 429 with Retry-After.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_HANDLER = "agency.login.AgencyAxesHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "agency.login.lockout_response"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated API call is a 401 that names the scheme.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "agency.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Agency management API",
    "DESCRIPTION": "Outsourced e-commerce customer service: clients, staffing, compliance and quality.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs describe every endpoint: for signed-in users only (session or token).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Every operation's error answers, times of day as patterns (agency/api/schema.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "agency.api.schema.document_errors"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "QuoteStatusEnum": "clients.models.Quote.Status",
        "ContractStatusEnum": "clients.models.Contract.Status",
        "PlatformEnum": "clients.models.Platform",
        "KnowledgeKindEnum": "clients.handover.models.KnowledgeKind",
        "StatementStatusEnum": "clients.statements.models.Statement.Status",
        "RosterStatusEnum": "staffing.rosters.models.Roster.Status",
        "LeaveStatusEnum": "staffing.rosters.models.Leave.Status",
        "LeaveKindEnum": "staffing.rosters.models.Leave.Kind",
        "SwapStatusEnum": "staffing.rosters.models.SwapRequest.Status",
    },
}

# Celery. Nothing set: kombu's filesystem transport under var/celery, so `make run` needs no broker.
_default_broker = "filesystem://"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=_default_broker)
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _done_dir = VAR_DIR / "celery" / "processed"
    for _d in (_queue_dir, _done_dir):
        _d.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_done_dir),
        "store_processed": False,
        # The exchange tables too: by default kombu writes them to ./control in the working directory, which
        # left `git status` dirty after `make run`.
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
    _default_backend = f"file://{VAR_DIR / 'celery' / 'results'}"
    (VAR_DIR / "celery" / "results").mkdir(parents=True, exist_ok=True)
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    _default_backend = CELERY_BROKER_URL
else:
    _default_backend = "rpc://"
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=_default_backend)

# Jobs that finish or say why. Every task is killed after CELERY_TASK_TIME_LIMIT seconds (soft limit a
# minute earlier, so the task can fail its Job cleanly); the longest (a full re-scan or a million-row import
# on a busy machine) stays well inside it. Messages are acknowledged only after the task (acks_late), so a
# worker that dies mid-task leaves its message unacknowledged: a pool child killed is re-queued at once by
# its parent (reject_on_worker_lost); a whole worker killed is re-delivered by the broker after the
# visibility timeout, which is the time limit plus a margin, so a task still running is never handed to a
# second worker. Meanwhile a running Job's heartbeat stops, and beat fails it (JOB_HEARTBEAT_TIMEOUT).
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = max(CELERY_TASK_TIME_LIMIT - 60, CELERY_TASK_TIME_LIMIT // 2)
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 5 * 60)
JOB_HEARTBEAT_SECONDS = env.int("JOB_HEARTBEAT_SECONDS", default=20)
JOB_HEARTBEAT_TIMEOUT = env.int("JOB_HEARTBEAT_TIMEOUT", default=120)
JOB_QUEUED_TIMEOUT = env.int("JOB_QUEUED_TIMEOUT", default=6 * 3600)
# A request that queues work must not hang on a broker that accepts connections but never answers: short
# socket timeouts and at most two quick retries, then the request answers 503 (agency.services.JobQueueError).
BROKER_TIMEOUT_SECONDS = env.float("BROKER_TIMEOUT_SECONDS", default=3.0)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT_SECONDS
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        "socket_timeout": BROKER_TIMEOUT_SECONDS,
        "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    }
if CELERY_RESULT_BACKEND.startswith(("redis://", "rediss://")):
    CELERY_REDIS_SOCKET_TIMEOUT = BROKER_TIMEOUT_SECONDS
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_TIMEOUT_SECONDS
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Messages per scan chunk (one transaction each); workers sharing a shop's backlog take chunks in turn.
SCAN_CHUNK_SIZE = env.int("SCAN_CHUNK_SIZE", default=1000)

CELERY_BEAT_SCHEDULE: dict = {
    "purge-finished-jobs": {"task": "agency.purge_finished_jobs", "schedule": 24 * 3600, "args": (30,)},
    # PIPL: buyers' message text and ids past their contract's retention period are pseudonymised.
    "compliance-buyer-data-retention": {"task": "compliance.buyer_data_retention", "schedule": crontab(hour=4, minute=0)},
    # Months of messages past MESSAGE_RETENTION_MONTHS go whole (a dropped partition on PostgreSQL).
    "compliance-messages-retention": {"task": "compliance.messages_retention", "schedule": crontab(hour=4, minute=30)},
    # A running Job whose worker vanished (no heartbeat) or a Job that never left the queue fails, saying why.
    "jobs-fail-stalled": {"task": "agency.jobs_fail_stalled", "schedule": 60.0},
    # Every night: scan whatever is still unscanned and re-scan the last two days with the current versions.
    "compliance-nightly-scan": {
        "task": "compliance.nightly_scan", "schedule": crontab(hour=2, minute=30), "kwargs": {"days": 2},
    },
    # Consultation counts per half hour from the imported sessions feed staffing's forecasts.
    "compliance-demand-history": {
        "task": "compliance.demand_history_refresh", "schedule": crontab(hour=3, minute=0), "kwargs": {"days": 2},
    },
    # Forecast accuracy: tomorrow's and next week's forecasts are kept each evening, then held against the
    # sessions that arrived once the night's demand history has run.
    "staffing-forecast-snapshots": {"task": "staffing.forecast_snapshots_take", "schedule": crontab(hour=22, minute=0)},
    "staffing-forecast-accuracy": {
        "task": "staffing.forecast_accuracy_score", "schedule": crontab(hour=3, minute=30), "kwargs": {"days": 14},
    },
    # Auto-QA scores every session that has none (or a stale one); sampling plans hand out the day's reviews.
    "quality-autoqa-pending": {"task": "quality.autoqa_score_pending", "schedule": 300.0},
    "quality-sampling-due": {"task": "quality.sampling_run_due", "schedule": crontab(hour=0, minute=30)},
    # quality: roll new chat messages into the response metrics (only touched sessions and days)
    "quality-metrics-incremental": {"task": "quality.metrics_refresh_new", "schedule": 300.0},
    # The message table's monthly partitions (PostgreSQL): this month and three ahead, and any month that
    # reached the default partition.
    "compliance-message-partitions": {"task": "compliance.messages_partitions_ensure", "schedule": crontab(hour=1, minute=15)},
    "quality-metrics-recent-daily": {"task": "quality.metrics_refresh_recent", "schedule": 24 * 3600, "args": (2,)},
    # Schedule adherence (contracts §10) of today's and yesterday's shifts, for the floor and the month pages.
    "compliance-adherence-refresh": {"task": "compliance.adherence_refresh", "schedule": 300.0},
    # Intraday: re-forecast the rest of today per shop from the sessions so far, gaps and suggestions.
    "compliance-intraday-refresh": {"task": "compliance.intraday_refresh", "schedule": 180.0},
    # quality: attribute new orders and new agent messages to sales (contracts §8), only the days touched
    "quality-sales-incremental": {"task": "quality.sales_refresh", "schedule": 300.0},
    # clients: every live contract's statement of the month just ended, on the 1st (contracts §9)
    "clients-statements-monthly": {"task": "clients.statements_generate_month", "schedule": crontab(day_of_month=1, hour=4, minute=0)},
}
# Minutes after a shift's start before an answer to a waiting buyer counts as late (contracts §10).
ADHERENCE_GRACE_MINUTES = env.float("ADHERENCE_GRACE_MINUTES", default=10.0)

# Daily digests of quality alerts: checked hourly, each rule sends once a day from its own hour.
CELERY_BEAT_SCHEDULE["quality-alerts-digest"] = {"task": "quality.alerts_digest", "schedule": crontab(minute=5)}

# Alert notifications. E-mail goes through Django's mail settings (EMAIL_URL, e.g.
# smtp+tls://user:password@smtp.example.com:587; the console when unset in DEBUG). Webhooks only to the
# group robots' own hosts, so a notification rule cannot make the server call addresses inside the network.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="alerts@localhost")
ALERT_WEBHOOK_HOSTS = env.list(
    "ALERT_WEBHOOK_HOSTS", default=["qyapi.weixin.qq.com", "oapi.dingtalk.com", "open.feishu.cn", "open.larksuite.com"]
)
ALERT_WEBHOOK_TIMEOUT = env.float("ALERT_WEBHOOK_TIMEOUT", default=5.0)

# The agency's company name in the contracts' signature block and on their PDFs.
AGENCY_COMPANY_NAME = env.str("AGENCY_COMPANY_NAME", default="代运营客服外包服务机构")

DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo12345")
# An export of more rows than this runs as a job (a file to download) instead of streaming in the request.
EXPORT_STREAM_MAX_ROWS = env.int("EXPORT_STREAM_MAX_ROWS", default=5000)
# PIPL: days after a session ends that buyers' message text and ids are kept, for shops without a contract
# that says otherwise (Contract.buyer_data_retention_days).
BUYER_DATA_RETENTION_DAYS = env.int("BUYER_DATA_RETENTION_DAYS", default=180)
# Whole months of chat messages kept besides the current one (the E-Commerce Law asks for three years of
# transaction records); older months are dropped whole, with their sessions and hits. 0 keeps everything.
MESSAGE_RETENTION_MONTHS = env.int("MESSAGE_RETENTION_MONTHS", default=36)

# Content-Security-Policy (django-csp): scripts only from our own static files, never inline (the site's few
# behaviours are in static/js/app.js; Swagger UI's start-up script is served as a file); inline styles stay
# allowed (style attributes in templates, htmx). Nothing from another origin: no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Production hardening; `manage.py check --deploy` is clean with DEBUG off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
