"""Settings for Alliance Market, read from the environment (django-environ).

Two modes, chosen by DJANGO_ENV:
- "development" (the default): embedded parts only (SQLite under var/, in-memory channel layer,
  eager Celery, console email), so `make run` and `make test` need no servers.
- "production": every secret must be set (no defaults, the process refuses to start without
  them) and the security settings are those that `manage.py check --deploy` asks for.

Each integration (PostgreSQL, Redis, Celery broker, Elasticsearch, Stripe) switches on when its
variable is set. `.env.example` lists every variable.
"""

import os
import tempfile
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise environ.ImproperlyConfigured(
        f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}."
    )
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)

if PRODUCTION:
    # No default: a production process without its own key must not start.
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
    if len(SECRET_KEY) < 50:
        raise environ.ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be at least 50 random characters in production; generate one with "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
else:
    SECRET_KEY = env.str(
        "DJANGO_SECRET_KEY", default="development-only-key-never-used-in-production-3f9c1a7e"
    )
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "cms",
    "shop",
    "orders",
    "livestream",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "channels",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cms.middleware.SiteLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.context_processors.storefront",
                "orders.buying.context_processors.cart",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so concurrent writers queue instead
    # of failing with "database is locked" half-way through a stock change.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
    # The test database is a file, not shared-cache memory, so concurrent test threads lock
    # it the way a real deployment does; one per process, so parallel runs never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"am-test-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and real-time layer ----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Our subclass of channels_redis' layer: bounded blocking pools without a socket read
    # timeout, which redis-py 8 needs under load (config/channel_layers.py says why).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "config.channel_layers.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "max_connections": 100},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Background jobs --------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
# Without a broker, tasks run in the calling process: the embedded default of `make run`.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# --- Search -----------------------------------------------------------------------------------
ELASTICSEARCH_URL = env.str("ELASTICSEARCH_URL", default="")
SEARCH_INDEX_DIR = VAR_DIR / "search"
# Wagtail's own admin search stays on the database; the catalogue search lives in search/.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# The catalogue search (search/): Elasticsearch when ELASTICSEARCH_URL is set, otherwise the
# embedded SQLite FTS5 index under SEARCH_INDEX_DIR. The name is the Elasticsearch alias (or the
# embedded index's file stem).
SEARCH_BACKEND = env.str("SEARCH_BACKEND", default="") or ("elasticsearch" if ELASTICSEARCH_URL else "embedded")
SEARCH_INDEX_NAME = env.str("SEARCH_INDEX_NAME", default="catalogue")

# --- Payments ---------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
CURRENCY = env.str("CURRENCY", default="CNY")
# card always; alipay and wechat_pay when the Stripe account has them enabled
STRIPE_PAYMENT_METHOD_TYPES = env.list("STRIPE_PAYMENT_METHOD_TYPES", default=["card"])

# --- Auth -------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "orders.buying.accounts.EmailOrMobileBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/account/login/"
LOGIN_REDIRECT_URL = "/account/orders/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "static"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = []
MEDIA_URL = "/media/"
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production the ASGI server serves static files straight from the apps.
WHITENOISE_USE_FINDERS = not PRODUCTION
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=not PRODUCTION)

# --- Email ------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
if PRODUCTION:
    EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="联建优品 <noreply@localhost>")

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# No framing, except the checkout pages the live room shows in its own frame (orders/views.py).
X_FRAME_OPTIONS = "DENY"
if env.bool("DJANGO_BEHIND_PROXY", default=PRODUCTION):
    # The reverse proxy terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Health checks from the load balancer arrive over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

# --- Wagtail ----------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "联建优品"
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"webp": "webp", "avif": "avif"}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "shop.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "config.api_errors.exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Alliance Market API (联建优品)",
    "DESCRIPTION": "JSON API v1. Amounts are integer fen with a currency code; times are ISO 8601 with offset.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from the installed package, so the docs work without internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.OrderStatus",
        "PaymentStatusEnum": "orders.models.PaymentStatus",
        "RefundStatusEnum": "orders.models.RefundStatus",
        "LiveSessionStatusEnum": "livestream.models.SessionStatus",
    },
    # Only the public API v1; Wagtail's admin API is internal to the admin.
    "PREPROCESSING_HOOKS": ["config.api_schema.public_api_only"],
}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Wagtail's own background tasks log every run at INFO; keep their failures only.
    "loggers": {
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # Eager tasks (no broker) would log every search-index refresh; real workers log theirs.
        "celery.app.trace": {"level": "INFO" if CELERY_BROKER_URL else "WARNING"},
    },
}

# --- Shop -------------------------------------------------------------------------------------
SHOP_PRODUCTS_PER_PAGE = 12
STOCK_RESERVATION_MINUTES = env.int("STOCK_RESERVATION_MINUTES", default=15)
# Payments still unsettled this long after they started are read from Stripe by a periodic job,
# whatever their order's state, so a lost webhook loses nothing.
PAYMENT_RECONCILE_AFTER_MINUTES = env.int("PAYMENT_RECONCILE_AFTER_MINUTES", default=10)
# An unpaid order whose payment is still in progress at Stripe (processing, 3-D Secure) expires
# this long after its hold at the earliest, and only once Stripe has cancelled its intents.
PAYMENT_EXPIRY_GRACE_MINUTES = env.int("PAYMENT_EXPIRY_GRACE_MINUTES", default=60)
CART_MAX_QUANTITY_PER_LINE = 99
CART_MAX_LINES = 30

# --- Live selling -----------------------------------------------------------------------------
# The media server (nginx-rtmp): where encoders push, and where its HLS playlists are served.
LIVE_RTMP_URL = env.str("LIVE_RTMP_URL", default="rtmp://127.0.0.1:1935/live")
LIVE_HLS_BASE_URL = env.str("LIVE_HLS_BASE_URL", default="http://127.0.0.1:8080/hls")
# Where the app itself reads playlists (to build replays) when the public address above is not
# reachable from its containers, e.g. http://media:8080/hls in docker-compose.yml.
LIVE_HLS_FETCH_BASE_URL = env.str("LIVE_HLS_FETCH_BASE_URL", default="") or LIVE_HLS_BASE_URL
# on_publish / on_publish_done callbacks must carry this token (?token=…) in their URL; with no
# token set they are accepted from the loopback address only (media server on the same host).
LIVE_MEDIA_CALLBACK_TOKEN = env.str("LIVE_MEDIA_CALLBACK_TOKEN", default="")
# Purchases from a replay carry the session (and pay the host) this long after it ended.
LIVE_ATTRIBUTION_HOURS = env.int("LIVE_ATTRIBUTION_HOURS", default=24)
# A stream that stops (a phone losing its signal) and comes back this soon resumes its session.
LIVE_RECONNECT_GRACE_SECONDS = env.int("LIVE_RECONNECT_GRACE_SECONDS", default=120)
# Chat: at most this many messages per viewer per window (seconds).
LIVE_CHAT_RATE = env.int("LIVE_CHAT_RATE", default=5)
LIVE_CHAT_WINDOW_SECONDS = env.int("LIVE_CHAT_WINDOW_SECONDS", default=10)

# --- Cross-app hooks --------------------------------------------------------------------------
# Where an app lets an app above it plug in without importing it (shop/hooks.py lists them; the
# README's architecture section explains each). Each is set here and only here.
# Participants are personal data: accountants see only their cooperatives'.
SHOP_PARTICIPANT_SCOPE = "orders.accounting.scoping.participants_visible_to"
# Platform fee + host commission ≤ 100% is checked when either is saved.
SHOP_HOST_RATE_MAX = "livestream.selectors.host_rate_max_bp"
# Live-only offer prices reach the cart through this provider (orders knows nothing of live).
ORDERS_OFFER_PROVIDER = "livestream.offers.LiveOfferProvider"
# Statements and exports name hosts (the ledger keeps only their id) through this.
ORDERS_HOST_NAMES = "livestream.selectors.host_names"
# The catalogue search boosts products of sessions on air.
SEARCH_LIVE_PRODUCT_IDS = "livestream.sessions.live_product_ids"
# The home page shows who is on air and coming up.
CMS_HOME_SECTIONS = ["livestream.home.live_sessions_section"]
