"""Stride's one settings module, read from the environment.

Every value has an embedded default that runs the demo on SQLite under ``STRIDE_DATA_DIR``;
production sets ``DATABASE_URL``, ``SECRET_KEY`` and friends (see docs/configuration.md).
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import plotly
from csp.constants import NONE, SELF

from stride.lib.env import (
    ConfigError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    env_zone,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("STRIDE_DATA_DIR", str(BASE_DIR.parent / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    # The embedded default keeps a random key in the data directory so sessions survive
    # restarts without anyone having to invent a secret for the demo.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's widget templates, found by the project engine that FORM_RENDERER uses.
    "django.forms",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "ninja",
    "csp",
    "stride.org",
    "stride.access",
    "stride.goals",
    "stride.reviews",
    "stride.notify",
    "stride.demo",
]

MIDDLEWARE = [
    # Outermost: the Server-Timing header measures everything below it.
    "stride.middleware.ServerTimingMiddleware",
    # First, before host validation and the HTTPS redirect: a load balancer probes by IP
    # or ``localhost`` over plain HTTP and must still get its answer.
    "stride.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "stride.access.middleware.ViewerMiddleware",
]

ROOT_URLCONF = "stride.urls"
WSGI_APPLICATION = "stride.wsgi.application"

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
                "stride.access.context_processors.viewer",
            ],
        },
    },
]

# Every form is rendered one way: label, control, help and errors together per field.
FORM_RENDERER = "stride.lib.forms.FormRenderer"

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    except ValueError:  # dj_database_url's unknown-scheme and unparsable-URL errors
        DATABASES = {"default": {"ENGINE": "unreadable"}}
    if DATABASES["default"]["ENGINE"] not in (
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    ):
        raise ConfigError(
            "DATABASE_URL must be a postgres://USER:PASSWORD@HOST:PORT/NAME or "
            "sqlite:////absolute/path URL"
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "stride.sqlite3"),
            # Kept open between requests, as PostgreSQL's are: a connection per request
            # ran the pragmas below and read the schema every time, and the last one to
            # close folded the WAL into the database (an fsync) after every request.
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                # WAL lets the web server and the worker read while the other writes.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")}
            if env_bool("STRIDE_TEST_DB_ON_DISK", False)
            else {},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (login rate limits, sessions' neighbours) ----------------------------------
# Only Redis: Django's memcached backends need a client library Stride does not ship, and a
# URL quietly falling back to the per-host file cache would let the login limits count per
# host on a multi-host deployment that believes it shares one cache.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://")):
    raise ConfigError(
        f"CACHE_URL must be a redis:// or rediss:// URL, or unset for the file cache, "
        f"not {CACHE_URL.split('://')[0]!r}"
    )
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    # A file cache is shared by every web process on one host, so rate limits hold
    # across gunicorn workers without another server.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# --- Accounts -------------------------------------------------------------------------
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
# An account has exactly one address, set by HR (import, admin, API): allauth's pages that
# add, change or re-verify addresses are closed in stride/urls.py; this is a second lock.
ACCOUNT_MAX_EMAIL_ADDRESSES = 1
ACCOUNT_CHANGE_EMAIL = False
ACCOUNT_ADAPTER = "stride.access.adapters.AccountAdapter"
# The stock generator writes an *unverified* address row for a login that lacks one, which
# then blocks turning on two-factor authentication; Stride's writes nothing.
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = "stride.access.adapters.PasswordResetTokenGenerator"
# Completing a password reset also revokes the person's personal access tokens.
ACCOUNT_FORMS = {"reset_password_from_key": "stride.access.forms.PasswordResetKeyForm"}
SOCIALACCOUNT_ADAPTER = "stride.access.adapters.SocialAccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": env_str("LOGIN_FAILED_RATE_LIMIT", "5/5m/key,20/m/ip"),
    "reset_password": "5/m/ip,3/m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# How many proxies in front of Stride append to X-Forwarded-For. allauth takes the client
# address for its per-IP login limits from that header, counting this many entries from the
# right (the ones your own proxies wrote); 0 ignores the header and uses the connecting
# address, which behind a proxy is the proxy's. See docs/configuration.md.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
MFA_TOTP_TOLERANCE = 1
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Stride")
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
OIDC_ENABLED = env_bool("OIDC_ENABLED", False)
SOCIALACCOUNT_PROVIDERS: dict[str, object] = {}
if OIDC_ENABLED:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": env_str("OIDC_PROVIDER_ID", "sso"),
                "name": env_str("OIDC_NAME", "Single sign-on"),
                "client_id": env_str("OIDC_CLIENT_ID", ""),
                "secret": env_str("OIDC_CLIENT_SECRET", ""),
                "settings": {"server_url": env_str("OIDC_SERVER_URL", "")},
            }
        ]
    }

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS everywhere, settable because only the deployment knows whether TLS is in front.
# /healthz is answered before the redirect (stride.middleware), so plain-HTTP probes work.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4): every script comes from Stride's own static files,
# so script-src has no 'unsafe-inline' and no 'unsafe-eval'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Styles keep 'unsafe-inline': plotly.js writes style attributes and a <style>
        # element while drawing, htmx adds its indicator <style>, and allauth's layouts and
        # a few templates carry small style blocks. Inline styles cannot run code.
        "style-src": [SELF, "'unsafe-inline'"],
        # data: for the two-factor set-up QR code (an inline SVG image) and plotly's icons.
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # No form-action: browsers apply it to the redirect after a form is sent, and the
        # single sign-on button's form redirects to the identity provider.
        "frame-ancestors": [NONE],
    },
}
# --- E-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# A mail server that stops answering must not hold a worker (and its outbox claim) forever:
# well below WORKER_STALE_SECONDS, so a stale claim means a dead worker, not a slow server.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 60, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Stride <stride@localhost>")
# Where Django's file backend (and the demo's, which `stride demo` uses) writes messages.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background work ------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# After this many seconds a worker's outbox claim or running task is presumed abandoned (the
# worker was killed) and its work is taken up again. Must exceed the longest task.
WORKER_STALE_SECONDS = env_int("WORKER_STALE_SECONDS", 600, minimum=1)

# --- Reviews ---------------------------------------------------------------------------
# Peer and upward answers, and every figure computed over reviews, are shown only where at
# least this many people answered (issue 7: never fewer than three).
REVIEW_ANONYMITY_MINIMUM = 3
REVIEW_ANONYMITY_THRESHOLD = env_int("STRIDE_REVIEW_ANONYMITY_THRESHOLD", 3)
if REVIEW_ANONYMITY_THRESHOLD < REVIEW_ANONYMITY_MINIMUM:
    raise ConfigError(
        f"STRIDE_REVIEW_ANONYMITY_THRESHOLD must be at least {REVIEW_ANONYMITY_MINIMUM} "
        f"(not {REVIEW_ANONYMITY_THRESHOLD}): with fewer answers, a peer's or a report's "
        "answers could be traced back to them."
    )

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("en", "English")]
TIME_ZONE = env_zone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static files (served by Stride itself, never a CDN) ------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [
    str(BASE_DIR / "static"),
    ("vendor/plotly", str(Path(plotly.__file__).parent / "package_data")),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)

# API lists page through stride.lib.pagination, whose input schemas carry the bounds
# (at most 500 items a page). These are the names the installed django-ninja reads, set to
# the same values for any ``@paginate`` that names no class.
NINJA_PAGINATION_CLASS = "stride.lib.pagination.StridePagination"
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
NINJA_MAX_PER_PAGE_SIZE = 500

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_choice("LOG_LEVEL", "INFO", LOG_LEVELS)},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
