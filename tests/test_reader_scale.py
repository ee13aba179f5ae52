"""The reader stays fast as the library grows: bounded work per request, and a query count that does not grow."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.sitemaps import views as sitemap_views
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.search import document_text
from bench.scale import COMMON_WORD, seed_published
from editorial.models import Revision, RevisionSearchText
from editorial.services import article_withdraw
from reader import cache as reader_cache
from reader import selectors
from reader.index import SEARCH_VECTOR, published_articles_reindex
from reader.models import PublishedArticle
from reader.selectors import published_articles, published_count
from reader.sitemaps import SITEMAPS, ArticleSitemap
from tests.workflow_helpers import approved, citable_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search runs on PostgreSQL")


def queries_of(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


# Sitemaps by the protocol


def test_sitemap_index_names_one_file_per_page_of_articles(client, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    seed_published(3)

    index = client.get(reverse("reader:sitemap")).content.decode()

    assert (
        "<loc>http://testserver/sitemap-articles.xml</loc>" in index,
        "<loc>http://testserver/sitemap-articles.xml?p=2</loc>" in index,
        "sitemap-articles.xml?p=3" in index,
    ) == (True, True, False)


def test_a_sitemap_file_lists_its_page_of_articles_in_slug_order(client, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    seed_published(3)

    second = client.get(reverse("reader:sitemap_section", args=["articles"]), {"p": "2"}).content.decode()

    assert second.count("<url>") == 1
    assert "/articles/scale-answer-2/" in second


def test_a_sitemap_file_is_served_from_the_cache_without_a_query(client, django_assert_num_queries):
    seed_published(3)
    url = reverse("reader:sitemap_section", args=["articles"])
    client.get(url)

    with django_assert_num_queries(0):
        response = client.get(url)

    assert "/articles/scale-answer-2/" in response.content.decode()


def test_a_purge_of_any_article_renders_the_sitemap_files_again(client):
    seed_published(1)
    url = reverse("reader:sitemap_section", args=["articles"])
    client.get(url)
    seed_published(1, start=1)

    reader_cache.article_purge(["scale-answer-1"])

    assert "/articles/scale-answer-1/" in client.get(url).content.decode()


def test_a_sitemap_page_past_the_last_is_not_found(client):
    seed_published(1)

    response = client.get(reverse("reader:sitemap_section", args=["articles"]), {"p": "2"})

    assert response.status_code == 404


def test_an_unknown_sitemap_section_is_not_found(client):
    assert client.get(reverse("reader:sitemap_section", args=["nothing"])).status_code == 404


# Query counts that do not grow with the library

LISTINGS = {
    "home": (reverse("reader:home"), {}),
    "home, last page": (reverse("reader:home"), {"page": "999"}),  # past the end: the last page
    "feed": (reverse("reader:feed"), {}),
    "search": (reverse("reader:home"), {"q": COMMON_WORD}),
    "sitemap index": (reverse("reader:sitemap"), {}),
    "sitemap file": (reverse("reader:sitemap_section", args=["articles"]), {}),
}


@pytest.mark.parametrize("listing", LISTINGS.values(), ids=LISTINGS.keys())
def test_a_listing_runs_as_many_queries_for_a_large_library_as_for_a_small_one(listing, client):
    url, params = listing
    seed_published(12)
    small = queries_of(client, url, **params)
    cache.clear()
    seed_published(60, start=12)

    large = queries_of(client, url, **params)

    assert large == small


def test_home_counts_the_library_once_until_a_move_changes_it(client):
    seed_published(12)
    home = reverse("reader:home")
    client.get(home)  # counted, and the count cached

    with CaptureQueriesContext(connection) as queries:
        assert "Page 1 of 2" in client.get(home).content.decode()

    assert not [query for query in queries.captured_queries if "COUNT(" in query["sql"].upper()]


def test_home_counts_again_after_a_move(client):
    seed_published(12)
    home = reverse("reader:home")
    client.get(home)
    seed_published(10, start=12)
    reader_cache.article_purge(["scale-answer-12"])  # what every move does for the articles it changes

    assert "Page 1 of 3" in client.get(home).content.decode()


# Home and the feed read the index on the review date


def plan_of(queryset) -> str:
    return queryset.explain()


@on_postgresql
@pytest.mark.parametrize(
    "listing",
    [
        lambda: published_articles()[:10],
        lambda: PublishedArticle.objects.order_by("-reviewed_at", "title")[:20],
    ],
    ids=["home", "feed"],
)
def test_home_and_feed_read_the_newest_rows_from_the_review_date_index(listing):
    seed_published(20_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reader_publishedarticle")

    assert "reader_published_newest" in plan_of(listing())


@on_postgresql
def test_the_feed_finds_corrections_and_updates_from_the_change_type_index_not_every_revisions_words():
    seed_published(20_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE editorial_revision")
    with CaptureQueriesContext(connection) as queries:
        selectors.announced_changes(20)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + queries.captured_queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "revision_change_type" in plan


# Search that stays fast


@on_postgresql
def test_search_ranks_an_old_title_match_above_newer_matches_in_the_words_alone(monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_CANDIDATES", 3)
    seed_published(51)  # "pain" is in the titles of answers 0 and 50, and in most bodies
    long_ago = timezone.now() - timedelta(days=36_500)
    PublishedArticle.objects.filter(slug__in=["scale-answer-0", "scale-answer-50"]).update(reviewed_at=long_ago)

    first_two = [article.slug for article in published_articles(COMMON_WORD)[:2]]

    assert sorted(first_two) == ["scale-answer-0", "scale-answer-50"]


def test_search_counts_matches_up_to_the_cap(monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 5)
    seed_published(20)

    assert published_count(COMMON_WORD) == (5, True)


def test_search_counts_matches_below_the_cap_exactly(monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 5)
    seed_published(20)

    assert published_count("answer 13") == (1, False)


def test_search_says_there_are_more_than_the_cap(client, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 5)
    seed_published(20)

    html = client.get(reverse("reader:home"), {"q": COMMON_WORD}).content.decode()

    assert "More than 5 answers match" in html


# Each worker's own page copies are bounded


def test_a_worker_keeps_page_copies_within_its_byte_bound(monkeypatch):
    monkeypatch.setattr(reader_cache, "LOCAL_PAGE_BYTES", 10_000)
    for number in range(20):
        reader_cache._local_put(f'"etag-{number}"', {"content": b"x" * 900, "gzip": b"y" * 100})

    assert reader_cache.local_size()[1] <= 10_000


# Rebuilding the index in batches


@pytest.fixture
def two_live_answers(editor, managing_editor):
    first, second = citable_article(slug="first-answer"), citable_article(slug="second-answer")
    approved(first, editor, managing_editor)
    approved(second, editor, managing_editor)
    PublishedArticle.objects.all().delete()
    return first, second


def test_reindex_published_rebuilds_the_index_in_batches(two_live_answers):
    call_command("reindex_published", "--batch", "1", stdout=StringIO())

    assert sorted(PublishedArticle.objects.values_list("slug", flat=True)) == ["first-answer", "second-answer"]


def test_reindex_published_resumes_after_the_article_given(two_live_answers):
    first, _ = two_live_answers

    call_command("reindex_published", "--after", str(first.pk), stdout=StringIO())

    assert list(PublishedArticle.objects.values_list("slug", flat=True)) == ["second-answer"]


def test_reindex_published_removes_a_withdrawn_article(editor, managing_editor):
    article = citable_article(slug="withdrawn-answer")
    approved(article, editor, managing_editor)
    stale = PublishedArticle.objects.get(article=article)
    article_withdraw(article=article, user=managing_editor, reason="Safety.", public_reason="New evidence.")
    stale.save()  # as if the withdrawal's refresh had been lost

    call_command("reindex_published", stdout=StringIO())

    assert PublishedArticle.objects.filter(article=article).exists() is False


def test_reindex_published_indexes_the_words_frozen_with_the_revision(two_live_answers):
    first, _ = two_live_answers
    RevisionSearchText.objects.filter(revision__article=first).update(body="The words frozen with the revision.")

    call_command("reindex_published", stdout=StringIO())

    assert PublishedArticle.objects.get(article=first).body == "The words frozen with the revision."


def test_reindex_published_reads_the_words_of_a_revision_frozen_without_them(two_live_answers):
    first, _ = two_live_answers
    RevisionSearchText.objects.filter(revision__article=first).delete()

    call_command("reindex_published", stdout=StringIO())

    revision = Revision.objects.get(article=first)
    assert PublishedArticle.objects.get(article=first).body == document_text(revision.content)


@on_postgresql
def test_reindex_published_writes_the_search_vector_the_index_row_s_words_compute(two_live_answers):
    call_command("reindex_published", stdout=StringIO())

    vectors = PublishedArticle.objects.annotate(computed=SEARCH_VECTOR).values_list("search_vector", "computed")
    assert [stored == computed for stored, computed in vectors] == [True, True]


def reindex_queries(article_ids: list[int]) -> int:
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        published_articles_reindex(article_ids)
    return len(queries)


def test_a_reindex_batch_runs_the_same_few_queries_however_many_articles_it_holds(
    editor, managing_editor, django_assert_max_num_queries
):
    articles = [citable_article(slug=f"answer-{number}") for number in range(3)]
    for article in articles:
        approved(article, editor, managing_editor)
    PublishedArticle.objects.all().delete()

    one = reindex_queries([articles[0].pk])
    with django_assert_max_num_queries(6):
        published_articles_reindex([article.pk for article in articles])

    assert reindex_queries([article.pk for article in articles]) == one


@pytest.mark.parametrize("page", ["1", "2"])
def test_an_article_sitemap_file_is_the_xml_django_s_sitemap_view_writes(client, rf, monkeypatch, page):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    seed_published(3)
    request = rf.get(reverse("reader:sitemap_section", args=["articles"]), {"p": page})
    djangos = sitemap_views.sitemap(request, SITEMAPS, section="articles")
    djangos.render()

    ours = client.get(reverse("reader:sitemap_section", args=["articles"]), {"p": page})

    assert (ours.content, ours["Last-Modified"]) == (djangos.content, djangos["Last-Modified"])
