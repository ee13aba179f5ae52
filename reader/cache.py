"""The reader's whole-page cache.

Two levels, so that a hit costs one small lookup:

- in the shared cache (Redis in production), `slug + audience + citation
  style` points to the page's ETag, the hash of its bytes. That pointer
  is deleted as soon as the live revision changes (approval or withdrawal), so
  a reader never gets words that are no longer approved;
- the page's bytes are stored under the ETag itself. The words behind an ETag
  never change, so each worker may also keep recent pages in its own memory
  without ever serving a stale one.
"""

import threading
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache

AUDIENCES = ("patient", "clinician", "student")
LOCAL_PAGES = 128

_local_pages: OrderedDict = OrderedDict()
_local_lock = threading.Lock()


def page_timeout() -> int:
    """A day in a shared cache; a minute in a worker's own memory, which a purge reaches in one worker only."""
    return 60 if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache") else 60 * 60 * 24


def article_key(slug: str, audience: str) -> str:
    """The pointer's key; it names the citation style, so a deploy that changes style never finds the old page."""
    return f"reader:article:{slug}:{audience}:{settings.READER_CITATION_STYLE}"


def page_key(etag: str) -> str:
    return f"reader:page:{etag}"


def article_get(slug: str, audience: str) -> dict | None:
    """The cached page for this slug and audience, with its headers, or None."""
    pointer = cache.get(article_key(slug, audience))
    if pointer is None:
        return None
    page = _local_get(pointer["etag"])
    if page is None:
        page = cache.get(page_key(pointer["etag"]))
        if page is None:
            return None
        _local_put(pointer["etag"], page)
    return {**pointer, **page}


def article_set(slug: str, audience: str, entry: dict) -> None:
    """Cache a rendered page: `entry` has content, gzip, etag, last_modified and status."""
    page = {"content": entry["content"], "gzip": entry["gzip"]}
    pointer = {key: entry[key] for key in ("etag", "last_modified", "status")}
    cache.set(page_key(entry["etag"]), page, page_timeout())
    cache.set(article_key(slug, audience), pointer, page_timeout())
    _local_put(entry["etag"], page)


def article_purge(slug: str) -> None:
    """Forget which page is current for the article; the next request renders the live revision again."""
    cache.delete_many([article_key(slug, audience) for audience in AUDIENCES])


def _local_get(etag: str) -> dict | None:
    with _local_lock:
        page = _local_pages.get(etag)
        if page is not None:
            _local_pages.move_to_end(etag)
        return page


def _local_put(etag: str, page: dict) -> None:
    with _local_lock:
        _local_pages[etag] = page
        _local_pages.move_to_end(etag)
        while len(_local_pages) > LOCAL_PAGES:
            _local_pages.popitem(last=False)
