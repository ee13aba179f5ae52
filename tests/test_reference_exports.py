"""Readers download an article's references as files, only ever the approved words."""

import pytest
from django.urls import reverse

from editorial.services import article_withdraw
from references.formats.reading import FORMATS
from tests.workflow_helpers import approved, citable_article, submitted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

FILE_FORMATS = ["ris", "bibtex", "medline", "csl-json"]


def references_url(article, file_format):
    return reverse("reader:article_references", args=[article.slug, file_format])


def first_reference(article):
    return article.sections.first().claims.first().citations.first().reference


def retitle(reference, title):
    """Change the reference in the working copy, as an editor would in the admin."""
    reference.title = title
    reference.full_clean()
    reference.save()


@pytest.fixture
def live_article(editor, managing_editor):
    """A live article whose first reference has since been retitled in the working copy only."""
    article = citable_article()
    retitle(first_reference(article), "The APPROVED-TITLE of the first reference")
    approved(article, editor, managing_editor)
    retitle(first_reference(article), "The WORKING-COPY-TITLE of the first reference")
    return article


@pytest.mark.parametrize("file_format", FILE_FORMATS)
def test_reference_file_holds_the_live_revision_as_an_attachment(client, live_article, file_format):
    writer = FORMATS[file_format]
    response = client.get(references_url(live_article, file_format))
    text = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == writer.media_type.split(";")[0]
    assert response["Content-Disposition"] == (
        f'attachment; filename="{live_article.slug}-references.{writer.extension.lstrip(".")}"'
    )
    assert "APPROVED-TITLE" in text
    assert "WORKING-COPY-TITLE" not in text


@pytest.mark.parametrize("file_format", FILE_FORMATS)
def test_editors_signed_in_also_get_the_live_revision(client, editor, live_article, file_format):
    client.force_login(editor)
    text = client.get(references_url(live_article, file_format)).content.decode()
    assert "APPROVED-TITLE" in text and "WORKING-COPY-TITLE" not in text


def test_reference_file_lists_every_reference_of_the_article(client, live_article):
    response = client.get(references_url(live_article, "csl-json"))
    second = live_article.sections.first().claims.all()[1].citations.first().reference
    assert [item["title"] for item in response.json()] == [
        "The APPROVED-TITLE of the first reference",
        second.title,
    ]


def test_article_page_offers_the_files(client, live_article):
    html = client.get(reverse("reader:article", args=[live_article.slug])).content.decode()
    links = " · ".join(
        f'<a href="{references_url(live_article, key)}">{FORMATS[key].label}</a>' for key in FILE_FORMATS
    )
    assert f'<p class="reference-files">Download these references: {links}</p>' in html


@pytest.mark.parametrize("file_format", FILE_FORMATS)
def test_never_approved_hidden_article_has_no_reference_file(client, editor, managing_editor, settings, file_format):
    settings.READER_PENDING_POLICY = "hide"
    article = citable_article()
    submitted(article, editor, managing_editor)
    assert client.get(references_url(article, file_format)).status_code == 404


def test_never_submitted_article_has_no_reference_file(client):
    assert client.get(references_url(citable_article(), "ris")).status_code == 404


def test_pending_article_shown_with_a_caution_offers_the_references_it_shows(client, editor, managing_editor, settings):
    settings.READER_PENDING_POLICY = "caution"
    article = citable_article()
    retitle(first_reference(article), "The SUBMITTED-TITLE of the first reference")
    submitted(article, editor, managing_editor)
    retitle(first_reference(article), "The WORKING-COPY-TITLE of the first reference")
    text = client.get(references_url(article, "ris")).content.decode()
    assert "SUBMITTED-TITLE" in text and "WORKING-COPY-TITLE" not in text


@pytest.mark.parametrize("file_format", FILE_FORMATS)
def test_withdrawn_article_answers_gone(client, editor, managing_editor, file_format):
    article = citable_article()
    approved(article, editor, managing_editor)
    article_withdraw(
        article=article,
        user=managing_editor,
        reason="Safety notice.",
        public_reason="We are checking this answer against new evidence.",
    )
    response = client.get(references_url(article, file_format))
    assert response.status_code == 410
    assert first_reference(article).title not in response.content.decode()


def test_unknown_file_format_is_not_found(client, live_article):
    assert client.get(references_url(live_article, "docx")).status_code == 404


def test_reference_file_is_built_in_a_fixed_number_of_queries(
    client, editor, managing_editor, django_assert_max_num_queries
):
    from tests.factories import article_with_claims

    article = article_with_claims(sections=6, claims_per_section=8)
    approved(article, editor, managing_editor)
    with django_assert_max_num_queries(2):
        assert client.get(references_url(article, "ris")).status_code == 200
