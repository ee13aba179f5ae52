"""Anonymous readers may read a replica; staff, writes, transactions and recent writers stay on the primary.

The tests commit (no test transaction wraps them), as requests in production do: inside a
transaction every read goes to the primary.
"""

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.urls import reverse

from config.replica import PRIMARY_READS_COOKIE, REPLICA, ReplicaRouter, reads_from_replica
from reader import prerendered
from reader import views as reader_views
from reader.models import PublishedArticle
from tests.workflow_helpers import approved, citable_article

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="A streaming replica is PostgreSQL's, and committing tests cannot empty SQLite's guarded tables.",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def live_article(editor, managing_editor):
    """A live article whose page is stored but not cached: the next request reads the database."""
    article = citable_article()
    approved(article, editor, managing_editor)
    cache.clear()
    return article


@pytest.fixture
def replica_seen(monkeypatch):
    """Whether the reader's article page, each time it read its words, would have read the replica.

    A cache miss reads the stored page (the approval stored it: the task ran on commit); a page
    that is never cached (the thanks after a question) renders from the workflow.
    """
    seen = []

    def spied(read):
        def read_and_record(*args):
            seen.append(reads_from_replica())
            return read(*args)

        return read_and_record

    monkeypatch.setattr(prerendered, "stored_page", spied(prerendered.stored_page))
    monkeypatch.setattr(reader_views, "article_page", spied(reader_views.article_page))
    return seen


def article_url(article):
    return reverse("reader:article", args=[article.slug])


def test_an_anonymous_readers_page_may_read_the_replica(client, live_article, replica_seen):
    assert client.get(article_url(live_article)).status_code == 200

    assert replica_seen == [True]


def test_a_signed_in_person_reads_the_primary(client, editor, live_article, replica_seen):
    client.force_login(editor)

    client.get(article_url(live_article))

    assert set(replica_seen) == {False}


def test_a_reader_who_just_wrote_reads_the_primary(client, live_article, replica_seen):
    response = client.post(reverse("reader:ask", args=[live_article.slug]), {"question": "Is it safe?"})
    assert response.cookies[PRIMARY_READS_COOKIE]["max-age"] == 10

    client.get(article_url(live_article), {"asked": "1"})

    assert set(replica_seen) == {False}  # the question's own reads, then the page after it


def test_the_read_your_writes_cookie_lasts_the_configured_lag(client, live_article, settings):
    settings.REPLICA_LAG_GUARD_SECONDS = 30

    response = client.post(reverse("reader:ask", args=[live_article.slug]), {"question": "Is it safe?"})

    assert response.cookies[PRIMARY_READS_COOKIE]["max-age"] == 30


def test_a_read_sets_no_read_your_writes_cookie(client, live_article):
    assert PRIMARY_READS_COOKIE not in client.get(article_url(live_article)).cookies


def test_staff_pages_read_the_primary_even_without_a_session(client, monkeypatch):
    seen = []
    monkeypatch.setattr("config.replica.may_read_replica", lambda request: seen.append(request.path) or False)

    client.get(reverse("admin:login"))

    assert seen == [reverse("admin:login")]  # asked, and refused: only the reader namespace qualifies


def test_the_replica_is_never_chosen_outside_a_request():
    assert ReplicaRouter().db_for_read(PublishedArticle) == DEFAULT_DB_ALIAS


def test_reads_inside_a_transaction_go_to_the_primary(client, live_article, monkeypatch):
    seen = []
    read_stored_page = prerendered.stored_page

    def stored_page_in_a_transaction(slug, audience):
        with transaction.atomic():
            seen.append(ReplicaRouter().db_for_read(PublishedArticle))
        seen.append(ReplicaRouter().db_for_read(PublishedArticle))
        return read_stored_page(slug, audience)

    monkeypatch.setattr(prerendered, "stored_page", stored_page_in_a_transaction)
    client.get(article_url(live_article))

    assert seen == [DEFAULT_DB_ALIAS, REPLICA]


def test_writes_and_migrations_go_to_the_primary_only():
    router = ReplicaRouter()

    assert router.db_for_write(PublishedArticle) == DEFAULT_DB_ALIAS
    assert (router.allow_migrate(DEFAULT_DB_ALIAS, "reader"), router.allow_migrate(REPLICA, "reader")) == (True, False)


def test_the_audit_reads_the_pages_from_the_primary(live_article, replica_seen):
    from audit.pages import reader_client

    reader_client().get(article_url(live_article), secure=True)

    assert replica_seen == [False]
