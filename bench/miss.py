"""/bench/miss/: the demo article as a cache miss finds it, to time what pre-rendering saves.

The view forgets the page's pointer in the shared cache (one cache delete more
than a real miss costs), then answers through the reader's own view: the
pointer is missing, so the page is read from the database, where it was
stored when its revision went live (see `reader.prerendered`), and cached again.
"""

from django.core.cache import cache

from bench.floor import ARTICLE_PATH
from reader.cache import article_key
from reader.views import article_detail, reader_audience

SLUG = ARTICLE_PATH.strip("/").split("/")[-1]


def miss(request):
    cache.delete(article_key(SLUG, reader_audience(request)))
    return article_detail(request, SLUG)
