"""WSGI entry point, served by gunicorn in production (and by runserver)."""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

from reader.front import CachedPagesFront  # noqa: E402 - needs the app registry get_wsgi_application loads

# An anonymous reader's cached article page is answered in front of Django, as WhiteNoise answers static files.
application = CachedPagesFront(application)

# The site never serves without a secret key: sessions, CSRF tokens and password resets depend on it.
try:
    secret_key = settings.SECRET_KEY  # Django refuses to read an empty one
except ImproperlyConfigured as missing:
    raise ImproperlyConfigured(settings.KEYLESS_START_REFUSAL) from missing
