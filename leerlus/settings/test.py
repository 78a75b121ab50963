# SPDX-License-Identifier: EUPL-1.2
"""Tests: SQLite by default, PostgreSQL when DATABASE_URL points at a server."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

SECRET_KEY = "test-only-secret-key-that-is-long-enough-for-django"  # noqa: S105
DEBUG = False
LEERLUS_DEMO = True
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_EMBEDDED_BROKER_DIR = VAR_DIR / "test-broker"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
LOGGING_CONFIG = None
# Tests log people in with force_login (a password login): the second factor is switched on
# by the tests about it (leerlus/accounts/tests/test_second_factor.py and the admin's).
LEERLUS_REQUIRE_SECOND_FACTOR = False

# The test databases and the embedded broker live here; a fresh checkout has no var/ yet.
VAR_DIR.mkdir(parents=True, exist_ok=True)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared memory: a real worker thread and the test then lock rows the way
    # two processes would, instead of failing on shared-cache table locks.
    # One file per test process, so parallel runs never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-leerlus-{os.getpid()}.sqlite3")}
else:
    # One test database per test process on the server too: two runs at once (two
    # developers' checks, a CI job beside a local run) never drop each other's.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
