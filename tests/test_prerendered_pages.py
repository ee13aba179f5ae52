"""A live article's page is rendered once and stored; a cache miss reads it back, and a stored page is never stale."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone

from editorial.services import article_submit, article_withdraw, review_start
from reader import prerendered
from reader.models import PublishedArticle, RenderedPage
from tests.page_helpers import page_approved
from tests.workflow_helpers import approve, approved, citable_article, edit_claim, submitted

AUDIENCES = ("patient", "clinician", "student")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def page_of(client, article, audience="clinician"):
    client.cookies["audience"] = audience
    return client.get(reverse("reader:article", args=[article.slug]))


def live(editor, managing_editor, on_commit):
    """A live article whose approval's on-commit work (purges, the pre-render task) ran."""
    article = citable_article()
    with on_commit(execute=True):
        approved(article, editor, managing_editor)
    return article


def stored(article) -> dict[str, bytes]:
    """The article's stored pages that a cache miss would serve, by audience."""
    pages = {
        audience: prerendered.stored_page(article.slug, audience)[1] for audience in ("patient", "clinician", "student")
    }
    return {audience: page["content"] for audience, page in pages.items() if page is not None}


# Rendered once


def test_a_revision_going_live_stores_its_page_in_each_audience_s_words(
    editor, managing_editor, django_capture_on_commit_callbacks
):
    article = live(editor, managing_editor, django_capture_on_commit_callbacks)

    pages = stored(article)

    assert [f'value="{audience}" aria-pressed="true"'.encode() in page for audience, page in pages.items()] == [
        True
    ] * 3


def test_a_cache_miss_on_a_stored_page_is_one_query(
    client, editor, managing_editor, django_capture_on_commit_callbacks, django_assert_num_queries
):
    article = live(editor, managing_editor, django_capture_on_commit_callbacks)
    cache.clear()

    with django_assert_num_queries(1):
        response = page_of(client, article)

    assert response.status_code == 200
    assert response.content == stored(article)["clinician"]


def test_a_stored_page_whose_bytes_the_worker_holds_is_not_decompressed_again(
    client, editor, managing_editor, django_capture_on_commit_callbacks, monkeypatch
):
    article = live(editor, managing_editor, django_capture_on_commit_callbacks)
    served = page_of(client, article).content  # the worker now holds the page's bytes, named by its ETag
    cache.clear()  # the pointer is gone: the next request reads the stored page
    monkeypatch.setattr(prerendered.gzip, "decompress", lambda data: pytest.fail("decompressed bytes already held"))

    response = page_of(client, article)

    assert (response.status_code, response.content) == (200, served)


def test_a_page_a_request_rendered_is_stored_for_the_next_miss(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)  # no on-commit work: the task never ran
    assert stored(article) == {}

    first = page_of(client, article)

    assert stored(article) == {"clinician": first.content}


def test_the_stored_page_names_the_site_s_address(
    editor, managing_editor, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://answers.example.org"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "answers.example.org"]

    article = live(editor, managing_editor, django_capture_on_commit_callbacks)

    canonical = f'<link rel="canonical" href="https://answers.example.org/articles/{article.slug}/">'
    assert canonical.encode() in stored(article)["patient"]


# Never stale


def test_a_new_approval_replaces_the_stored_page(client, editor, managing_editor, django_capture_on_commit_callbacks):
    article = live(editor, managing_editor, django_capture_on_commit_callbacks)
    edit_claim(article, "The newly approved wording.", user=editor)
    revision, (reviewer,) = submitted(article, editor, managing_editor)
    review_start(article=article, user=reviewer.user)
    approve(revision, reviewer)  # committed only at the test's end: no purge, no task
    cache.clear()

    assert b"The newly approved wording." in page_of(client, article).content


def test_an_update_sent_for_review_is_announced_on_the_stored_page(
    client, editor, managing_editor, django_capture_on_commit_callbacks
):
    article = live(editor, managing_editor, django_capture_on_commit_callbacks)
    edit_claim(article, "PENDING-MARKER in the next revision.", user=editor)
    article_submit(article=article, user=editor)
    cache.clear()

    html = page_of(client, article).content.decode()

    assert ("An update to this answer is being reviewed" in html, "PENDING-MARKER" in html) == (True, False)


def test_a_withdrawal_deletes_the_stored_pages(client, editor, managing_editor, django_capture_on_commit_callbacks):
    article = live(editor, managing_editor, django_capture_on_commit_callbacks)
    article_withdraw(
        article=article, user=managing_editor, reason="Safety notice.", public_reason="We are checking this answer."
    )
    cache.clear()

    assert (RenderedPage.objects.count(), page_of(client, article).status_code) == (0, 410)


def test_a_certifying_reviewer_s_new_name_reaches_the_stored_page(
    client, editor, managing_editor, django_capture_on_commit_callbacks
):
    article = live(editor, managing_editor, django_capture_on_commit_callbacks)
    reviewer = article.workflow.live_revision.sign_offs.get().reviewer
    reviewer.display_name = "Dr Renamed Member"
    reviewer.save()
    cache.clear()

    assert b"Dr Renamed Member" in page_of(client, article).content


def test_a_disclaimer_going_live_reaches_every_stored_page(
    client, editor, managing_editor, django_capture_on_commit_callbacks
):
    article = live(editor, managing_editor, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):  # the refresh job runs on commit
        page_approved(
            "disclaimer", editor=editor, managing_editor=managing_editor, body="Newer.", patient_body="Yours."
        )
    cache.clear()

    assert b"Yours." in page_of(client, article, "patient").content


def test_a_page_rendered_while_a_change_commits_is_stored_but_never_served(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)  # its on-commit pre-render never runs here: the reader's request renders

    def a_move_commits_mid_render(sender, template, **kwargs):
        if template.name == "reader/article_detail.html":
            template_rendered.disconnect(a_move_commits_mid_render)
            prerendered.pages_changed(PublishedArticle.objects.filter(article=article))

    template_rendered.connect(a_move_commits_mid_render)
    try:
        response = page_of(client, article)
    finally:
        template_rendered.disconnect(a_move_commits_mid_render)

    assert response.status_code == 200
    assert (RenderedPage.objects.count(), prerendered.stored_page(article.slug, "clinician")[1]) == (1, None)


def test_a_stored_page_is_not_served_after_the_last_day_it_reads_true(
    client, editor, managing_editor, django_capture_on_commit_callbacks
):
    article = live(editor, managing_editor, django_capture_on_commit_callbacks)
    RenderedPage.objects.update(reads_the_same_until=timezone.localdate() - timedelta(days=1))

    assert stored(article) == {}


def test_a_page_stored_in_another_citation_style_is_not_served(
    editor, managing_editor, django_capture_on_commit_callbacks, settings
):
    article = live(editor, managing_editor, django_capture_on_commit_callbacks)
    settings.READER_CITATION_STYLE = "vancouver"

    assert stored(article) == {}


def test_a_page_stored_before_a_deploy_that_changed_the_code_is_not_served(
    editor, managing_editor, django_capture_on_commit_callbacks, monkeypatch
):
    article = live(editor, managing_editor, django_capture_on_commit_callbacks)
    monkeypatch.setattr(prerendered, "_source_digest", lambda: "the next release's templates and code")

    assert stored(article) == {}


def test_what_renders_a_page_is_read_from_its_source_files_once_per_process():
    assert prerendered._source_digest() is prerendered._source_digest()


def test_an_older_slug_still_redirects_when_the_page_is_stored(
    client, editor, managing_editor, django_capture_on_commit_callbacks
):
    article = live(editor, managing_editor, django_capture_on_commit_callbacks)
    old_slug = article.slug
    article.slug = "a-newer-address"
    article.save()
    with django_capture_on_commit_callbacks(execute=True):
        revision, (reviewer,) = submitted(article, editor, managing_editor)
        review_start(article=article, user=reviewer.user)
        approve(revision, reviewer)

    response = client.get(reverse("reader:article", args=[old_slug]))

    assert (response.status_code, response["Location"]) == (301, "/articles/a-newer-address/")


# After a deploy


def test_the_command_stores_every_live_article_s_pages(editor, managing_editor):
    articles = [citable_article(), citable_article()]
    for article in articles:
        approved(article, editor, managing_editor)  # no on-commit work: nothing stored yet
    out = StringIO()

    call_command("prerender_pages", stdout=out)

    assert [len(stored(article)) for article in articles] == [3, 3]
    assert out.getvalue().endswith("Stored 6 pages.\n")


def test_the_command_leaves_pages_this_release_stored_alone(
    editor, managing_editor, django_capture_on_commit_callbacks
):
    live(editor, managing_editor, django_capture_on_commit_callbacks)
    out = StringIO()

    call_command("prerender_pages", stdout=out)

    assert out.getvalue().endswith("Stored 0 pages.\n")


def test_the_command_resumes_after_the_last_article_it_named(editor, managing_editor):
    first, second = citable_article(), citable_article()
    for article in (first, second):
        approved(article, editor, managing_editor)

    call_command("prerender_pages", after=first.pk, stdout=StringIO())

    assert (len(stored(first)), len(stored(second))) == (0, 3)
