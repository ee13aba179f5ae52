"""Every change to every tracked model is kept, with the person who made it."""

import pytest
from django.contrib.auth import get_user_model

from articles.models import Article, Citation, Claim, Section
from config.history import acting_as
from editorial.models import Reviewer
from references.models import Reference
from tests.factories import (
    ArticleFactory,
    BoardMemberFactory,
    CitationFactory,
    ClaimFactory,
    ReferenceFactory,
    ReviewerFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

TRACKED = [
    (Article, ArticleFactory, "title"),
    (Section, SectionFactory, "heading"),
    (Claim, ClaimFactory, "text"),
    (Citation, CitationFactory, "order"),
    (Reference, ReferenceFactory, "title"),
    (Reviewer, ReviewerFactory, "bio"),
]


def history_of(model, pk):
    return [(row.history_type, row.history_user) for row in model.history.filter(id=pk).order_by("history_id")]


@pytest.mark.parametrize(("model", "factory", "field"), TRACKED, ids=[m.__name__ for m, _, _ in TRACKED])
def test_create_update_and_delete_are_each_recorded_with_the_acting_user(model, factory, field, editor):
    with acting_as(editor):
        obj = factory()
        setattr(obj, field, 99 if field == "order" else "Changed by the editor")
        obj.save()
        pk = obj.pk
        if model is Reference:
            obj.citations.all().delete()
        obj.delete()
    assert history_of(model, pk) == [("+", editor), ("~", editor), ("-", editor)]


def test_changes_outside_a_request_or_acting_as_have_no_user():
    article = ArticleFactory()
    assert history_of(Article, article.pk) == [("+", None)]


def test_deleting_an_article_records_the_deletion_of_its_whole_tree(editor):
    claim = ClaimFactory()
    citation = CitationFactory(claim=claim)
    article = claim.section.article
    article_pk = article.pk
    with acting_as(editor):
        article.delete()
    deleted = {
        (model.__name__, row.id)
        for model in (Article, Section, Claim, Citation)
        for row in model.history.filter(history_type="-", history_user=editor)
    }
    assert deleted == {
        ("Article", article_pk),
        ("Section", claim.section.pk),
        ("Claim", claim.pk),
        ("Citation", citation.pk),
    }


def test_acting_as_restores_the_previous_user_afterwards():
    first, second = BoardMemberFactory(), BoardMemberFactory()
    with acting_as(first):
        with acting_as(second):
            inner = ArticleFactory()
        outer = ArticleFactory()
    assert (inner.history.get().history_user, outer.history.get().history_user) == (second, first)


def test_deactivating_a_user_keeps_their_history():
    user = BoardMemberFactory()
    with acting_as(user):
        article = ArticleFactory()
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert article.history.get().history_user == user
