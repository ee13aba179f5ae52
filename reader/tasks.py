"""The reader's background work: rendering a live article's pages once, refreshing them all when site texts change."""

from django_tasks import task

from jobs.library_jobs import job_running
from jobs.retries import retried
from reader import cache
from reader.models import PublishedArticle
from reader.prerendered import pages_changed, prerender

BATCH = 1_000


@task()
@retried
def prerender_article_pages(article_id: int) -> int:
    """Render and store the live article's page in each audience's words; return how many pages were stored.

    Queued when a move changes what the live page says. Nothing to do when the
    article is no longer live, or a reader's request stored the pages first.
    """
    slug = PublishedArticle.objects.filter(article_id=article_id).values_list("slug", flat=True).first()
    return 0 if slug is None else prerender(slug)


@task()
@retried
def refresh_article_pages(job_id: int) -> int:
    """Make every live article's pages render afresh, a batch of articles at a time, then once more; return how many.

    Each batch counts a new generation of its stored pages (see
    `reader.prerendered`) and forgets its cached ones, so each page is rendered
    on its next request with the disclaimer or the urgent-help box now in
    force. The second pass drops a cached page that a request rendered before
    the change committed and stored after the first pass reached it (as
    `cache.article_purge` does for one article).
    """
    articles = PublishedArticle.objects.order_by("pk").values_list("pk", "slug")
    with job_running(job_id, total=PublishedArticle.objects.count()) as advance:
        last = 0
        while batch := list(articles.filter(pk__gt=last)[:BATCH]):
            pages_changed(PublishedArticle.objects.filter(pk__in=[pk for pk, _ in batch]))
            cache.article_purge([slug for _, slug in batch], again=False)
            advance(len(batch))
            last = batch[-1][0]
        last = 0
        while batch := list(articles.filter(pk__gt=last)[:BATCH]):
            cache.article_purge([slug for _, slug in batch], again=False)
            last = batch[-1][0]
    return PublishedArticle.objects.count()
