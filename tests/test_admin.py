"""The editors' admin: who may do what, one page per article, and a history of every edit."""

import re

import pytest
from django.urls import reverse

from articles.models import Article, Citation, Claim, Section
from tests.admin_forms import admin_form_data
from tests.factories import (
    ArticleFactory,
    CitationFactory,
    ClaimFactory,
    ReferenceFactory,
    ReviewerFactory,
    SectionFactory,
    article_with_claims,
)

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


# The permission ladder: anonymous → account without staff access → board member → editor.


def test_anonymous_visitor_is_sent_to_login():
    response = pytest.importorskip("django.test").Client().get(change_url(ArticleFactory()))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_reader_account_without_staff_access_is_sent_to_login(client, reader):
    client.force_login(reader)
    response = client.get(change_url(ArticleFactory()))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_board_member_can_read_an_article_but_not_save_it(client, board_member):
    article = ArticleFactory()
    client.force_login(board_member)
    page = client.get(change_url(article))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change_url(article), {"title": "Board edit"}).status_code == 403


def test_board_member_cannot_add_an_article(client, board_member):
    client.force_login(board_member)
    assert client.get(reverse("admin:articles_article_add")).status_code == 403


def test_editor_can_open_an_article_for_editing(client, editor):
    client.force_login(editor)
    page = client.get(change_url(ArticleFactory()))
    assert page.status_code == 200
    assert 'name="_save"' in page.content.decode()


def test_editor_cannot_change_the_advisory_board(client, editor):
    reviewer = ReviewerFactory()
    client.force_login(editor)
    url = reverse("admin:editorial_reviewer_change", args=[reviewer.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"display_name": "Changed"}).status_code == 403
    assert client.get(reverse("admin:editorial_reviewer_add")).status_code == 403


def test_managing_editor_can_change_the_advisory_board(client, managing_editor):
    reviewer = ReviewerFactory()
    client.force_login(managing_editor)
    page = client.get(reverse("admin:editorial_reviewer_change", args=[reviewer.pk]))
    assert 'name="_save"' in page.content.decode()


# One page per article, at a fixed cost.


def test_change_page_of_a_twenty_claim_article_renders_in_a_fixed_number_of_queries(
    client, editor, django_assert_max_num_queries
):
    article = article_with_claims(sections=4, claims_per_section=5)
    client.force_login(editor)
    # 18: the page, and two for the review threads (their counts by claim; whether the editor may answer them).
    with django_assert_max_num_queries(18):
        page = client.get(change_url(article))
    claim_fields = re.findall(r'name="sections-\d-claims-\d-text"', page.content.decode())
    assert len(claim_fields) == 20


def test_change_page_cost_does_not_grow_with_the_number_of_claims(client, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(editor)
    counts = []
    for claims in (1, 10):
        article = article_with_claims(sections=2, claims_per_section=claims)
        with CaptureQueriesContext(connection) as queries:
            client.get(change_url(article))
        counts.append(len(queries))
    assert counts[0] == counts[1]


# Editing through the nested inlines.


def test_editor_builds_a_whole_article_on_the_add_page(client, editor):
    reference = ReferenceFactory()
    client.force_login(editor)
    form = admin_form_data(client.get(reverse("admin:articles_article_add")))
    form |= {
        "question": "Is drug X safe in pregnancy?",
        "title": "Drug X in pregnancy",
        "slug": "drug-x-pregnancy",
        "specialty": "Obstetrics",
        "lede": "Probably, at standard doses.",
        "sections-TOTAL_FORMS": "1",
        "sections-0-heading": "Safety",
        "sections-0-level": "2",
        "sections-0-order": "0",
        "sections-0-claims-TOTAL_FORMS": "1",
        "sections-0-claims-INITIAL_FORMS": "0",
        "sections-0-claims-MIN_NUM_FORMS": "0",
        "sections-0-claims-MAX_NUM_FORMS": "1000",
        "sections-0-claims-0-text": "No increase in malformations was seen.",
        "sections-0-claims-0-order": "0",
        "sections-0-claims-0-citations-TOTAL_FORMS": "1",
        "sections-0-claims-0-citations-INITIAL_FORMS": "0",
        "sections-0-claims-0-citations-MIN_NUM_FORMS": "0",
        "sections-0-claims-0-citations-MAX_NUM_FORMS": "1000",
        "sections-0-claims-0-citations-0-reference": str(reference.pk),
        "sections-0-claims-0-citations-0-order": "0",
    }
    response = client.post(reverse("admin:articles_article_add"), form)
    assert response.status_code == 302, response.context and response.context["errors"]
    article = Article.objects.get(slug="drug-x-pregnancy")
    claim = Claim.objects.get(section__article=article)
    assert (claim.text, list(claim.citations.values_list("reference", flat=True))) == (
        "No increase in malformations was seen.",
        [reference.pk],
    )
    assert [row.history_user for row in (article.history.get(), claim.history.get())] == [editor, editor]


def test_editing_a_claim_inline_records_the_editor_in_its_history(client, editor):
    claim = ClaimFactory(text="Old wording.")
    client.force_login(editor)
    url = change_url(claim.section.article)
    form = admin_form_data(client.get(url)) | {"sections-0-claims-0-text": "New wording."}
    assert client.post(url, form).status_code == 302
    assert [(row.text, row.history_type, row.history_user) for row in claim.history.order_by("history_id")] == [
        ("Old wording.", "+", None),
        ("New wording.", "~", editor),
    ]


def test_saving_without_changes_writes_no_history(client, editor):
    article = article_with_claims(sections=1, claims_per_section=2)
    client.force_login(editor)
    url = change_url(article)
    before = Claim.history.count() + Section.history.count() + Citation.history.count()
    assert client.post(url, admin_form_data(client.get(url))).status_code == 302
    assert Claim.history.count() + Section.history.count() + Citation.history.count() == before


def test_editor_reorders_claims_by_swapping_their_positions(client, editor):
    section = SectionFactory(order=0)
    first = ClaimFactory(section=section, order=0, text="First.")
    second = ClaimFactory(section=section, order=1, text="Second.")
    client.force_login(editor)
    url = change_url(section.article)
    form = admin_form_data(client.get(url)) | {"sections-0-claims-0-order": "1", "sections-0-claims-1-order": "0"}
    assert client.post(url, form).status_code == 302
    assert list(section.claims.values_list("text", flat=True)) == ["Second.", "First."]
    assert [row.order for row in first.history.order_by("history_id")] == [0, 1]
    assert [row.order for row in second.history.order_by("history_id")] == [1, 0]


def test_editor_deletes_a_claim_and_the_positions_close_up(client, editor):
    section = SectionFactory()
    ClaimFactory(section=section, order=0, text="Kept.")
    doomed = ClaimFactory(section=section, order=1, text="Removed.")
    CitationFactory(claim=doomed)
    ClaimFactory(section=section, order=2, text="Also kept.")
    client.force_login(editor)
    url = change_url(section.article)
    form = admin_form_data(client.get(url)) | {"sections-0-claims-1-DELETE": "on"}
    assert client.post(url, form).status_code == 302
    assert list(section.claims.values_list("text", "order")) == [("Kept.", 0), ("Also kept.", 1)]
    assert doomed.history.latest().history_type == "-"


def test_empty_claim_in_the_inline_is_refused_and_nothing_is_saved(client, editor):
    claim = ClaimFactory(text="Keep me.")
    claim.section.article.title = "Original title"
    claim.section.article.save()
    client.force_login(editor)
    url = change_url(claim.section.article)
    form = admin_form_data(client.get(url)) | {"title": "Changed title", "sections-0-claims-0-text": "   "}
    response = client.post(url, form)
    assert response.status_code == 200
    assert "A claim cannot be empty." in response.content.decode()
    claim.refresh_from_db()
    assert (claim.text, Article.objects.get().title) == ("Keep me.", "Original title")


def test_citing_the_same_reference_twice_in_a_claim_is_refused(client, editor):
    citation = CitationFactory()
    client.force_login(editor)
    url = change_url(citation.claim.section.article)
    form = admin_form_data(client.get(url)) | {
        "sections-0-claims-0-citations-TOTAL_FORMS": "2",
        "sections-0-claims-0-citations-1-reference": str(citation.reference_id),
        "sections-0-claims-0-citations-1-order": "1",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert Citation.objects.count() == 1


# Preview and history.


def test_editor_previews_the_working_copy_as_readers_would_see_it(client, editor):
    citation = CitationFactory(claim__text="A **bold** finding.")
    article = citation.claim.section.article
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_preview", args=[article.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "A <strong>bold</strong> finding." in html
    assert 'href="#ref-1"' in html and 'id="ref-1"' in html
    assert "Preview of the working copy." in html


def test_preview_separates_several_citation_numbers_on_one_claim(client, editor):
    claim = CitationFactory(order=0).claim
    CitationFactory(claim=claim, order=1)
    client.force_login(editor)
    html = client.get(reverse("admin:articles_article_preview", args=[claim.section.article.pk])).content.decode()
    assert '>1</a>, <a href="#ref-2"' in html


def test_preview_is_not_public(client):
    article = ArticleFactory()
    response = client.get(reverse("admin:articles_article_preview", args=[article.pk]))
    assert response.status_code == 302


def test_article_history_page_lists_changes_to_its_claims(client, editor):
    claim = ClaimFactory(text="Original.")
    client.force_login(editor)
    url = change_url(claim.section.article)
    client.post(url, admin_form_data(client.get(url)) | {"sections-0-claims-0-text": "Edited wording."})
    page = client.get(reverse("admin:articles_article_history", args=[claim.section.article.pk]))
    assert page.status_code == 200
    assert "Edited wording." in page.content.decode()
    assert [(row.kind, row.history_type) for row in page.context["content_history"]] == [
        ("claim", "~"),
        ("claim", "+"),
        ("section", "+"),
    ]


def test_article_list_pages_read_the_same_rows_in_the_same_order_whatever_the_page(client, editor, monkeypatch):
    """A page reads its ids, then its rows (`PageByIdChangeList`): every article once, in the list's order."""
    from editorial.admin.articles import ArticleAdmin

    monkeypatch.setattr(ArticleAdmin, "list_per_page", 2)
    for title in ("Cobalt", "aspirin", "Beta blockers", "Aspirin", "Digoxin"):
        ArticleFactory(title=title)
    client.force_login(editor)
    changelist = reverse("admin:articles_article_changelist")

    pages = [client.get(changelist, {"p": number}).context["cl"].result_list for number in (1, 2, 3)]
    descending = client.get(changelist, {"p": 2, "o": "-1"}).context["cl"].result_list  # by title, from Z

    assert [[article.title for article in page] for page in pages] == [
        ["Aspirin", "Beta blockers"],
        ["Cobalt", "Digoxin"],
        ["aspirin"],
    ]
    assert [article.title for article in descending] == ["Cobalt", "Beta blockers"]


def test_article_list_offers_each_specialty_once_in_order(client, editor):
    for specialty in ("Pain medicine", "Cardiology", "Pain medicine", "Neurology"):
        ArticleFactory(specialty=specialty)
    client.force_login(editor)

    page = client.get(reverse("admin:articles_article_changelist"))

    (specialty_filter,) = [spec for spec in page.context["cl"].filter_specs if spec.title == "specialty"]
    assert list(specialty_filter.lookup_choices) == ["Cardiology", "Neurology", "Pain medicine"]


def test_article_list_filtered_by_specialty_lists_those_articles_only(client, editor):
    cardiology = ArticleFactory(specialty="Cardiology")
    ArticleFactory(specialty="Neurology")
    client.force_login(editor)

    page = client.get(reverse("admin:articles_article_changelist"), {"specialty": "Cardiology"})

    assert list(page.context["cl"].result_list) == [cardiology]
