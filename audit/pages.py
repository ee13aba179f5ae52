"""Fetch an article's page the way readers get it, and read the words it shows.

The page is requested through the site's own URL and middleware (Django's test
client: a real request handled in this process), so it comes from the same
whole-page cache readers are served from (`reader.cache`, shared with the web
workers when the cache is Redis), or is rendered by the real view on a miss.
The words are found by the template's `data-words` markers: the question, the
lede, the title, every section heading and intro, every claim's lead-in, text
and evidence grade (as the audience reads it).
"""

import gzip
from dataclasses import dataclass
from functools import lru_cache

import lxml.html
from django.conf import settings
from django.test import Client
from django.urls import reverse

from articles.documents import present_document
from articles.rendering import render_inline
from config.replica import PRIMARY_READS_COOKIE
from reader.views import AUDIENCE_COOKIE

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
    """A client that asks as a reader's browser over HTTPS would, on a host the site answers to.

    It reads the primary database, never a replica (`config.replica`): the
    audit compares the pages with the revisions it reads from the primary, and
    a lagging replica must not pass for a page showing other words.
    """
    host = next((host.lstrip(".") for host in settings.ALLOWED_HOSTS if host != "*"), "localhost")
    client = Client(SERVER_NAME=host, raise_request_exception=False)
    client.cookies[PRIMARY_READS_COOKIE] = "1"
    return client


def page_fetch(client: Client, *, slug: str, audience: str) -> list[ServedPage]:
    """Request the article's page for `audience` twice, gzip-compressed and not; return what each showed.

    The first request renders and caches the page on a miss; the second is then
    a hit. Both cached forms are read, since a reader may be served either.
    """
    url = reverse("reader:article", args=[slug])
    client.cookies[AUDIENCE_COOKIE] = audience
    pages, read = [], {}
    for encoding in ("gzip", "identity"):
        response = client.get(url, secure=True, HTTP_ACCEPT_ENCODING=encoding)
        body = response.content
        if response.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        if response.status_code != 200:
            words, claim_like, flags = (), 0, frozenset()
        else:
            if body not in read:  # both forms of a page are usually the same bytes: read them once
                read[body] = _page_reading(body.decode("utf-8", errors="replace"))
            words, claim_like, flags = read[body]
        pages.append(
            ServedPage(
                url=url,
                audience=audience,
                encoding=encoding,
                status=response.status_code,
                words=words,
                claim_like=claim_like,
                flags=flags,
            )
        )
    return pages


def words_expected(document: dict, audience: str) -> tuple[tuple[str, str], ...]:
    """The (marker, text) pairs the page must show, in page order, for the revision's `document` and `audience`."""
    shown = present_document(document, audience)
    words = [
        ("question", _plain(document["question"])),
        ("lede", _inline_words(shown["display_lede"])),
        ("title", _plain(document["title"])),
    ]
    for section in shown["sections"]:
        words.append(("heading", _plain(section["heading"])))
        if section["intro"]:
            words.append(("intro", _inline_words(section["intro"])))
        for claim in section["claims"]:
            if claim["lead_in"]:
                words.append(("lead-in", _plain(f"{claim['lead_in']}:")))
            words.append((f"claim {claim['uid']}", _inline_words(claim["display_text"])))
            if claim["grade"]:
                words.append(("grade", _plain(claim["grade"]["label"] or " ".join(claim["grade"]["plain"]))))
    return tuple(words)


def _plain(text: str) -> str:
    return " ".join(text.split())


@lru_cache(maxsize=8192)
def _inline_words(text: str) -> str:
    """The words of inline Markdown as a reader sees them rendered: tags dropped, entities decoded, spaces collapsed.

    Cached: the clinician's and the student's pages show the same wording.
    """
    html = str(render_inline(text))
    if not html.strip():
        return ""
    return _plain(lxml.html.fragment_fromstring(html, create_parent="div").text_content())


CLAIM_LIKE = "//*[contains(concat(' ', normalize-space(@class), ' '), ' claim ')]"


def _page_reading(html: str) -> tuple[tuple[tuple[str, str], ...], int, frozenset[str]]:
    """(words by marker in page order, claim-like elements, flags) of a whole page."""
    page = lxml.html.document_fromstring(html)
    words = []
    for element in page.iterfind(".//*[@data-words]"):
        marker = element.get("data-words")
        if marker == "claim":
            marker = f"claim {element.get('data-claim', '')}"
        words.append((marker, _plain(element.text_content())))
    flags = frozenset(element.get("data-flag") for element in page.iterfind(".//*[@data-flag]"))
    return tuple(words), len(page.xpath(CLAIM_LIKE)), flags
