"""WSGI entry for the benchmark: the project's application, with the floor primed at worker start.

gunicorn imports this in every worker (no --preload), so each worker holds its
own copy of the floor's bytes before it accepts a request. `/bench/bare/`
goes to the same floor view through a Django handler with no middleware at
all: what any Django view returning those bytes costs, before the project's
stack (security headers, sessions, CSP, ...) adds its share.
"""

import os

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from config.wsgi import application as project  # production's entry: cached pages in front of Django


class BareHandler(WSGIHandler):
    """Django's WSGI handler with no middleware: URL resolution, the view and the response, nothing else."""

    def load_middleware(self, is_async=False):
        self._view_middleware, self._template_response_middleware, self._exception_middleware = [], [], []
        self._middleware_chain = convert_exception_to_response(self._get_response)


bare = BareHandler()


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/bench/bare/":
        return bare(environ, start_response)
    return project(environ, start_response)


from bench import floor  # noqa: E402 - needs the app registry loaded above

floor.prime(os.environ.get("BENCH_HOST", "127.0.0.1"))
