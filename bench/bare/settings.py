"""The baseline of bench/pages.py: a bare Django project with one "hello" view.

Same Django, same Python, same gunicorn settings as the app; no database, no
middleware, no templates: what Django and gunicorn cost before the app does anything.
"""

import os

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.bare.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True
