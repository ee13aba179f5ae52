"""The reader's background work: refreshing every cached article page when words they all show change."""

from django_tasks import task

from jobs.library_jobs import job_running
from jobs.retries import retried
from reader import cache
from reader.models import PublishedArticle

BATCH = 1_000


@task()
@retried
def refresh_article_pages(job_id: int) -> int:
    """Forget every live article's cached pages, a batch of articles at a time, then once more; return how many.

    Each page is rendered afresh on its next request, with the disclaimer or
    the urgent-help box now in force. The second pass drops a page that a
    request rendered before the change committed and stored after the first
    pass reached it (as `cache.article_purge` does for one article).
    """
    articles = PublishedArticle.objects.order_by("pk").values_list("pk", "slug")
    with job_running(job_id, total=PublishedArticle.objects.count()) as advance:
        last = 0
        while batch := list(articles.filter(pk__gt=last)[:BATCH]):
            cache.article_purge([slug for _, slug in batch], again=False)
            advance(len(batch))
            last = batch[-1][0]
        last = 0
        while batch := list(articles.filter(pk__gt=last)[:BATCH]):
            cache.article_purge([slug for _, slug in batch], again=False)
            last = batch[-1][0]
    return PublishedArticle.objects.count()
