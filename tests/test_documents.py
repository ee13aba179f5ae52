"""An article becomes one document; references are numbered by first citation."""

import pytest

from articles.documents import article_with_tree, build_article_document
from articles.services import article_sync
from editorial.revisions import content_hash, working_copy_document
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


# Documents keep their hashes as the document grows: a new key is carried only when set.


def test_an_ungraded_claims_document_is_the_one_frozen_before_grades_existed():
    reference = ReferenceFactory()
    claim = ClaimFactory(section=SectionFactory(article=ArticleFactory()), lead_in="Dose", text="T.", plain_text="P.")
    CitationFactory(claim=claim, reference=reference)

    document = working_copy_document(claim.section.article)

    frozen_before = {"uid": str(claim.uid), "lead_in": "Dose", "text": "T.", "plain_text": "P.", "citations": [1]}
    assert [claim for section in document["sections"] for claim in section["claims"]] == [frozen_before]


# The hash of `fixed_article()`'s document as built before grades existed.
HASH_BEFORE_GRADES = "bd8e4f673c85d458120eb3918ba2bde762818adeb7019f8ee5fe37d0537ee801"


def fixed_article():
    """An article whose document has no random or sequential part (ids, uids, titles are all fixed)."""
    reference = ReferenceFactory(
        id=990001, title="A fixed trial", authors="Doe J", source="J Ex", year=2020, doi="10.5555/fixed", pmid="1"
    )
    article = ArticleFactory(slug="fixed", question="Q?", title="T", lede="L", plain_lede="PL", specialty="S")
    section = SectionFactory(article=article, heading="H", intro="I")
    for position in range(2):
        claim = ClaimFactory(
            section=section,
            order=position,
            uid=f"00000000-0000-4000-8000-00000000000{position}",
            lead_in="Dose" if position == 0 else "",
            text=f"Claim {position}.",
            plain_text=f"Plain {position}.",
        )
        CitationFactory(claim=claim, reference=reference)
    return article


def test_an_ungraded_article_keeps_the_document_hash_it_had_before_grades():
    document = working_copy_document(fixed_article())

    assert content_hash(document) == HASH_BEFORE_GRADES
