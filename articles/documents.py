"""An article as one plain document: what previews render and revisions freeze.

The document is plain JSON-able data, so the same template renders a working
copy's preview and, later, an approved revision, and a hash of it identifies
exactly which words were shown.
"""

from django.db.models import Prefetch

from articles.models import Article, Citation
from references.models import Reference

REFERENCE_KEYS = ("kind", "title", "authors", "source", "year", "doi", "pmid", "url")


def article_with_tree(queryset=None):
    """Return a queryset of articles with their whole tree prefetched (four queries)."""
    articles = queryset if queryset is not None else Article.objects.all()
    return articles.prefetch_related(
        "sections",
        "sections__claims",
        Prefetch("sections__claims__citations", queryset=Citation.objects.select_related("reference")),
    )


def reference_document(reference: Reference) -> dict:
    return {"id": reference.pk, **{key: getattr(reference, key) for key in REFERENCE_KEYS}}


def build_article_document(article: Article) -> dict:
    """Return the article's content as a document with computed reference numbers.

    References are numbered by first citation, walking sections, claims and
    citations in order; a claim's `citations` lists those numbers. Expects the
    tree prefetched (see `article_with_tree`) to stay at a fixed query count.
    """
    numbers: dict[int, int] = {}
    references: list[dict] = []
    sections = []
    for section in article.sections.all():
        claims = []
        for claim in section.claims.all():
            cited = []
            for citation in claim.citations.all():
                if citation.reference_id not in numbers:
                    numbers[citation.reference_id] = len(numbers) + 1
                    number = numbers[citation.reference_id]
                    references.append({"number": number, **reference_document(citation.reference)})
                cited.append(numbers[citation.reference_id])
            claims.append(
                {
                    "uid": str(claim.uid),
                    "lead_in": claim.lead_in,
                    "text": claim.text,
                    "plain_text": claim.plain_text,
                    "citations": cited,
                }
            )
        sections.append({"heading": section.heading, "level": section.level, "intro": section.intro, "claims": claims})
    return {
        "slug": article.slug,
        "question": article.question,
        "title": article.title,
        "lede": article.lede,
        "plain_lede": article.plain_lede,
        "specialty": article.specialty,
        "sections": sections,
        "references": references,
    }
