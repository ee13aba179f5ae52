"""Anonymous readers may read a replica; staff, writes, transactions and recent writers stay on the primary.

The tests commit (no test transaction wraps them), as requests in production do: inside a
transaction every read goes to the primary.
"""

import logging
import time

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.utils import OperationalError
from django.test import override_settings
from django.urls import reverse

import config.replica
from config.replica import (
    PRIMARY_READS_COOKIE,
    REPLICA,
    ReplicaRouter,
    reads_from_replica,
    replica_retry_now,
    replica_usable,
)
from reader import prerendered
from reader import views as reader_views
from reader.models import PublishedArticle
from tests.redis_server import free_port
from tests.workflow_helpers import approved, citable_article

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="A streaming replica is PostgreSQL's, and committing tests cannot empty SQLite's guarded tables.",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=[DEFAULT_DB_ALIAS, REPLICA]),
]


def configure_replica(**overrides):
    """Add the `replica` database as `DATABASE_REPLICA_URL` would: a second connection to the test database.

    It mirrors the default database for the test machinery (nothing to create or flush), and
    the tests name it among their databases, so that connecting to it is allowed.
    """
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    connections.settings[REPLICA] = {**primary, "TEST": {**primary["TEST"], "MIRROR": DEFAULT_DB_ALIAS}, **overrides}
    if REPLICA in connections:
        connections[REPLICA].close()
        del connections[REPLICA]  # the next use connects to the (new) address


@pytest.fixture(scope="module", autouse=True)
def replica_database(django_db_setup, django_db_blocker):
    """The `replica` database and its router, for this module's tests."""
    configure_replica()
    with override_settings(DATABASE_ROUTERS=["config.replica.ReplicaRouter"]):
        yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture(autouse=True)
def replica():
    """The replica's connection, answering (again) at the start of each test."""
    configure_replica()
    replica_retry_now()
    yield connections[REPLICA]
    connections[REPLICA].close()


@pytest.fixture
def replica_down():
    """The replica's address, where nothing listens any more."""
    configure_replica(HOST="127.0.0.1", PORT=str(free_port()))


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


def test_an_anonymous_readers_page_reads_through_the_replicas_connection(client, live_article, replica):
    client.get(article_url(live_article))

    assert replica.connection is not None  # opened for the page; the primary's is another


def test_a_replica_that_is_down_leaves_readers_on_the_primary(client, live_article, replica_down, replica_seen):
    response = client.get(article_url(live_article))

    assert (response.status_code, replica_seen) == (200, [False])


def test_a_replica_found_down_is_not_tried_again_within_the_retry_time(client, live_article, replica_down, monkeypatch):
    client.get(article_url(live_article))
    attempts = []
    monkeypatch.setattr(connections[REPLICA], "connect", lambda: attempts.append(1))

    client.get(reverse("reader:home"))

    assert attempts == []


def test_a_replica_found_down_is_tried_again_after_the_retry_time(
    client, live_article, replica_down, replica_seen, monkeypatch
):
    client.get(article_url(live_article))
    configure_replica()  # back up
    cache.clear()
    now = time.monotonic()
    monkeypatch.setattr(config.replica.time, "monotonic", lambda: now + 31)

    client.get(article_url(live_article))

    assert replica_seen == [False, True]


def test_a_replica_found_down_is_logged(client, live_article, replica_down, caplog):
    with caplog.at_level(logging.WARNING, logger="config.replica"):
        client.get(article_url(live_article))

    assert "readers read the primary for the next 30 s" in caplog.text


def test_a_replica_failing_during_a_page_sends_the_next_readers_to_the_primary(
    client, live_article, monkeypatch, replica_seen
):
    def lost(slug, audience):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(prerendered, "stored_page", lost)
    client.raise_request_exception = False
    assert client.get(article_url(live_article)).status_code == 500
    monkeypatch.undo()
    cache.clear()

    assert client.get(article_url(live_article)).status_code == 200
    assert reads_from_replica() is False and replica_usable() is False  # not tried again for a while
