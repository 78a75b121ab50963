# SPDX-License-Identifier: EUPL-1.2
"""Every setting of Leerlus, read from the environment in one place.

Each variable is documented in ``docs/configuration.md`` with its default. The defaults are
safe: DEBUG is off, cookies are secure, HSTS and a strict Content-Security-Policy are on. The
overlays ``local`` (one machine, ``make run``), ``production`` and ``test`` change only what
their situation needs.
"""

import ipaddress
from pathlib import Path

import django_stubs_ext
import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from leerlus.core.logging import logging_settings

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent

# Lets typed generics such as ModelAdmin[Model] work at run time as they do for mypy.
django_stubs_ext.monkeypatch()

env = environ.Env()

# Where an installation keeps its files: the SQLite database, the embedded broker's queue.
VAR_DIR = Path(env.str("LEERLUS_VAR_DIR", default=str(PROJECT_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The demo organisation may only be loaded where this is on (never in production).
LEERLUS_DEMO = env.bool("LEERLUS_DEMO", default=False)

INSTALLED_APPS = [
    "leerlus.core.admin_site.LeerlusAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_celery_beat",
    "mozilla_django_oidc",
    "leerlus.core",
    "leerlus.organisations",
    "leerlus.accounts",
    "leerlus.feedback",
    "leerlus.api",
    "leerlus.patterns",
    "leerlus.demo",
    "leerlus.site",
]

# The leerlus.core.fastpath.middleware classes are Django's, django-csp's and django-otp's,
# passing API calls with a token straight through: those use no session, login, 2FA or messages.
# leerlus.accounts.middleware.SecondFactorMiddleware is that django-otp one, also counting MFA
# at the identity provider.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "leerlus.core.fastpath.middleware.CSPMiddleware",
    "leerlus.core.fastpath.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "leerlus.core.fastpath.middleware.AuthenticationMiddleware",
    "leerlus.accounts.middleware.SecondFactorMiddleware",
    "leerlus.core.fastpath.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "leerlus.core.middleware.SecurityHeadersMiddleware",
    # Before any view or login attempt, after the middleware that set the headers of every
    # response (its 400 keeps them): none of those reads the path, query or form into a query.
    "leerlus.core.middleware.NulBytesMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "leerlus.urls"
WSGI_APPLICATION = "leerlus.wsgi.application"

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
                "leerlus.site.context_processors.leerlus",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'leerlus.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
# A kept connection is checked (one "SELECT 1") before the first query of each request that
# reuses it: after a database restart the next request gets a new connection instead of
# failing on the dead one (docs/reliability.md).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the embedded worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # SQLite cannot enforce the "NULLS NOT DISTINCT" unique constraints of the patterns
    # tables; there the jobs that write those rows are the only writers and hold a lock.
    SILENCED_SYSTEM_CHECKS = ["models.W047"]
# Shared by all processes of one installation (rate limits): files by default, Redis in
# production (CACHE_URL=redis://...).
CACHES = {"default": env.cache("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "organisations.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "site:home"

# Language and time: Dutch first, English as the switch; stored in UTC, shown in Amsterdam time.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No inline scripts and no third-party origins: every asset is served by Leerlus itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges): only on a
# request from one of them is the client the right-most address there that is not one of them
# (leerlus.core.addresses: audit log, login lockout, rate limits).
LEERLUS_TRUSTED_PROXIES = [
    ipaddress.ip_network(proxy, strict=False) for proxy in env.list("TRUSTED_PROXIES", default=[])
]
if env.bool("USE_X_FORWARDED_FOR", default=False) and not LEERLUS_TRUSTED_PROXIES:
    raise ImproperlyConfigured(
        "USE_X_FORWARDED_FOR is replaced by TRUSTED_PROXIES: set it to your reverse proxies' "
        "addresses (e.g. TRUSTED_PROXIES=10.0.0.5), so that clients cannot choose their address."
    )

# Login throttling (django-axes): lock a username + address pair after repeated failures, and
# an address after failures on any usernames (password spraying; leerlus.accounts.lockout).
AXES_HANDLER = "leerlus.accounts.lockout.LoginLockoutHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
LEERLUS_LOGIN_FAILURE_LIMIT_PER_ADDRESS = env.int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", default=20)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "leerlus.core.addresses.client_address"

# Second factor (BIO2 5.17): when on, what shows personal data or changes roles
# (SECOND_FACTOR_CAPABILITIES in leerlus/organisations/roles.py) and the admin need a login
# with a second factor: a TOTP code, or an OIDC login whose amr or acr claim says MFA.
# LEERLUS_REQUIRE_2FA_FOR_ADMIN is this switch's earlier name, still read.
LEERLUS_REQUIRE_SECOND_FACTOR = env.bool(
    "LEERLUS_REQUIRE_SECOND_FACTOR",
    default=env.bool("LEERLUS_REQUIRE_2FA_FOR_ADMIN", default=True),
)
# An API token is one secret, no second factor: by default it cannot use those capabilities.
LEERLUS_API_TOKENS_COUNT_AS_SECOND_FACTOR = env.bool(
    "API_TOKENS_COUNT_AS_SECOND_FACTOR", default=False
)
OTP_TOTP_ISSUER = "Leerlus"

# --- OpenID Connect (staff login through the organisation's identity provider) -------------
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
if OIDC_ENABLED:
    OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
    OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
    OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
    AUTHENTICATION_BACKENDS.append("leerlus.organisations.oidc.LeerlusOIDCBackend")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(OIDC_OP_AUTHORIZATION_ENDPOINT)
# Users who log in through OIDC for the first time join this organisation without a role
# until an administrator gives them one.
OIDC_DEFAULT_ORGANISATION = env.str("OIDC_DEFAULT_ORGANISATION", default="")
# An OIDC login counts as a second factor when its ID token's amr claim holds one of these
# methods (RFC 8176) or its acr claim is one of OIDC_MFA_ACR_VALUES.
OIDC_MFA_AMR_VALUES = env.list("OIDC_MFA_AMR_VALUES", default=["mfa", "otp", "hwk", "swk"])
OIDC_MFA_ACR_VALUES = env.list("OIDC_MFA_ACR_VALUES", default=[])
OIDC_CALLBACK_CLASS = "leerlus.organisations.oidc.LeerlusOIDCCallbackView"

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="leerlus@localhost")
# The address people open Leerlus at, for links in e-mails (the alert digest).
LEERLUS_BASE_URL = env.str("LEERLUS_BASE_URL", default="http://localhost:8000")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background work ------------------------------------------------------------------------
# Without a broker URL the embedded file-system broker is used: one machine, no Redis needed.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=env.str("REDIS_URL", default=""))
CELERY_EMBEDDED_BROKER_DIR = VAR_DIR / "broker"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A worker that has not written a heartbeat for this long is reported as down by /health.
LEERLUS_WORKER_HEARTBEAT_MAX_AGE = env.int("LEERLUS_WORKER_HEARTBEAT_MAX_AGE", default=180)

# Processes that map, redact and insert one large import in parallel (PostgreSQL only);
# 0 means one per CPU.
LEERLUS_IMPORT_WORKERS = env.int("LEERLUS_IMPORT_WORKERS", default=0)
# A running import writes a heartbeat with every chunk (well under a second apart); one with
# none for this long was interrupted (its process died) and can be resumed.
LEERLUS_IMPORT_STALE_SECONDS = env.int("LEERLUS_IMPORT_STALE_SECONDS", default=60)
# How long one server process may reuse what it looked up for an API token (user, roles)
# and for a service slug: a change counts everywhere within this time.
LEERLUS_API_CALLER_CACHE_SECONDS = env.float("LEERLUS_API_CALLER_CACHE_SECONDS", default=10)

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "leerlus.core.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "leerlus.core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "leerlus.core.api.problems.problem_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # 413 over the view's body limit, 400 for nesting past 32 levels or a NUL character.
    "DEFAULT_PARSER_CLASSES": ["leerlus.core.api.parsers.JSONParser"],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Leerlus API",
    "DESCRIPTION": "Signals, patterns, experiments and lessons of one organisation.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "CAMELIZE_NAMES": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "leerlus.core.api.schema.add_problem_responses",
    ],
}
# Browsers of these origins may call the API (NL GOV API Design Rules: a CORS allow-list).
LEERLUS_CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
LEERLUS_API_VERSION = "1.0.0"

# --- Logging: structured, one JSON object a line in production -----------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="console")
LOGGING = logging_settings(log_format=LOG_FORMAT, level=LOG_LEVEL)

from leerlus.schedules import BEAT_SCHEDULE  # noqa: E402  (the table lives beside the jobs)

CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE
