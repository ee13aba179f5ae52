"""Fetch an article's page the way readers get it, and read the words it shows.

The page is requested through the site's own URL and middleware (Django's test
client: a real request handled in this process), so it comes from the same
whole-page cache readers are served from (`reader.cache`, shared with the web
workers when the cache is Redis), or is rendered by the real view on a miss.
The words are found by the template's `data-words` markers: the question, the
lede, the title, every section heading and intro, every claim's lead-in and text.
"""

import gzip
from dataclasses import dataclass
from html.parser import HTMLParser

from django.conf import settings
from django.test import Client
from django.urls import reverse

from articles.documents import present_document
from articles.rendering import render_inline
from reader.views import AUDIENCE_COOKIE

VOID_ELEMENTS = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr")
)
OVERDUE_FLAG = "review-overdue"


@dataclass(frozen=True)
class ServedPage:
    """What one request for an article's page got: its status, and the words and flags the page shows."""

    url: str
    audience: str
    encoding: str  # "gzip" or "identity": a cached page is stored both ways, and either may be served
    status: int
    words: tuple[tuple[str, str], ...]  # (marker, text) in page order; a claim's marker is "claim <uid>"
    claim_like: int  # elements with the class "claim": every one must be a claim of the revision
    flags: frozenset[str]


def reader_client() -> Client:
    """A client that asks as a reader's browser over HTTPS would, on a host the site answers to."""
    host = next((host.lstrip(".") for host in settings.ALLOWED_HOSTS if host != "*"), "localhost")
    return Client(SERVER_NAME=host, raise_request_exception=False)


def page_fetch(client: Client, *, slug: str, audience: str) -> list[ServedPage]:
    """Request the article's page for `audience` twice, gzip-compressed and not; return what each showed.

    The first request renders and caches the page on a miss; the second is then
    a hit. Both cached forms are read, since a reader may be served either.
    """
    url = reverse("reader:article", args=[slug])
    client.cookies[AUDIENCE_COOKIE] = audience
    pages = []
    for encoding in ("gzip", "identity"):
        response = client.get(url, secure=True, HTTP_ACCEPT_ENCODING=encoding)
        body = response.content
        if response.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        reading = _PageReading()
        if response.status_code == 200:
            reading.feed(body.decode("utf-8", errors="replace"))
            reading.close()
        pages.append(
            ServedPage(
                url=url,
                audience=audience,
                encoding=encoding,
                status=response.status_code,
                words=tuple(reading.words),
                claim_like=reading.claim_like,
                flags=frozenset(reading.flags),
            )
        )
    return pages


def words_expected(document: dict, audience: str) -> tuple[tuple[str, str], ...]:
    """The (marker, text) pairs the page must show, in page order, for the revision's `document` and `audience`."""
    shown = present_document(document, audience)
    words = [
        ("question", _plain(document["question"])),
        ("lede", _text_of(render_inline(shown["display_lede"]))),
        ("title", _plain(document["title"])),
    ]
    for section in shown["sections"]:
        words.append(("heading", _plain(section["heading"])))
        if section["intro"]:
            words.append(("intro", _text_of(render_inline(section["intro"]))))
        for claim in section["claims"]:
            if claim["lead_in"]:
                words.append(("lead-in", _plain(f"{claim['lead_in']}:")))
            words.append((f"claim {claim['uid']}", _text_of(render_inline(claim["display_text"]))))
    return tuple(words)


def _plain(text: str) -> str:
    return " ".join(text.split())


def _text_of(html: str) -> str:
    reading = _TextReading()
    reading.feed(str(html))
    reading.close()
    return _plain("".join(reading.parts))


class _TextReading(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


class _PageReading(HTMLParser):
    """Collect the text of every element marked `data-words`, the `data-flag`s, and the claim-like elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.words: list[tuple[str, str]] = []
        self.flags: set[str] = set()
        self.claim_like = 0
        self._open: list[tuple[str, int | None]] = []  # (tag, index into _marked or None)
        self._marked: list[tuple[str, list[str]]] = []
        self._collecting: list[int] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if flag := attributes.get("data-flag"):
            self.flags.add(flag)
        if "claim" in (attributes.get("class") or "").split():
            self.claim_like += 1
        if tag in VOID_ELEMENTS:
            return
        marked = None
        if marker := attributes.get("data-words"):
            if marker == "claim":
                marker = f"claim {attributes.get('data-claim', '')}"
            marked = len(self._marked)
            self._marked.append((marker, []))
            self._collecting.append(marked)
        self._open.append((tag, marked))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID_ELEMENTS or all(open_tag != tag for open_tag, _ in self._open):
            return  # a stray end tag closes nothing
        while self._open:  # close whatever the document left open inside this element
            open_tag, marked = self._open.pop()
            if marked is not None:
                self._collecting.remove(marked)
            if open_tag == tag:
                break

    def handle_data(self, data):
        for index in self._collecting:
            self._marked[index][1].append(data)

    def close(self):
        super().close()
        self.words = [(marker, _plain("".join(parts))) for marker, parts in self._marked]
