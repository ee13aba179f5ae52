"""The reader's whole-page cache.

A cached article page is keyed by its slug and audience and remembers the
revision hash it was rendered from; it is dropped as soon as the live revision
changes (approval or withdrawal), so a reader never gets words that are no
longer approved.
"""

from django.conf import settings
from django.core.cache import cache

AUDIENCES = ("patient", "clinician", "student")


def page_timeout() -> int:
    """A day in a shared cache; a minute in a worker's own memory, which a purge reaches in one worker only."""
    return 60 if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache") else 60 * 60 * 24


def article_key(slug: str, audience: str) -> str:
    return f"reader:article:{slug}:{audience}"


def article_get(slug: str, audience: str) -> dict | None:
    return cache.get(article_key(slug, audience))


def article_set(slug: str, audience: str, entry: dict) -> None:
    cache.set(article_key(slug, audience), entry, page_timeout())


def article_purge(slug: str) -> None:
    cache.delete_many([article_key(slug, audience) for audience in AUDIENCES])
