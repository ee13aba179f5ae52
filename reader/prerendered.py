"""Live article pages rendered once and stored, so that a reader's cache miss is one indexed read, not a render.

The whole-page cache (`reader.cache`) keeps a page for minutes, in memory
that may be evicted, restarted or down. This is its lasting layer, in the
database beside the index: `RenderedPage` rows, one per live article,
audience and citation style. A page is stored when its revision goes live
(`reader.tasks.prerender_article_pages`, on the task queue) or, failing
that, by the first request that renders it.

A stored page is never stale, by construction:

- it names the generation of its article's index row it was rendered in,
  and is served only while that is the row's generation (the read joins
  the two);
- everything that changes what a live page says counts a new generation
  inside its own transaction (`pages_changed`): a move (`reader.index`), a
  site text going live (`reader.tasks.refresh_article_pages`), a change to
  a certifying reviewer's profile (`reader.receivers`); a withdrawal or a
  hold deletes the index row and its pages with it;
- a render reads the generation before anything it shows, so a change that
  commits while the page renders leaves it under the older generation:
  stored, never served;
- a page whose words change with the date alone keeps the last day it reads
  as it does, and is not served after it (as in `reader.cache`);
- a page names what rendered it (`renderer()`: the code, the templates, the
  static files and the settings the page reads), so a deploy that changes
  any of them never serves a page stored before it.
"""

import functools
import gzip
import hashlib
import io
from urllib.parse import urlsplit

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.db import DatabaseError, connections, router, transaction
from django.db.models import DateField, F, QuerySet
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.text import compress_string

from reader import cache
from reader.models import PublishedArticle, RenderedPage

# A page is stored gzipped only (its plain bytes are a decompression away): a quarter of the room, and of the read.
STORED_FIELDS = ("gzip", "etag", "last_modified", "reads_the_same_until")
# What renders a page: the folders of the code, templates and static files it comes from, and the settings it reads.
RENDERING_SOURCES = ("articles", "config", "editorial", "reader", "references", "static", "templates")
RENDERING_SETTINGS = ("READER_CITATION_STYLE", "READER_CORRECTION_NOTICE_DAYS", "READER_PENDING_POLICY", "SITE_URL")


def ready_page(slug: str, audience: str, render=None, *, cache_missed: bool = False):
    """The page under `slug` for `audience` as a cache entry: cached, else stored, else rendered by `render()`.

    A stored page read back is cached again, so the next request is a hit;
    a rendered one is stored and cached. `render` returns the view's
    response: one that may not be cached (a redirect from an older slug, a
    notice, a pending page) is returned as it is, and nothing is stored.
    Without `render`, None when only a render would do. `cache_missed`: this
    request already looked in the cache (`reader.front`), so it is not asked twice.
    """
    entry = None if cache_missed else cache.article_get(slug, audience)
    if entry is not None:
        return entry
    index_row, entry = stored_page(slug, audience)
    if entry is None:
        if render is None:
            return None
        response = render()
        if not getattr(response, "is_cacheable", False):
            return response
        entry = {
            "content": response.content,
            "gzip": compress_string(response.content),
            "etag": response["ETag"],
            "last_modified": response["Last-Modified"],
            "status": response.status_code,
            "reads_the_same_until": response.reads_the_same_until,
        }
        if index_row is not None:  # read before render(): see the module's note
            store_page(*index_row, audience=audience, entry=entry)
    cache.article_set(slug, audience, entry)
    return entry


def stored_page(slug: str, audience: str) -> tuple[tuple[int, int] | None, dict | None]:
    """The live index row under `slug` as (id, generation), and its stored page for `audience`; None for either.

    The page only if it is of the row's generation and reads true today. One
    indexed read, in SQL written once: on a cache miss, building the ORM's
    query cost more than running it.
    """
    connection = connections[router.db_for_read(RenderedPage)]
    with connection.cursor() as cursor:
        cursor.execute(_stored_page_sql(), [audience, renderer(), timezone.localdate(), slug])
        row = cursor.fetchone()
    if row is None:
        return None, None
    published_id, generation, gzipped, etag, last_modified, until = row
    if gzipped is None:
        return (published_id, generation), None
    held = cache.page_held(etag)  # bytes named by their hash: this worker's copy spares the decompression
    page = {
        "content": held["content"] if held else gzip.decompress(gzipped),
        "gzip": held["gzip"] if held else bytes(gzipped),
        "etag": etag,
        "last_modified": last_modified,
        "reads_the_same_until": DateField().to_python(until),
        "status": 200,
    }
    return (published_id, generation), page


@functools.cache
def _stored_page_sql() -> str:
    page, published = RenderedPage._meta, PublishedArticle._meta
    quote = connections[router.db_for_read(RenderedPage)].ops.quote_name
    # The names are the models' own, quoted; every value is a parameter.
    return (
        f"SELECT published.{quote(published.pk.column)}, published.generation, "  # noqa: S608
        f"page.gzip, page.etag, page.last_modified, page.reads_the_same_until "
        f"FROM {quote(published.db_table)} published LEFT JOIN {quote(page.db_table)} page "
        f"ON page.published_id = published.{quote(published.pk.column)} "
        f"AND page.audience = %s AND page.renderer = %s AND page.generation = published.generation "
        f"AND (page.reads_the_same_until IS NULL OR page.reads_the_same_until >= %s) "
        f"WHERE published.slug = %s"
    )


def store_page(published_id: int, generation: int, *, audience: str, entry: dict) -> None:
    """Store a rendered page under the generation read before it was rendered, replacing any older one.

    Storing is an optimisation: when it fails (the article left the index
    meanwhile, a read-only database) the page is still served, from the render.
    """
    fields = {key: entry[key] for key in STORED_FIELDS}
    page = RenderedPage(
        published_id=published_id,
        audience=audience,
        renderer=renderer(),
        generation=generation,
        rendered_at=timezone.now(),
        **fields,
    )
    try:
        with transaction.atomic():
            RenderedPage.objects.bulk_create(
                [page],
                update_conflicts=True,
                unique_fields=["published", "audience"],
                update_fields=["renderer", "generation", "rendered_at", *fields],
            )
    except DatabaseError:
        pass


def renderer() -> str:
    """Name what renders a page now: the source files' digest (read once per process) and the settings pages read."""
    values = [_source_digest(), *(str(getattr(settings, name)) for name in RENDERING_SETTINGS)]
    return hashlib.sha256("\0".join(values).encode()).hexdigest()[:16]


@functools.cache
def _source_digest() -> str:
    digest = hashlib.sha256()
    for folder in RENDERING_SOURCES:
        for path in sorted((settings.BASE_DIR / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def pages_changed(published: QuerySet, **also) -> int:
    """Count a new generation for these index rows' pages, in the caller's transaction; return how many rows.

    The stored pages of the older generation are never served again; the
    caller purges the cached pages once its transaction commits. `also` sets
    other columns in the same statement, so each row is written once.
    """
    return published.update(generation=F("generation") + 1, **also)


def prerender(slug: str) -> int:
    """Render and store the live page under `slug` in each audience's words; return how many pages it stored.

    The page is requested as a reader would at `SITE_URL`, through the
    reader's own view, so the stored bytes are the ones a request would have
    rendered. Pages already stored for the current generation are left alone.
    """
    stored = 0
    for audience in cache.AUDIENCES:
        if stored_page(slug, audience)[1] is not None:
            continue
        request = reader_request(reverse("reader:article", args=[slug]), audience)
        match = resolve(request.path_info)
        response = match.func(request, *match.args, **match.kwargs)
        stored += response.status_code == 200 and stored_page(slug, audience)[1] is not None
    return stored


def reader_request(path: str, audience: str) -> WSGIRequest:
    """A reader's GET of `path` at `SITE_URL`, with their audience chosen, built as the WSGI server builds one."""
    site = urlsplit(settings.SITE_URL)
    scheme = site.scheme or "https"
    port = str(site.port or (443 if scheme == "https" else 80))
    return WSGIRequest(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": site.hostname or "localhost",
            "SERVER_PORT": port,
            "HTTP_HOST": site.netloc,
            "HTTP_COOKIE": f"audience={audience}",
            "wsgi.url_scheme": scheme,
            "wsgi.input": io.BytesIO(),
        }
    )
