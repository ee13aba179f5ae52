"""WSGI entry point gunicorn serves: Wagtail's page serving, per request, as Wagtail ships it."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ldn_site.settings")
application = get_wsgi_application()
