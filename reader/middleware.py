"""Cached article pages served before the rest of the middleware stack runs.

A cache hit on an article page is the product's hottest path, and most of its
cost was the stack around the view (sessions, CSRF, authentication, the
second factor, history, lockouts), none of which has anything to do for an
anonymous reader's plain GET of a public page. This middleware sits right
after `SecurityMiddleware` and WhiteNoise: for such a request whose page is in
the cache it answers at once, through the view's own `page_response`.

The answer carries exactly the headers the full stack gives the same page:
those the stack below adds (the content security policy, X-Frame-Options)
are learned from the last cached article page that went through it in this
process. Until one has, and for every other request, the stack runs as usual.
"""

import re

from django.conf import settings

from config.replica import PRIMARY_READS_COOKIE, replica_reads
from reader.addresses import article_path_around_slug
from reader.prerendered import ready_page
from reader.views import page_response, reader_audience

# The headers the view sets on each page; any other header on a cached page came from the stack below.
PAGE_HEADERS = frozenset(
    {"content-type", "content-length", "content-encoding", "etag", "last-modified", "vary", "cache-control"}
)
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


class CachedArticlePageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = self.suffix = None
        self.stack_headers: dict[str, str] | None = None  # learned from the first cached page through the stack

    def __call__(self, request):
        slug = self.plain_article_slug(request)
        if slug is not None and self.stack_headers is not None:
            request.get_host()  # refuse a host outside ALLOWED_HOSTS, as CommonMiddleware would (400)
            with replica_reads():  # the request is one `config.replica.may_read_replica` allows
                entry = ready_page(slug, reader_audience(request))
            if entry is not None:
                response = page_response(request, entry)
                for name, value in self.stack_headers.items():
                    response[name] = value
                return response
        response = self.get_response(request)
        if slug is not None and response.status_code == 200 and response.has_header("ETag"):
            self.learn(response)
        return response

    def plain_article_slug(self, request) -> str | None:
        """The slug of an anonymous reader's plain GET of an article page, or None for any other request.

        Plain: no query string (those pages are rendered, never cached), no
        session (staff and experts go through the stack, which keeps their
        session alive and checks it) and no read-your-writes cookie (the
        reader just wrote: `config.replica`).
        """
        if request.method != "GET" or request.META.get("QUERY_STRING"):
            return None
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or PRIMARY_READS_COOKIE in cookies:
            return None
        if self.prefix is None:
            self.prefix, self.suffix = article_path_around_slug()
        path = request.path_info
        if not (path.startswith(self.prefix) and path.endswith(self.suffix)):
            return None
        slug = path[len(self.prefix) : len(path) - len(self.suffix)]
        return slug if SLUG.fullmatch(slug) else None

    def learn(self, response) -> None:
        """Keep the headers the stack below added to a cached page; a page that sets a cookie teaches nothing."""
        if response.has_header("Set-Cookie") or response.cookies:
            return
        self.stack_headers = {name: value for name, value in response.items() if name.lower() not in PAGE_HEADERS}
