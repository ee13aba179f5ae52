"""An anonymous reader's cached article page, answered in front of Django as WhiteNoise answers a static file.

Once cached, an approved page is bytes named by their own hash: serving them
needs none of Django's request handling (its signals, the request object, the
middleware chain, URL resolution, the response object), which cost more than
the lookup itself. This WSGI wrapper answers a plain GET of an article page
(`reader.middleware.PlainArticleRequests`) whose page is in the cache, memory
or Redis, and hands every other request to Django untouched: a host it has
not seen allowed, a revalidation (`If-None-Match`: Django's rules for
conditional requests answer it, in `reader.middleware`), a miss, a reader who
is signed in or has just written.

It never reads the database, and it answers with exactly what the whole stack
would: the view's headers (`reader.views.page_answer`) and those the stack
adds (security headers, the content security policy), learned from the last
cacheable article page Django answered in this process over the same scheme.
Until Django has answered one, everything goes to Django; so does plain HTTP
where the site redirects it to HTTPS (Django never answers a page over it to
learn from). A failure here is logged and the request goes to Django: the
fast path never makes a page fail.
"""

import logging
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest

from reader import cache
from reader.middleware import CACHE_MISSED, PlainArticleRequests, stack_headers_of
from reader.views import page_answer

logger = logging.getLogger(__name__)

# Requests that ask whether a page changed: Django's conditional rules answer them (`reader.views.page_response`).
REVALIDATIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
# What makes a request's host: the raw values `HttpRequest.get_host` reads.
HOST_KEYS = ("HTTP_X_FORWARDED_HOST", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "HTTP_X_FORWARDED_PORT")
ALLOWED_HOSTS_KEPT = 64  # hosts found allowed, remembered so each is validated once (bounded: wildcards allow many)


class CachedPagesFront:
    def __init__(self, application):
        self.application = application
        self.plain = PlainArticleRequests()
        self.stack_headers: dict[str, list[tuple[str, str]]] = {}  # by scheme: HSTS is only sent over HTTPS
        self.allowed_hosts: set[tuple] = set()

    def __call__(self, environ, start_response):
        asked = self.plain.slug_and_audience(environ)
        if asked is None or any(name in environ for name in REVALIDATIONS):
            return self.application(environ, start_response)
        scheme = scheme_of(environ)
        if scheme in self.stack_headers:
            try:
                answer = self.cached_answer(environ, *asked, stack_headers=self.stack_headers[scheme])
            except Exception:
                logger.exception("The cached page could not be answered in front of Django; Django answers it.")
                answer = None
            if answer is not None:
                status, headers, content = answer
                start_response(status, headers)
                return [content]
        return self.application(environ, self.learning(start_response, scheme))

    def cached_answer(self, environ, slug: str, audience: str, *, stack_headers) -> tuple[str, list, bytes] | None:
        """The status line, headers and bytes of the cached page, or None to let Django answer."""
        if not self.host_allowed(environ):
            return None  # Django refuses it (400), and logs it as a suspicious request
        entry = cache.article_get(slug, audience)
        if entry is None:
            environ[CACHE_MISSED] = True  # the middleware reads the stored page without asking the cache again
            return None
        content, headers = page_answer(entry, environ)
        status = HTTPStatus(entry["status"])
        return f"{status.value} {status.phrase}", [*headers.items(), *stack_headers], content

    def host_allowed(self, environ) -> bool:
        """Whether Django would accept the request's host (ALLOWED_HOSTS), asked once per host seen."""
        host = tuple(environ.get(key) for key in HOST_KEYS)
        if host in self.allowed_hosts:
            return True
        try:
            WSGIRequest(environ).get_host()
        except DisallowedHost:
            return False
        if len(self.allowed_hosts) < ALLOWED_HOSTS_KEPT:
            self.allowed_hosts.add(host)
        return True

    def learning(self, start_response, scheme: str):
        """`start_response`, learning the stack's headers from Django's answer to a cacheable page."""

        def start(status, headers, exc_info=None):
            learned = stack_headers_of(headers) if status.startswith("200 ") else None
            if learned is not None:
                self.stack_headers[scheme] = learned
            return start_response(status, headers, exc_info)

        return start


def scheme_of(environ) -> str:
    """The request's scheme, as `HttpRequest.scheme` reads it (behind a proxy: SECURE_PROXY_SSL_HEADER)."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            return "https" if value.split(",", 1)[0].strip() == secure_value else "http"
    return environ.get("wsgi.url_scheme", "http")
