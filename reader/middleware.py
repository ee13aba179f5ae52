"""Cached article pages served before the rest of the middleware stack runs.

A cache hit on an article page is the product's hottest path, and most of its
cost was the stack around the view (sessions, CSRF, authentication, the
second factor, history, lockouts), none of which has anything to do for an
anonymous reader's plain GET of a public page. A plain hit is answered in
front of Django altogether (`reader.front`); what it leaves to Django, a
revalidation (304) and a page read back from where it was stored when it went
live, this middleware answers right after `SecurityMiddleware` and WhiteNoise,
through the view's own `page_response`.

The answer carries exactly the headers the full stack gives the same page:
those the stack below adds (the content security policy, X-Frame-Options)
are learned from the last cached article page that went through it in this
process. Until one has, and for every other request, the stack runs as usual.
"""

import re

from django.conf import settings
from django.http.cookie import parse_cookie

from config.replica import PRIMARY_READS_COOKIE, replica_reads
from reader.addresses import article_path_around_slug
from reader.prerendered import ready_page
from reader.views import audience_in, page_response

# The headers the view sets on each page; any other header on a cached page came from the stack.
PAGE_HEADERS = frozenset(
    {"content-type", "content-length", "content-encoding", "etag", "last-modified", "vary", "cache-control"}
)
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
# Set in the WSGI environ by `reader.front` when it found the page not cached: the middleware does not ask again.
CACHE_MISSED = "reader.page_cache_missed"


class PlainArticleRequests:
    """Tells an anonymous reader's plain GET of an article page, the only request a cached page may answer.

    Plain: no query string (those pages are rendered, never cached), no
    session (staff and experts go through the stack, which keeps their
    session alive and checks it) and no read-your-writes cookie (the
    reader just wrote: `config.replica`). Reads only the WSGI environ, so
    that the front can ask before Django has built a request.
    """

    def __init__(self):
        self.prefix = self.suffix = None

    def slug_and_audience(self, meta) -> tuple[str, str] | None:
        """The slug and the reader's audience, or None for any other request."""
        if meta.get("REQUEST_METHOD") != "GET" or meta.get("QUERY_STRING"):
            return None
        cookies = parse_cookie(meta["HTTP_COOKIE"]) if "HTTP_COOKIE" in meta else {}
        if settings.SESSION_COOKIE_NAME in cookies or PRIMARY_READS_COOKIE in cookies:
            return None
        if self.prefix is None:
            self.prefix, self.suffix = article_path_around_slug()
        path = meta.get("PATH_INFO", "")
        if not (path.startswith(self.prefix) and path.endswith(self.suffix)):
            return None
        slug = path[len(self.prefix) : len(path) - len(self.suffix)]
        if not SLUG.fullmatch(slug):
            return None
        return slug, audience_in(cookies)


def stack_headers_of(headers) -> list[tuple[str, str]] | None:
    """The headers the stack added to a cached page's answer, or None if this answer can teach none.

    Only a page the view marked cacheable (it has an ETag) that sets no
    cookie: a cookie is one person's, never to be given to the next reader.
    """
    names = {name.lower() for name, _ in headers}
    if "etag" not in names or "set-cookie" in names:
        return None
    return [(name, value) for name, value in headers if name.lower() not in PAGE_HEADERS]


class CachedArticlePageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.plain = PlainArticleRequests()
        self.stack_headers: list[tuple[str, str]] | None = None  # learned from the first cached page through it

    def __call__(self, request):
        asked = self.plain.slug_and_audience(request.META)
        if asked is not None and self.stack_headers is not None:
            request.get_host()  # refuse a host outside ALLOWED_HOSTS, as CommonMiddleware would (400)
            with replica_reads():  # the request is one `config.replica.may_read_replica` allows
                entry = ready_page(*asked, cache_missed=CACHE_MISSED in request.META)
            if entry is not None:
                response = page_response(request, entry)
                for name, value in self.stack_headers:
                    response[name] = value
                return response
        response = self.get_response(request)
        if asked is not None and response.status_code == 200 and not response.cookies:
            self.stack_headers = stack_headers_of(response.items()) or self.stack_headers
        return response
