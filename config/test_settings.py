"""Test settings: the real settings, made fast and hermetic.

The database still comes from DATABASE_URL, so CI runs the suite on PostgreSQL.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DEBUG", "false")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks (emails) run at once, in the test; tests of the database worker switch to its backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SECURE_SSL_REDIRECT = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
STATIC_ROOT = None  # tests serve static files from the app folders, not collectstatic's output
WHITENOISE_USE_FINDERS = True
# Most tests sign in with force_login and are about something other than the second factor;
# tests/test_mfa.py turns it on with the `settings` fixture and tests it there.
STAFF_MFA_REQUIRED = False
# The address links in emails and pre-rendered pages name: the test client's own host.
SITE_URL = "http://testserver"
