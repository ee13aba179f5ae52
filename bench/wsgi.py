"""WSGI entry for the benchmark: the project's application, with the floor primed at worker start.

gunicorn imports this in every worker (no --preload), so each worker holds its
own copy of the floor's bytes before it accepts a request.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

application = get_wsgi_application()

from bench import floor  # noqa: E402 - needs the app registry loaded above

floor.prime(os.environ.get("BENCH_HOST", "127.0.0.1"))
