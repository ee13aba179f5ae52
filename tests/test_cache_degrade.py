"""Redis is a cache, not a dependency: without it readers get pages from the database and moves succeed.

And with it, a purge reaches every worker's near cache: a withdrawal in one
process is seen by another on its next request.
"""

import signal

import pytest
from django.core.cache import caches
from django.urls import reverse

from config.cache import ReusingRedisCache
from editorial.models import AuditEvent
from editorial.services import article_withdraw
from reader import cache as page_cache
from reader.models import FollowUpQuestion
from tests.redis_server import eventually, free_port, redis_server  # noqa: F401 - a fixture
from tests.workflow_helpers import approve, approved, citable_article, under_review

pytestmark = pytest.mark.django_db

NEAR_OPTIONS = {"NEAR_PREFIXES": ["reader:article:"]}


def redis_caches(url):
    return {"default": {"BACKEND": "config.cache.ReusingRedisCache", "LOCATION": url, "OPTIONS": NEAR_OPTIONS}}


@pytest.fixture
def redis_down(settings):
    """The site's cache is a Redis nothing answers for (a closed port)."""
    settings.CACHES = redis_caches(f"redis://127.0.0.1:{free_port()}/0")
    yield
    caches["default"].near_cache.stop()


@pytest.fixture
def redis_up(settings, redis_server):  # noqa: F811
    """The site's cache is a Redis of this test's own, with near caching as in production."""
    settings.CACHES = redis_caches(redis_server.url)
    yield redis_server
    caches["default"].near_cache.stop()


def page(article):
    return reverse("reader:article", args=[article.slug])


def claim_text(revision):
    return revision.content["sections"][0]["claims"][0]["text"]


# Redis down


def test_article_pages_answer_200_from_the_database_while_redis_is_down(client, editor, managing_editor, redis_down):
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)

    responses = [client.get(page(article)) for _ in range(2)]
    download = client.get(reverse("reader:article_references", args=[article.slug, "ris"]))

    assert [response.status_code for response in responses] == [200, 200]
    assert all(claim_text(revision) in response.content.decode() for response in responses)
    assert download.status_code == 200


def test_approve_and_withdraw_return_normally_while_redis_is_down_and_are_recorded(
    client, editor, managing_editor, redis_down, django_capture_on_commit_callbacks
):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)

    with django_capture_on_commit_callbacks(execute=True):
        approve(revision, reviewer)
    live = client.get(page(article)).status_code
    with django_capture_on_commit_callbacks(execute=True):
        article_withdraw(
            article=article,
            user=managing_editor,
            reason="Safety notice.",
            public_reason="We are checking this answer against new evidence.",
        )

    assert (live, client.get(page(article)).status_code) == (200, 410)
    assert list(AuditEvent.objects.filter(article=article).values_list("action", "to_state")) == [
        ("editorial.submit", "submitted"),
        ("editorial.assign", "submitted"),
        ("editorial.start_review", "under_review"),
        ("editorial.approve", "approved"),
        ("editorial.withdraw", "withdrawn"),
    ]


def test_follow_up_questions_are_taken_while_redis_is_down_and_the_outage_is_logged(
    client, editor, managing_editor, redis_down, caplog
):
    article = citable_article()
    approved(article, editor, managing_editor)
    url = reverse("reader:ask", args=[article.slug])

    statuses = [
        client.post(url, {"question": f"Question {n} about the dose?", "audience": "patient"}).status_code
        for n in range(6)
    ]

    assert statuses == [302] * 6  # the rate limit fails open rather than turning readers away
    assert FollowUpQuestion.objects.filter(article=article).count() == 6
    assert any(record.getMessage().startswith("Redis cannot be reached") for record in caplog.records)


# Redis hanging, then back


def test_a_withdrawal_purged_while_redis_hangs_is_delivered_once_redis_answers(
    client, editor, managing_editor, redis_up, django_capture_on_commit_callbacks
):
    article = citable_article()
    approved(article, editor, managing_editor)
    assert client.get(page(article)).status_code == 200
    pointer = caches["default"].make_key(page_cache.article_key(article.slug, "clinician"))
    admin = redis_up.client()
    assert admin.exists(pointer)

    redis_up.process.send_signal(signal.SIGSTOP)  # hangs with the pointer still in memory
    try:
        with django_capture_on_commit_callbacks(execute=True):
            article_withdraw(
                article=article,
                user=managing_editor,
                reason="Safety notice.",
                public_reason="We are checking this answer against new evidence.",
            )
        during = client.get(page(article)).status_code
    finally:
        redis_up.process.send_signal(signal.SIGCONT)

    assert during == 410
    eventually(lambda: not admin.exists(pointer), seconds=5)
    assert client.get(page(article)).status_code == 410


# The near cache


def test_a_withdrawal_in_one_process_reaches_another_workers_near_cache(
    client, editor, managing_editor, redis_up, django_capture_on_commit_callbacks
):
    article = citable_article()
    approved(article, editor, managing_editor)
    assert client.get(page(article)).status_code == 200  # cached in Redis by this process
    other_worker = ReusingRedisCache(redis_up.url, {"OPTIONS": NEAR_OPTIONS})
    key = page_cache.article_key(article.slug, "clinician")
    other_worker.get(key)
    eventually(lambda: other_worker.near_cache.is_serving and other_worker.get(key) is not None)
    before = redis_up.client().info("commandstats")["cmdstat_get"]["calls"]
    assert other_worker.get(key) is not None
    assert redis_up.client().info("commandstats")["cmdstat_get"]["calls"] == before  # served from its memory

    with django_capture_on_commit_callbacks(execute=True):
        article_withdraw(
            article=article,
            user=managing_editor,
            reason="Safety notice.",
            public_reason="We are checking this answer against new evidence.",
        )

    try:
        eventually(lambda: other_worker.get(key) is None, seconds=0.5)
    finally:
        other_worker.near_cache.stop()
