"""The reference admin shows where a reference is cited and how often."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ArticleFactory, CitationFactory, ClaimFactory, ReferenceFactory, SectionFactory

pytestmark = pytest.mark.django_db


def change_url(reference):
    return reverse("admin:references_reference_change", args=[reference.pk])


def test_reference_change_page_lists_the_claims_citing_it_with_links_to_their_articles(client, editor):
    reference = ReferenceFactory()
    article = ArticleFactory(title="Low-dose naltrexone & chronic pain")
    claim = ClaimFactory(section=SectionFactory(article=article), text="Naltrexone reduced pain scores in a trial.")
    CitationFactory(claim=claim, reference=reference)
    CitationFactory(reference=ReferenceFactory())  # cites another reference: not listed
    client.force_login(editor)

    page = client.get(change_url(reference))

    assert page.status_code == 200
    html = page.content.decode()
    article_url = reverse("admin:articles_article_change", args=[article.pk])
    assert (
        f'<li><a href="{article_url}">Low-dose naltrexone &amp; chronic pain</a> — '
        "Naltrexone reduced pain scores in a trial.</li>"
    ) in html
    assert html.count('<li><a href="/admin/articles/article/') == 1


def test_reference_change_page_says_when_nothing_cites_it(client, editor):
    reference = ReferenceFactory()
    client.force_login(editor)

    page = client.get(change_url(reference))

    assert page.status_code == 200
    assert "Not cited yet." in page.content.decode()


def test_long_claims_are_shortened_in_where_cited(client, editor):
    reference = ReferenceFactory()
    CitationFactory(reference=reference, claim=ClaimFactory(text="Evidence " * 40))
    client.force_login(editor)

    html = client.get(change_url(reference)).content.decode()

    excerpt = ("Evidence " * 40)[:119] + "…"
    assert f"— {excerpt}</li>" in html


def test_reference_add_page_shows_where_cited_as_empty(client, editor):
    client.force_login(editor)

    page = client.get(reverse("admin:references_reference_add"))

    assert page.status_code == 200
    assert "Not cited yet." in page.content.decode()


def test_pmcid_is_edited_with_the_identifiers(client, editor):
    client.force_login(editor)

    html = client.get(change_url(ReferenceFactory())).content.decode()

    fieldset = html.split("Identifiers and link", 1)[1].split("</fieldset>", 1)[0]
    assert 'name="pmcid"' in fieldset


def test_reference_list_shows_how_many_citations_each_reference_has(client, editor):
    cited_twice = ReferenceFactory(title="Cited twice")
    ReferenceFactory(title="Never cited")
    CitationFactory(reference=cited_twice)
    CitationFactory(reference=cited_twice)
    client.force_login(editor)

    page = client.get(reverse("admin:references_reference_changelist"))

    assert page.status_code == 200
    html = page.content.decode()
    counts = dict(re.findall(r'<a href="[^"]+">([^<]+)</a></th>.*?<td class="field-citation_count">(\d+)</td>', html))
    assert counts == {"Cited twice": "2", "Never cited": "0"}


def test_reference_list_sorts_by_citation_count(client, editor):
    CitationFactory(reference=ReferenceFactory(title="A once"))
    ReferenceFactory(title="B never")
    client.force_login(editor)

    html = client.get(reverse("admin:references_reference_changelist") + "?o=7").content.decode()

    assert html.index("B never") < html.index("A once")


def test_reference_list_costs_the_same_queries_for_2_and_12_cited_references(
    client, editor, django_assert_max_num_queries
):
    def cited_references(count):
        for _ in range(count):
            CitationFactory(reference=ReferenceFactory())

    changelist = reverse("admin:references_reference_changelist")
    client.force_login(editor)
    cited_references(2)
    client.get(changelist)  # the session and the permission caches, once
    with CaptureQueriesContext(connection) as few:
        assert client.get(changelist).status_code == 200

    cited_references(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(changelist).status_code == 200


def test_reference_list_counts_citations_without_grouping_the_library(client, editor):
    CitationFactory(reference=ReferenceFactory())
    client.force_login(editor)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("admin:references_reference_changelist"))

    assert not [query for query in queries.captured_queries if 'GROUP BY "references_reference"."id"' in query["sql"]]
