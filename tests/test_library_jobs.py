"""Library-wide work runs as a background job, never in the request that set it off, and shows its progress."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jobs.models import LibraryJob
from reader import tasks as reader_tasks
from reader.models import PublishedArticle
from reader.page_versions import refresh_job
from tests.factories import ReviewerFactory
from tests.page_helpers import drafted, page_approved
from tests.workflow_helpers import approved, citable_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


@pytest.fixture
def database_queue(settings):
    """Tasks wait in the database queue for a worker, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def live_articles(editor, managing_editor, count):
    for _ in range(count):
        approved(citable_article(), editor, managing_editor)


def article_html(client, slug, audience="patient"):
    client.cookies["audience"] = audience
    return client.get(reverse("reader:article", args=[slug])).content.decode()


def new_disclaimer(editor, managing_editor, words, patient_words):
    """A new disclaimer drafted, then approved by a managing editor and a board member: it goes live."""
    return page_approved(
        "disclaimer", editor=editor, managing_editor=managing_editor, body=words, patient_body=patient_words
    )


def approval_queries(editor, managing_editor, body) -> int:
    """The queries of the approval that puts a new disclaimer in force."""
    version = drafted("disclaimer", by=editor, body=body, patient_body=f"{body} For patients.")
    from reader.page_versions import page_version_approve

    page_version_approve(version=version, user=managing_editor, content_hash=version.content_hash)
    member = ReviewerFactory()
    with CaptureQueriesContext(connection) as queries:
        page_version_approve(version=version, user=member.user, content_hash=version.content_hash)
    return len(queries.captured_queries)


def test_a_disclaimer_going_live_queues_one_job_naming_who_and_why(database_queue, editor, managing_editor):
    version = new_disclaimer(editor, managing_editor, "New.", "P.")

    job = refresh_job(version)

    assert (job.kind, job.state, job.started_by.username) == (
        LibraryJob.Kind.REFRESH_ARTICLE_PAGES,
        LibraryJob.State.QUEUED,
        version.decisions.order_by("pk").last().decided_by.username,
    )
    assert job.cause == f"{version.page.title}, version {version.number}, went live"


def test_the_approval_costs_the_same_queries_for_1_and_6_live_articles(database_queue, editor, managing_editor):
    live_articles(editor, managing_editor, 1)
    one = approval_queries(editor, managing_editor, "First.")

    live_articles(editor, managing_editor, 5)
    six = approval_queries(editor, managing_editor, "Second.")

    assert one == six


def test_a_page_that_shows_on_no_article_queues_no_job(database_queue, editor, managing_editor):
    version = page_approved("editorial-policy", editor=editor, managing_editor=managing_editor, body="Policy.")

    assert refresh_job(version) is None


def test_the_job_refreshes_every_cached_article_page_and_counts_them(
    client, editor, managing_editor, django_capture_on_commit_callbacks
):
    live_articles(editor, managing_editor, 3)
    slugs = list(PublishedArticle.objects.values_list("slug", flat=True))
    for slug in slugs:
        article_html(client, slug)

    with django_capture_on_commit_callbacks(execute=True):
        version = new_disclaimer(editor, managing_editor, "Fresh.", "Fresh for you.")

    job = refresh_job(version)
    assert (job.state, job.done, job.total, job.percent) == (LibraryJob.State.FINISHED, 3, 3, 100)
    assert all("Fresh for you." in article_html(client, slug) for slug in slugs)


def test_the_job_works_in_batches_and_reports_each(
    client, editor, managing_editor, monkeypatch, django_capture_on_commit_callbacks
):
    live_articles(editor, managing_editor, 3)
    monkeypatch.setattr(reader_tasks, "BATCH", 2)
    seen = []
    real_purge = reader_tasks.cache.article_purge

    def purge_and_look(slugs, **kwargs):
        seen.append((len(slugs), LibraryJob.objects.get().done))
        real_purge(slugs, **kwargs)

    monkeypatch.setattr(reader_tasks.cache, "article_purge", purge_and_look)

    with django_capture_on_commit_callbacks(execute=True):
        new_disclaimer(editor, managing_editor, "Again.", "P.")

    assert seen == [(2, 0), (1, 2), (2, 3), (1, 3)]  # the pass that counts, then the second pass


def test_a_job_that_fails_says_why_and_is_tried_again(
    editor, managing_editor, monkeypatch, settings, caplog, django_capture_on_commit_callbacks
):
    settings.TASKS_MAX_ATTEMPTS = 2
    live_articles(editor, managing_editor, 1)

    def cache_down(slugs, **kwargs):
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(reader_tasks.cache, "article_purge", cache_down)

    with django_capture_on_commit_callbacks(execute=True):
        version = new_disclaimer(editor, managing_editor, "X", "Y")

    job = refresh_job(version)
    assert (job.state, job.error) == (LibraryJob.State.FAILED, "ConnectionError: the cache is down")
    assert "Gave up on" in caplog.text  # the immediate queue runs the second attempt at once; it failed too


def test_the_version_page_shows_the_jobs_progress(client, editor, managing_editor, database_queue):
    live_articles(editor, managing_editor, 2)
    version = new_disclaimer(editor, managing_editor, "New.", "P.")
    LibraryJob.objects.filter(pk=refresh_job(version).pk).update(state=LibraryJob.State.RUNNING, done=1, total=2)
    client.force_login(managing_editor)

    html = client.get(reverse("admin:reader_editorialpage_version", args=[version.page_id, version.number])).content

    assert b"1 of 2 articles done (50%)" in html
    assert b'<progress max="100" value="50">' in html
