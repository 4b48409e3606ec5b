"""The second baseline of bench/pages.py: the bare project with a logged-in session.

Django's own session and authentication middleware on the app's PostgreSQL database,
as the app configures them (database sessions, the same cookie name, the session saved
on every request for the sliding idle limit) and one view that answers "hello" to a
logged-in user and 403 to anyone else. What every logged-in Django page pays before it
does anything (the session row read and saved, the user read), with none of the app's
code: the floor under the app's pages.
"""

import os

import environ

from bench.bare.settings import ALLOWED_HOSTS, SECRET_KEY, USE_TZ  # noqa: F401

env = environ.Env()
DEBUG = False
ROOT_URLCONF = "bench.bare.session_urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "0"))
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_NAME = "__Host-sessionid"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_AGE = 15 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
