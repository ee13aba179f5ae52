"""The floor: a bare Django view answering with the article page's bytes, held in memory.

`prime()` renders the demo article once through the real view and the whole
middleware stack (django.test.Client against the same settings) and keeps its
body; `floor()` then answers every request with those bytes. No cache lookup,
no database, no decorators: whatever the article page costs above this is the
price of the app's own work on a cache hit.
"""

from django.http import HttpResponse

ARTICLE_PATH = "/articles/low-dose-naltrexone-chronic-pain/"

_body: bytes | None = None
_content_type = "text/html; charset=utf-8"


def prime(host: str) -> None:
    """Fetch the article once, as a reader on `host` would (the canonical URL in the page uses it)."""
    global _body, _content_type
    from django.test import Client  # imported here: only the bench's WSGI entry calls prime()

    response = Client(HTTP_HOST=host).get(ARTICLE_PATH)
    if response.status_code != 200:
        raise RuntimeError(f"bench floor: {ARTICLE_PATH} answered {response.status_code}, expected 200")
    _body = response.content
    _content_type = response["Content-Type"]


def floor(request):
    if _body is None:
        return HttpResponse("bench floor not primed: serve bench.wsgi", status=503, content_type="text/plain")
    return HttpResponse(_body, content_type=_content_type)
