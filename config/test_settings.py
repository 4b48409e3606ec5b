"""Test settings: production settings, a throwaway key, test hosts and a fast hasher.

Chosen by pyproject.toml, not by the developer's environment (security.md §2.3). SQLite
unless DATABASE_URL is set; CI sets it to PostgreSQL.
"""

import os
import secrets

os.environ["DEBUG"] = "false"
os.environ["HTTPS_ONLY"] = "false"
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
os.environ["STATICFILES_BACKEND"] = (
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"

from config.settings import *  # noqa: F403

# The development tools and their tests (tests/devtools/); production never has them.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# No forked engine workers inside test transactions; a test asks for them by name.
RESCREEN_PROCESSES = 1
