"""An article becomes one document; references are numbered by first citation."""

import pytest

from articles.documents import article_with_tree, build_article_document
from articles.services import article_sync
from tests.factories import ArticleFactory, CitationFactory, ClaimFactory, ReferenceFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_references_are_numbered_by_first_citation_across_the_article():
    article = ArticleFactory()
    a, b, c = ReferenceFactory(title="A"), ReferenceFactory(title="B"), ReferenceFactory(title="C")
    first = ClaimFactory(section=SectionFactory(article=article, order=0), order=0)
    second = ClaimFactory(section=first.section, order=1)
    third = ClaimFactory(section=SectionFactory(article=article, order=1), order=0)
    CitationFactory(claim=first, reference=b, order=0)
    CitationFactory(claim=second, reference=c, order=0)
    CitationFactory(claim=second, reference=b, order=1)
    CitationFactory(claim=third, reference=a, order=0)

    document = build_article_document(article_with_tree().get(pk=article.pk))

    assert [(ref["number"], ref["title"]) for ref in document["references"]] == [(1, "B"), (2, "C"), (3, "A")]
    claims = [claim["citations"] for section in document["sections"] for claim in section["claims"]]
    assert claims == [[1], [2, 1], [3]]


def test_building_the_document_costs_four_queries_whatever_the_size(django_assert_num_queries):
    from tests.factories import article_with_claims

    article = article_with_claims(sections=4, claims_per_section=6)
    with django_assert_num_queries(4):
        document = build_article_document(article_with_tree().get(pk=article.pk))
    assert sum(len(section["claims"]) for section in document["sections"]) == 24


def test_article_sync_writes_nothing_when_the_data_is_unchanged():
    reference = ReferenceFactory()
    data = {
        "slug": "synced",
        "question": "Q?",
        "title": "T",
        "lede": "L",
        "specialty": "S",
        "sections": [{"heading": "H", "claims": [{"text": "C1", "cites": ["r"]}, {"text": "C2", "cites": ["r"]}]}],
    }
    article_sync(data=data, references={"r": reference})
    from articles.models import Citation, Claim

    counts = (Claim.history.count(), Citation.history.count())
    article_sync(data=data, references={"r": reference})
    assert (Claim.history.count(), Citation.history.count()) == counts


def test_article_sync_reorders_and_trims_claims():
    reference = ReferenceFactory()
    base = {"slug": "s", "question": "Q?", "title": "T", "lede": "L", "specialty": "S"}
    article_sync(
        data=base | {"sections": [{"heading": "H", "claims": [{"text": t, "cites": ["r"]} for t in "ABC"]}]},
        references={"r": reference},
    )
    article = article_sync(
        data=base | {"sections": [{"heading": "H", "claims": [{"text": t, "cites": ["r"]} for t in "CA"]}]},
        references={"r": reference},
    )
    assert list(article.sections.get().claims.values_list("text", "order")) == [("C", 0), ("A", 1)]
