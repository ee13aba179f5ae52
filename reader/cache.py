"""The reader's whole-page cache.

Two levels, so that a hit costs one small lookup:

- in the shared cache (Redis in production), `public slug + audience +
  citation style` points to the page's ETag, the hash of its bytes. Pointers
  live `READER_CACHE_SECONDS` (default 300) at most, and every slug the
  article was ever public under is purged once a move that changes what
  readers see commits (see `reader.index`);
- the page's bytes are stored under the ETag itself. The words behind an ETag
  never change, so each worker may also keep recent pages in its own memory
  without ever serving a stale one.

A page whose words change with the date alone (a live answer whose review
date is near reads "review overdue" the day after it) records in its pointer
the last day it reads as it does: from the next local day the pointer is a
miss, so the caution appears on the day it becomes true, with no move to
purge it.

How stale a page can be: not at all once the purge is delivered (each worker's
near copy of a pointer is dropped by Redis's invalidation, see
`config.cache`). A page rendered just before a move and stored just after its
purge is purged again `PURGE_REPEAT_SECONDS` later. A purge Redis could not
take is retried by the cache backend until Redis takes it; if the process dies
first, the pointer expires: at most `READER_CACHE_SECONDS` after the move.
"""

import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache, caches
from django.utils import timezone

from editorial.accounts.throttling import counted

AUDIENCES = ("patient", "clinician", "student")
LOCAL_PAGES = 128
LOCAL_PAGE_BYTES = 32 * 1024 * 1024  # a worker's own copies of pages, plain and gzipped
PAGE_BYTES_SECONDS = 60 * 60 * 24  # bytes named by their own hash are never stale
PURGE_REPEAT_SECONDS = 2.0
QUESTIONS_WINDOW_SECONDS = 60 * 60

_local_pages: OrderedDict = OrderedDict()
_local_bytes = 0
_local_lock = threading.Lock()


def page_timeout() -> int:
    """How long a pointer to a page may live: READER_CACHE_SECONDS, and a minute at most in a worker's own memory.

    A purge reaches one worker only when each keeps its own cache.
    """
    if _is_per_process():
        return min(60, settings.READER_CACHE_SECONDS)
    return settings.READER_CACHE_SECONDS


def article_key(slug: str, audience: str) -> str:
    """The pointer's key; it names the citation style, so a deploy that changes style never finds the old page."""
    return f"reader:article:{slug}:{audience}:{settings.READER_CITATION_STYLE}"


def page_key(etag: str) -> str:
    return f"reader:page:{etag}"


def article_get(slug: str, audience: str) -> dict | None:
    """The cached page for this public slug and audience, with its headers, or None."""
    pointer = cache.get(article_key(slug, audience))
    if pointer is None or _outdated(pointer):
        return None
    page = _local_get(pointer["etag"])
    if page is None:
        page = cache.get(page_key(pointer["etag"]))
        if page is None:
            return None
        _local_put(pointer["etag"], page)
    return {**pointer, **page}


def article_set(slug: str, audience: str, entry: dict) -> None:
    """Cache a rendered page: `entry` has content, gzip, etag, last_modified, status and reads_the_same_until.

    `reads_the_same_until` is the last local date on which the page reads as
    rendered (None: until a move changes it).
    """
    pointer = {key: entry[key] for key in ("etag", "last_modified", "status")}
    until = entry.get("reads_the_same_until")
    pointer["stale_from"] = _start_of_day_after(until).timestamp() if until else None
    if _local_get(entry["etag"]) is None:
        # An ETag names its bytes (their hash), and bytes this worker holds were stored in the shared cache
        # with them: a pointer that expired or was purged is set again without sending the page (if the
        # shared copy was evicted meanwhile, the next worker to miss it stores it again).
        page = {"content": entry["content"], "gzip": entry["gzip"]}
        cache.set(page_key(entry["etag"]), page, PAGE_BYTES_SECONDS)
        _local_put(entry["etag"], page)
    cache.set(article_key(slug, audience), pointer, page_timeout())


def _start_of_day_after(day: date) -> datetime:
    """The moment the local day after `day` begins: the first moment a page reading true until `day` does not."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _outdated(pointer: dict) -> bool:
    """Whether the day has come when the page the pointer names no longer reads true (see the module's note).

    The pointer holds the moment that day begins, as POSIX seconds (a number
    unpickles in a fraction of a datetime's time), so a hit compares two
    instants instead of working out today's local date. A pointer without it
    (written by an older release) is outdated: the page is read again.
    """
    if "stale_from" not in pointer:
        return True
    stale_from = pointer["stale_from"]
    return stale_from is not None and timezone.now().timestamp() >= stale_from


def article_purge(slugs: Iterable[str], *, again: bool = True) -> None:
    """Forget which page is current under each of these public slugs, now and (`again`) once more shortly after.

    The second purge drops a page that a request rendered from the database
    just before the move committed and stored just after the first purge. A
    caller that makes its own second pass (`reader.tasks`) says `again=False`.
    """
    keys = [article_key(slug, audience) for slug in slugs for audience in AUDIENCES]
    if not keys:
        return
    keys.append(LISTINGS_VERSION_KEY)  # the article's address, its review date, the count may be in them
    backend = caches["default"]  # this thread's instance, reused by the timer's thread
    backend.delete_many(keys)
    if again and not _is_per_process():  # a worker's own cache is purged in one process only; it expires in a minute
        repeat = threading.Timer(PURGE_REPEAT_SECONDS, backend.delete_many, args=(keys,))
        repeat.daemon = True
        repeat.start()


# The version of everything listed from the whole library (sitemap files, the count of articles):
# `article_purge` deletes it, which orphans every such entry at once; the orphans expire.
LISTINGS_VERSION_KEY = "reader:listings:version"


def _listing_key(name: str) -> str | None:
    """The key of a listing's entry in the current version, or None while none is set."""
    version = cache.get(LISTINGS_VERSION_KEY)
    return None if version is None else f"reader:listing:{version}:{name}"


def listing_get(name: str):
    """A cached listing of the library (a sitemap file, the count of articles), or None; see `listing_set`."""
    key = _listing_key(name)
    return None if key is None else cache.get(key)


def listing_set(name: str, value) -> None:
    """Cache a listing of the library until the next move purges it, or `page_timeout()` at most."""
    cache.add(LISTINGS_VERSION_KEY, uuid.uuid4().hex, page_timeout())
    key = _listing_key(name)
    if key is not None:  # purged in between: the next request reads it again
        cache.set(key, value, page_timeout())


def sitemap_get(name: str, host: str) -> dict | None:
    """A sitemap file's cached bytes and headers (`name`: the index, or a section and page), or None.

    The files name absolute addresses, so they are kept per host. Board and
    page files change with no move: they are at most `READER_CACHE_SECONDS` old.
    """
    return listing_get(f"sitemap:{host}:{name}")


def sitemap_set(name: str, host: str, entry: dict) -> None:
    """Cache a sitemap file: `entry` has content, content_type and last_modified (or None)."""
    listing_set(f"sitemap:{host}:{name}", entry)


def _is_per_process() -> bool:
    return settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")


def page_held(etag: str) -> dict | None:
    """This worker's own copy of the page named `etag` (its plain and gzipped bytes), if it keeps one."""
    return _local_get(etag)


def _local_get(etag: str) -> dict | None:
    with _local_lock:
        page = _local_pages.get(etag)
        if page is not None:
            _local_pages.move_to_end(etag)
        return page


def _page_bytes(page: dict) -> int:
    return len(page["content"]) + len(page["gzip"])


def _local_put(etag: str, page: dict) -> None:
    """Keep a page in this worker, within LOCAL_PAGES entries and LOCAL_PAGE_BYTES, least recently used out first."""
    global _local_bytes
    with _local_lock:
        old = _local_pages.pop(etag, None)
        if old is not None:
            _local_bytes -= _page_bytes(old)
        _local_pages[etag] = page
        _local_bytes += _page_bytes(page)
        while _local_pages and (len(_local_pages) > LOCAL_PAGES or _local_bytes > LOCAL_PAGE_BYTES):
            _, dropped = _local_pages.popitem(last=False)
            _local_bytes -= _page_bytes(dropped)


def local_size() -> tuple[int, int]:
    """How many pages this worker keeps in its own memory, and their bytes."""
    with _local_lock:
        return len(_local_pages), _local_bytes


def questions_counted(client: str, *, kind: str = "questions") -> int:
    """Count one more follow-up question (or, by `kind`, problem report) from `client` this hour; return the
    count (see `throttling.counted`). Each kind has its own count."""
    return counted(f"reader:{kind}:{client}", QUESTIONS_WINDOW_SECONDS)
