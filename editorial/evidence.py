"""Live articles that cite retracted evidence, and whether a fix is on its way.

A reference retracted, or placed under an expression of concern, after an
article was approved stays in the words readers see until a new revision is
approved. These reads find such articles by the reference ids frozen in each
live revision's content (not the working copy's citations, which may already
differ), then say whether the working copy and the revision in review still
cite the reference, so an editor knows whether a fix is under way.

The reference's standing is read from the library now: a reinstated
reference is no longer flagged, whatever the revision froze.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import reduce
from html import unescape
from operator import or_

from django.db import connection
from django.db.models import Q
from django.utils.html import strip_tags
from django.utils.text import Truncator

from articles.models import Citation
from articles.rendering import render_inline
from editorial.models import ArticleWorkflow
from editorial.workflow import REVIEWABLE_STATES
from references.models import MergedReference, Reference

FLAGGED_STANDINGS = (Reference.Retraction.RETRACTED, Reference.Retraction.EXPRESSION_OF_CONCERN)
EXCERPT_LENGTH = 160


@dataclass(frozen=True)
class CitingClaim:
    """A claim of the live revision that cites a flagged reference."""

    section: str
    position: int  # within its section, counting from 1, as the review desk numbers claims
    excerpt: str  # plain text, without the inline Markdown


@dataclass(frozen=True)
class FlaggedCitation:
    """A flagged reference as one live article cites it."""

    reference: Reference  # as the library holds it now: its standing, notice date and source
    number: int  # its number in the live revision's reference list
    claims: tuple[CitingClaim, ...]
    is_cited_by_working_copy: bool
    # None when no newer revision is in review; else whether that revision cites it too.
    is_cited_by_revision_in_review: bool | None

    @property
    def is_retracted(self) -> bool:
        return self.reference.retraction_status == Reference.Retraction.RETRACTED


@dataclass(frozen=True)
class FlaggedArticle:
    """A live article with the flagged references its live revision cites, the worst first."""

    workflow: ArticleWorkflow  # with the article, the live revision (content deferred) and the current revision
    citations: tuple[FlaggedCitation, ...]

    @property
    def article(self):
        return self.workflow.article

    @property
    def revision_in_review(self):
        """The newer revision the board is reviewing, if any."""
        return _revision_in_review(self.workflow)

    @property
    def has_retracted_reference(self) -> bool:
        return any(citation.is_retracted for citation in self.citations)


def live_articles_citing_flagged_evidence(*, reference_ids: Iterable[int] | None = None) -> list[FlaggedArticle]:
    """Return the live articles whose live revision cites a retracted or concerning reference.

    Articles citing a retracted reference come first, then those under an
    expression of concern, newest notice first. With `reference_ids`, only
    those references are considered. At most five queries, however many
    articles are flagged.
    """
    flagged = _flagged_references(reference_ids)
    live_contents = _live_contents_citing(flagged)
    if not live_contents:
        return []
    workflows = (
        ArticleWorkflow.objects.filter(article_id__in=live_contents)
        .select_related("article", "live_revision", "current_revision")
        .defer("live_revision__content")
    )
    in_working_copy = set(
        Citation.objects.filter(claim__section__article_id__in=live_contents, reference_id__in=flagged)
        .order_by()
        .values_list("claim__section__article_id", "reference_id")
    )
    articles = []
    for workflow in workflows:
        in_review = _revision_in_review(workflow)
        in_review_ids = _cited_ids(in_review.content) if in_review else None
        citations = [
            FlaggedCitation(
                reference=flagged[reference_id],
                number=number,
                claims=claims,
                is_cited_by_working_copy=(workflow.article_id, flagged[reference_id].pk) in in_working_copy,
                is_cited_by_revision_in_review=None
                if in_review_ids is None
                else bool({reference_id, flagged[reference_id].pk} & in_review_ids),
            )
            for reference_id, number, claims in _citations_of(live_contents[workflow.article_id], flagged)
        ]
        citations.sort(key=_citation_rank)
        articles.append(FlaggedArticle(workflow=workflow, citations=tuple(citations)))
    articles.sort(key=lambda entry: (_citation_rank(entry.citations[0]), entry.article.title.casefold()))
    return articles


def live_article_evidence_flags() -> dict[int, str]:
    """Map each live article citing flagged evidence to its worst standing: retracted, else concern (three queries)."""
    flagged = _flagged_references(None)
    retracted, concern = Reference.Retraction.RETRACTED, Reference.Retraction.EXPRESSION_OF_CONCERN
    flags = {}
    for article_id, content in _live_contents_citing(flagged).items():
        standings = {flagged[reference_id].retraction_status for reference_id in _cited_ids(content) & flagged.keys()}
        flags[article_id] = retracted if retracted in standings else concern
    return flags


def _flagged_references(reference_ids: Iterable[int] | None) -> dict[int, Reference]:
    """Flagged references by id, and by the ids of references merged into them (revisions keep those)."""
    references = Reference.objects.filter(retraction_status__in=FLAGGED_STANDINGS)
    if reference_ids is not None:
        references = references.filter(pk__in=list(reference_ids))
    flagged = references.in_bulk()
    if flagged:
        for merged_id, reference_id in MergedReference.objects.filter(reference__in=flagged).values_list(
            "merged_id", "reference_id"
        ):
            flagged[merged_id] = flagged[reference_id]
    return flagged


def _live_contents_citing(flagged: dict[int, Reference]) -> dict[int, dict]:
    """Return {article id: live content} for the live revisions citing any of `flagged` (one query, none if empty).

    Where the database can search JSON (PostgreSQL), it narrows the revisions
    read; the check in Python decides either way.
    """
    if not flagged:
        return {}
    live = ArticleWorkflow.objects.live()
    if connection.features.supports_json_field_contains:
        live = live.filter(
            reduce(or_, (Q(live_revision__content__contains={"references": [{"id": pk}]}) for pk in flagged))
        )
    rows = live.values_list("article_id", "live_revision__content")
    return {article_id: content for article_id, content in rows if _cited_ids(content) & flagged.keys()}


def _cited_ids(content: dict) -> set[int]:
    return {reference["id"] for reference in content["references"]}


def _citations_of(content: dict, flagged: dict[int, Reference]) -> list[tuple[int, int, tuple[CitingClaim, ...]]]:
    """Return (reference id, number, citing claims) for each flagged reference the content cites."""
    numbers = {reference["number"]: reference["id"] for reference in content["references"]}
    claims_by_number: dict[int, list[CitingClaim]] = {}
    for section in content["sections"]:
        for position, claim in enumerate(section["claims"], start=1):
            for number in claim["citations"]:
                if numbers.get(number) in flagged:
                    claims_by_number.setdefault(number, []).append(
                        CitingClaim(section=section["heading"], position=position, excerpt=_excerpt(claim))
                    )
    return [
        (reference_id, number, tuple(claims_by_number.get(number, ())))
        for number, reference_id in sorted(numbers.items())
        if reference_id in flagged
    ]


def _excerpt(claim: dict) -> str:
    words = unescape(strip_tags(render_inline(claim["text"])))
    if claim["lead_in"]:
        words = f"{claim['lead_in']}: {words}"
    return Truncator(words).chars(EXCERPT_LENGTH)


def _revision_in_review(workflow: ArticleWorkflow):
    if workflow.state in REVIEWABLE_STATES and workflow.current_revision_id != workflow.live_revision_id:
        return workflow.current_revision
    return None


def _citation_rank(citation: FlaggedCitation) -> tuple:
    """Retracted before concern, then the newest notice first (undated last), then by number."""
    notice_date: date | None = citation.reference.retraction_date
    return (
        not citation.is_retracted,
        notice_date is None,
        -notice_date.toordinal() if notice_date else 0,
        citation.number,
    )
