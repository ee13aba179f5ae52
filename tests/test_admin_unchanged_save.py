"""Saving an article's page without changing anything writes nothing."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse

from articles.models import Article, Citation, Claim, Section
from tests.admin_forms import admin_form_data
from tests.factories import article_with_claims

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def history_counts():
    return {model.__name__: model.history.count() for model in (Article, Section, Claim, Citation)}


@pytest.fixture
def article():
    return article_with_claims(sections=2, claims_per_section=2)


def test_unchanged_save_writes_no_history_row_on_any_of_the_articles_tables(client, editor, article):
    client.force_login(editor)
    form = admin_form_data(client.get(change_url(article)))
    before = history_counts()

    response = client.post(change_url(article), form)

    assert (response.status_code, history_counts()) == (302, before)


def test_unchanged_save_keeps_updated_at_and_the_version(client, editor, article):
    client.force_login(editor)
    form = admin_form_data(client.get(change_url(article)))
    before = Article.objects.values_list("updated_at", "version").get()

    client.post(change_url(article), form)

    assert Article.objects.values_list("updated_at", "version").get() == before


def test_unchanged_save_says_there_was_nothing_to_save_and_logs_nothing(client, editor, article):
    client.force_login(editor)
    form = admin_form_data(client.get(change_url(article)))

    response = client.post(change_url(article), form | {"_continue": "Save and continue editing"})

    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "No changes to save: the article is as it was."
    ]
    assert LogEntry.objects.count() == 0


def test_unchanged_save_of_a_reordered_article_moves_nothing(client, editor, article):
    """Positions the page shows are the stored ones, so the parking step has nothing to park."""
    client.force_login(editor)
    form = admin_form_data(client.get(change_url(article)))
    orders = list(Claim.objects.order_by("pk").values_list("section_id", "order"))

    client.post(change_url(article), form)

    assert list(Claim.objects.order_by("pk").values_list("section_id", "order")) == orders


def test_changing_only_a_citation_bumps_the_version_and_updated_at(client, editor, article):
    client.force_login(editor)
    form = admin_form_data(client.get(change_url(article)))
    updated_at = Article.objects.get().updated_at

    client.post(change_url(article), form | {"sections-0-claims-0-citations-0-DELETE": "on"})

    article.refresh_from_db()
    assert (article.version, article.updated_at > updated_at, article.history.count()) == (2, True, 1)
