"""Settings, read from the environment (django-environ).

Production is the default. DEBUG=true is the one development switch (security.md §2.3):
it gives SQLite, a generated key kept in an untracked file and local hosts, and turns
off the HTTPS-only settings. Without it, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL must
all be set.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# Set by the test settings: production settings over plain HTTP for the test client and
# the live server (security.md §2.3). Never set in a deployment.
HTTPS_ONLY = env.bool("HTTPS_ONLY", default=not DEBUG)


def _development_secret_key() -> str:
    """A key generated once for this checkout and kept in an untracked file."""
    key_file = BASE_DIR / ".secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default=None) or _development_secret_key()
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
    DATABASES = {
        "default": env.db(
            "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
        )
    }
else:
    SECRET_KEY = env("SECRET_KEY")  # no default: unset -> ImproperlyConfigured
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind pgbouncer in transaction mode a server-side cursor (QuerySet.iterator()) would
# outlive its transaction's server connection: turn them off there (docs/scaling.md).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DISABLE_SERVER_SIDE_CURSORS", default=False
)

CSRF_TRUSTED_ORIGINS = [
    f"{'https' if HTTPS_ONLY else 'http'}://{host}"
    for host in ALLOWED_HOSTS
    if not host.startswith(".") and host != "*"
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "screening",
]
# Development tools (devtools/: bench_session, generate_intakes): with DEBUG, or for a
# benchmark's own commands with DEVTOOLS=true; never in a deployment (security.md §2.3,
# `check --deploy` warns devtools.W001).
if DEBUG or env.bool("DEVTOOLS", default=False):
    INSTALLED_APPS.append("devtools")

# The header middlewares sit outside everything that can answer on its own (the 405 of
# HttpMethodMiddleware, axes' 429, the CSRF 403), so every response carries the headers
# and no-store (#13 F12). Static files are answered by whitenoise before no-store.
MIDDLEWARE = [
    "screening.middleware.RequestIdMiddleware",  # first: every log line carries the id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "screening.middleware.NoStoreMiddleware",
    "screening.middleware.HttpMethodMiddleware",  # GET, HEAD, POST, OPTIONS only
    # Django's, but a health check or progress poll does not renew the idle timer.
    "screening.middleware.SlidingSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "screening.middleware.OTPMiddleware",  # django-otp's, the device read with the user
    "screening.middleware.PatientModeMiddleware",  # the tablet reaches /p/ only
    "django.contrib.auth.middleware.LoginRequiredMiddleware",  # deny by default
    "screening.middleware.SessionLifetimeMiddleware",  # 12 h absolute limit, timeouts
    "screening.middleware.RequireMFAMiddleware",  # verified OTP where the role needs it
    "screening.middleware.DatabaseUnavailableMiddleware",  # OperationalError -> 503
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",  # must be last
]

ROOT_URLCONF = "config.urls"
# Our 403 page: Django's own styles itself inline, which the CSP blocks.
CSRF_FAILURE_VIEW = "screening.views.errors.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "screening:home"
LOGOUT_REDIRECT_URL = "login"

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
                "csp.context_processors.nonce",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the second-factor check with the user (#19).
    "screening.backends.ModelBackendWithSecondFactor",
]

# HTTPS and headers (security.md §2.2)
SECURE_SSL_REDIRECT = HTTPS_ONLY
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    # Only behind a proxy that always overwrites the header, or a client fakes HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    }
}
PERMISSIONS_POLICY = {
    feature: [] for feature in ("camera", "microphone", "geolocation", "payment", "usb")
}

# Request bodies (#13 F5): form fields as Django's defaults, kept explicit; an upload's
# whole body at most MAX_UPLOAD_BYTES (100 intake/1 files of a typical size), beyond
# which its files are skipped unread and the page says so beside the file field
# (screening/uploads.py). The proxy in front should refuse larger bodies itself.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "screening.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Cookies and sessions: server-side sessions in the database (Django's, the row read
# by a statement compiled once: screening/sessions.py), 15-minute sliding idle limit.
SESSION_ENGINE = "screening.sessions"
if HTTPS_ONLY:
    # The __Host- prefix needs HTTPS; development over plain HTTP keeps plain names.
    SESSION_COOKIE_NAME, CSRF_COOKIE_NAME = "__Host-sessionid", "__Host-csrftoken"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS_ONLY
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 15 * 60
# The idle limit slides by screening.middleware.SlidingSessionMiddleware: a person's
# request saves the session when its last save is a minute old, never later than
# SESSION_COOKIE_AGE after their last request (#19; security.md §2.1).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_AGE = 12 * 60 * 60
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "screening.passwords.ContextWordsValidator"},  # clinic and product names
]

# Lockout keyed on username and IP together, so one user's typos never lock out a clinic
# behind its NAT.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# One client-IP rule for axes and the audit log (security.md §2.2).
AXES_CLIENT_IP_CALLABLE = "screening.audit.client_ip"
AXES_USERNAME_CALLABLE = "screening.lockout.lockout_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"  # generic 429 page
# Behind a proxy, the META key of the client-IP header that proxy always overwrites
# (e.g. HTTP_X_REAL_IP); unset, the address is REMOTE_ADDR.
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER", default="")

# Two-factor (django-otp): TOTP with its defaults (30-s step, one step either way, a
# used step refused, wrong codes throttled); recovery codes in screening's own device.
OTP_TOTP_ISSUER = "Ketamine intake screening"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
# Staff pages are English; patient pages on the clinic tablet may be Spanish (#17).
LANGUAGES = [("en-gb", "English"), ("en", "English"), ("es", "Spanish")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The languages a clinic may offer patients, in their own words (the tablet's choice).
PATIENT_LANGUAGES = [("en", "English"), ("es", "Español")]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
# Development serves files straight from static/ without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's, with plain inputs written without templates (#19: a tenth of a big page).
FORM_RENDERER = "screening.forms.renderer.Renderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Processes a re-screen job runs the engine in (the worker forks them per job): one
# per CPU of the worker's host by default (docs/scaling.md).
RESCREEN_PROCESSES = env.int("RESCREEN_PROCESSES", default=os.cpu_count() or 1)

# Exception reports mask every POST value, not only sensitive_post_parameters.
DEFAULT_EXCEPTION_REPORTER_FILTER = "screening.logs.MaskAllPostFilter"

# Logs carry no PHI: one JSON object per line with the request id, shipped off-box by
# the host's log collector; no AdminEmailHandler. Never route django.db.backends (it
# logs SQL parameters). axes' own lines are replaced by screening.auth's.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "screening.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "screening.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replaces Django's default handlers (console in DEBUG, mail_admins otherwise).
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"handlers": [], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # PDF rendering reports every step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
