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
from html import unescape

from django.db.models import Case, Exists, IntegerField, Min, OuterRef, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils.html import strip_tags
from django.utils.text import Truncator

from articles.models import Citation
from articles.rendering import render_inline
from editorial.models import ArticleWorkflow, CitedReference
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


class FlaggedEvidence:
    """The flagged references and the live articles citing them, ordered and counted in the database.

    The list is read from the citation index, never from a revision's
    content, and ordered there too (`article_ids`), so that a page of it, or
    its length, costs one query however many articles are flagged: at a
    hundred thousand articles some eight thousand cite a flagged reference,
    and reading them all into Python to sort them took most of the page's time.
    Only the articles of the page are then read with their details (`articles`).
    """

    def __init__(self, *, reference_ids: Iterable[int] | None = None):
        """With `reference_ids`, only those references are considered (two queries, one if none is flagged)."""
        self.references = _flagged_references(reference_ids)

    def __len__(self) -> int:
        """The number of flagged live articles (one query).

        Counted by live revision (an article has one), from the citation index
        alone: without the titles the order needs, the count joins nothing.
        """
        if not self.references:
            return 0
        return _live_citations(self.references).values("revision_id").distinct().count()

    def article_ids(self) -> QuerySet | list:
        """The flagged articles' ids in the order they are listed, lazily: slice it, count it, or page through it.

        Worst standing first (retracted before concern, then the newest
        notice), then the title, then the id. Each article's worst standing is
        the least rank among the flagged references its live revision cites.
        """
        if not self.references:
            return []
        cited = "live_revision__cited_references__reference_id"
        return (
            ArticleWorkflow.objects.filter(**{f"{cited}__in": list(self.references)})
            .values("article_id")
            .annotate(worst=Min(_rank_expression(self.references, cited)), title=Lower("article__title"))
            .order_by("worst", "title", "article_id")
            .values_list("article_id", flat=True)
        )

    def __getitem__(self, index):
        """The article ids of a page of the list, for `Paginator` (one query)."""
        return self.article_ids()[index]

    def count(self) -> int:
        """As `len()`, for `Paginator`."""
        return len(self)

    def articles(self, article_ids: Iterable[int] | None = None) -> list[FlaggedArticle]:
        """The details of the flagged articles (all, or those of `article_ids`), in list order (two queries).

        The live revisions' content is read for these articles only; without
        `article_ids`, their ids are read first (one more query).
        """
        wanted = list(self.article_ids() if article_ids is None else article_ids)
        if not wanted or not self.references:
            return []
        flagged = self.references
        workflows = (
            ArticleWorkflow.objects.live()
            .filter(article_id__in=wanted)
            .select_related("article", "live_revision", "current_revision")
        )
        in_working_copy = set(
            Citation.objects.filter(claim__section__article_id__in=wanted, reference_id__in=flagged)
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
                for reference_id, number, claims in _citations_of(workflow.live_revision.content, flagged)
            ]
            if citations:
                citations.sort(key=_citation_rank)
                articles.append(FlaggedArticle(workflow=workflow, citations=tuple(citations)))
        position = {article_id: index for index, article_id in enumerate(wanted)}
        articles.sort(key=lambda entry: position[entry.article.pk])
        return articles


def live_articles_citing_flagged_evidence(*, reference_ids: Iterable[int] | None = None) -> list[FlaggedArticle]:
    """Return the live articles whose live revision cites a retracted or concerning reference, all with details.

    Articles citing a retracted reference come first, then those under an
    expression of concern, newest notice first. With `reference_ids`, only
    those references are considered. At most five queries, however many
    articles are flagged; for a long list, page through `FlaggedEvidence`.
    """
    return FlaggedEvidence(reference_ids=reference_ids).articles()


def live_article_evidence_flags(*, article_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Map each live article citing flagged evidence to its worst standing: retracted, else concern (three queries).

    With `article_ids`, only those articles are looked at (a page of a list).
    """
    flagged = _flagged_references(None)
    retracted, concern = Reference.Retraction.RETRACTED, Reference.Retraction.EXPRESSION_OF_CONCERN
    flags = {}
    for article_id, reference_ids in _live_articles_citing(flagged, article_ids=article_ids).items():
        standings = {flagged[reference_id].retraction_status for reference_id in reference_ids}
        flags[article_id] = retracted if retracted in standings else concern
    return flags


def live_revision_cites(standings: Iterable[str]) -> Exists:
    """An expression for querysets of articles: whether the live revision cites a reference of these standings.

    For filters over the whole library: the ids of the references of these
    standings, and of those merged into them, are read first (two queries),
    so the database probes the citation index by reference id instead of
    scanning it.
    """
    standing_of = Reference.objects.filter(retraction_status__in=list(standings))
    ids = [
        *standing_of.values_list("pk", flat=True),
        *MergedReference.objects.filter(reference__in=standing_of).values_list("merged_id", flat=True),
    ]
    return Exists(CitedReference.objects.filter(reference_id__in=ids, revision=OuterRef("workflow__live_revision")))


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


def _live_citations(flagged: dict[int, Reference]) -> QuerySet:
    """The citation index's rows of live revisions citing a flagged reference (or one merged into it)."""
    return CitedReference.objects.filter(
        reference_id__in=list(flagged), revision__in=ArticleWorkflow.objects.live().values("live_revision")
    )


def _live_articles_citing(
    flagged: dict[int, Reference], *, article_ids: Iterable[int] | None = None
) -> dict[int, set[int]]:
    """Return {article id: the flagged ids its live revision cites}, read from the citation index (one query)."""
    if not flagged:
        return {}
    rows = _live_citations(flagged)
    if article_ids is not None:
        rows = rows.filter(revision__article_id__in=list(article_ids))
    citing: dict[int, set[int]] = {}
    for article_id, reference_id in rows.values_list("revision__article_id", "reference_id"):
        citing.setdefault(article_id, set()).add(reference_id)
    return citing


def _rank_expression(flagged: dict[int, Reference], cited: str) -> Case:
    """Each flagged id's place in `_reference_rank` order, as an SQL expression over `cited`, a path to the ids.

    References that rank alike (same standing, same notice date) share a place,
    so that the title decides between the articles citing them.
    """
    ranks = sorted({_reference_rank(reference) for reference in flagged.values()})
    place = {rank: index for index, rank in enumerate(ranks)}
    ids_at: dict[int, list[int]] = {}
    for reference_id, reference in flagged.items():
        ids_at.setdefault(place[_reference_rank(reference)], []).append(reference_id)
    return Case(
        *(When(**{f"{cited}__in": ids}, then=Value(index)) for index, ids in sorted(ids_at.items())),
        output_field=IntegerField(),
    )


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


def _reference_rank(reference: Reference) -> tuple:
    """Retracted before concern, then the newest notice first (undated last)."""
    notice_date: date | None = reference.retraction_date
    return (
        reference.retraction_status != Reference.Retraction.RETRACTED,
        notice_date is None,
        -notice_date.toordinal() if notice_date else 0,
    )


def _citation_rank(citation: FlaggedCitation) -> tuple:
    """As `_reference_rank`, then by number."""
    return (*_reference_rank(citation.reference), citation.number)
