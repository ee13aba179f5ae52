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

from django.db.models import Exists, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.utils.html import strip_tags
from django.utils.text import Truncator

from articles.models import Citation
from articles.rendering import render_inline
from editorial.models import ArticleWorkflow, CitedReference, LiveEvidenceFlag
from editorial.workflow import REVIEWABLE_STATES
from references.models import MergedReference, Reference

FLAGGED_STANDINGS = (Reference.Retraction.RETRACTED, Reference.Retraction.EXPRESSION_OF_CONCERN)
STANDING_OF_RANK = {
    LiveEvidenceFlag.Rank.RETRACTED: Reference.Retraction.RETRACTED,
    LiveEvidenceFlag.Rank.EXPRESSION_OF_CONCERN: Reference.Retraction.EXPRESSION_OF_CONCERN,
}
# The list's order, which the index `evidence_flag_list_order` follows.
LIST_ORDER = ("rank", "-notice_order", "title_key", "article_id")
EXCERPT_LENGTH = 160


@dataclass(frozen=True)
class CitingClaim:
    """A claim of the live revision that cites a flagged reference."""

    section: str
    position: int  # within its section, counting from 1, as the review desk numbers claims
    excerpt: str  # plain text, without the inline Markdown


@dataclass(frozen=True)
class FlaggedReference:
    """A flagged reference a live article cites, and its number there: what the desk shows of it."""

    reference: Reference  # as the library holds it now: its standing, notice date and source
    number: int  # its number in the live revision's reference list

    @property
    def is_retracted(self) -> bool:
        return self.reference.retraction_status == Reference.Retraction.RETRACTED


@dataclass(frozen=True)
class FlaggedCitation(FlaggedReference):
    """A flagged reference as one live article cites it: with the claims citing it, and whether a fix is under way."""

    claims: tuple[CitingClaim, ...]
    is_cited_by_working_copy: bool
    # None when no newer revision is in review; else whether that revision cites it too.
    is_cited_by_revision_in_review: bool | None


@dataclass(frozen=True)
class FlaggedSummary:
    """A flagged live article as the desk lists it: its flagged references, the worst first, without the claims."""

    workflow: ArticleWorkflow  # with the article, and its revisions without their content
    citations: tuple[FlaggedReference, ...]

    @property
    def article(self):
        return self.workflow.article

    @property
    def revision_in_review(self):
        """The newer revision the board is reviewing, if any."""
        return _revision_in_review(self.workflow)


@dataclass(frozen=True)
class FlaggedArticle(FlaggedSummary):
    """A live article with the flagged references its live revision cites, the worst first, each with its claims."""

    workflow: ArticleWorkflow  # with the article, the live revision (content deferred) and the current revision
    citations: tuple[FlaggedCitation, ...]

    @property
    def has_retracted_reference(self) -> bool:
        return any(citation.is_retracted for citation in self.citations)


class FlaggedEvidence:
    """The live articles citing flagged evidence, ordered, paged and counted by their stored flags.

    The list is read from `LiveEvidenceFlag` (one row per flagged live
    article, kept in step by `editorial.evidence_flags`), whose index follows
    the list's order: a page of it is an index range and its length a count
    of small rows, however many articles are flagged. Only the articles of
    the page are then read with their details (`articles`).
    """

    def __init__(self, *, reference_ids: Iterable[int] | None = None):
        """With `reference_ids`, only those references are considered (two queries, none without)."""
        self.only = None if reference_ids is None else flagged_references(reference_ids)
        flags = LiveEvidenceFlag.objects.order_by(*LIST_ORDER)
        if self.only is not None:
            cites = CitedReference.objects.filter(revision=OuterRef("revision"), reference_id__in=list(self.only))
            flags = flags.filter(Exists(cites)) if self.only else flags.none()
        self.flags = flags

    def __len__(self) -> int:
        """The number of flagged live articles (one query)."""
        return self.flags.count()

    def article_ids(self) -> QuerySet:
        """The flagged articles' ids in the order they are listed, lazily: slice it, count it, or page through it.

        Worst standing first (retracted before concern, then the newest
        notice, undated last), then the title, then the id.
        """
        return self.flags.values_list("article_id", flat=True)

    def __getitem__(self, index):
        """The article ids of a page of the list, for `Paginator` (one query)."""
        return self.article_ids()[index]

    def count(self) -> int:
        """As `len()`, for `Paginator`."""
        return len(self)

    def articles(self, article_ids: Iterable[int] | None = None) -> list[FlaggedArticle]:
        """The details of the flagged articles (all, or those of `article_ids`), in list order (three queries)."""
        flags = self._with_workflows()
        if article_ids is not None:
            wanted = list(article_ids)
            position = {article_id: index for index, article_id in enumerate(wanted)}
            flags = sorted(flags.filter(article_id__in=wanted), key=lambda flag: position[flag.article_id])
        return self._details(list(flags))

    def head(self, size: int) -> tuple[list[FlaggedSummary], int]:
        """The first `size` articles, each with its flagged references, and how many in all (two queries).

        For the desk: what it shows is stored with each flag (the references
        and their numbers in the live revision), so no revision's content is read.
        """
        # The count as a subquery PostgreSQL runs once, from the flags alone: a window count over the joined
        # rows made it join every flagged article to its workflow and revisions to show ten (177 ms for 8,000).
        count_all = Func(Value(1), function="COUNT", output_field=IntegerField())
        flags = list(
            self._with_workflows()
            .defer("article__workflow__live_revision__content", "article__workflow__current_revision__content")
            .annotate(total=Subquery(self.flags.order_by().values(n=count_all)))[:size]
        )
        if not flags:
            return [], 0
        references = self._references(flags)
        summaries = []
        for flag in flags:
            cited = sorted(
                (
                    FlaggedReference(reference=references[reference_id], number=number)
                    for frozen_id, reference_id, number in flag.cited
                    if reference_id in references and (self.only is None or frozen_id in self.only)
                ),
                key=lambda entry: (*reference_rank(entry.reference), entry.number),
            )
            if cited:
                summaries.append(FlaggedSummary(workflow=flag.article.workflow, citations=tuple(cited)))
        return summaries, flags[0].total

    @staticmethod
    def _references(flags: list[LiveEvidenceFlag]) -> dict[int, Reference]:
        """The flagged references the flags name, as the library holds them now (one query)."""
        ids = {reference_id for flag in flags for _, reference_id, _ in flag.cited}
        return Reference.objects.filter(retraction_status__in=FLAGGED_STANDINGS).in_bulk(ids)

    def _with_workflows(self) -> QuerySet:
        return self.flags.select_related("article__workflow__live_revision", "article__workflow__current_revision")

    def _details(self, flags: list[LiveEvidenceFlag]) -> list[FlaggedArticle]:
        """Each flag's article with its flagged citations, the worst first (two queries)."""
        if not flags:
            return []
        references = self._references(flags)
        flagged = {
            frozen_id: references[reference_id]
            for flag in flags
            for frozen_id, reference_id, _ in flag.cited
            if reference_id in references and (self.only is None or frozen_id in self.only)
        }
        wanted = [flag.article_id for flag in flags]
        in_working_copy = set(
            Citation.objects.filter(claim__section__article_id__in=wanted, reference_id__in=list(references))
            .order_by()
            .values_list("claim__section__article_id", "reference_id")
        )
        articles = []
        for flag in flags:
            workflow = flag.article.workflow
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
    """Map each live article citing flagged evidence to its worst standing: retracted, else concern (one query).

    With `article_ids`, only those articles are looked at (a page of a list).
    """
    flags = LiveEvidenceFlag.objects.order_by()
    if article_ids is not None:
        flags = flags.filter(article_id__in=list(article_ids))
    return {article_id: STANDING_OF_RANK[rank] for article_id, rank in flags.values_list("article_id", "rank")}


def live_revision_cites(standings: Iterable[str]) -> Exists:
    """An expression for querysets of articles: whether the live revision cites a reference of these standings.

    Read from the stored flags (`LiveEvidenceFlag`), an index probe by article.
    """
    standings = set(standings)
    cites = Q(pk__in=[])
    if Reference.Retraction.RETRACTED in standings:
        cites |= Q(rank=LiveEvidenceFlag.Rank.RETRACTED)
    if Reference.Retraction.EXPRESSION_OF_CONCERN in standings:
        cites |= Q(cites_concern=True)
    return Exists(LiveEvidenceFlag.objects.filter(cites, article=OuterRef("pk")))


def flagged_references(reference_ids: Iterable[int] | None) -> dict[int, Reference]:
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


def reference_rank(reference: Reference) -> tuple:
    """Retracted before concern, then the newest notice first (undated last)."""
    notice_date: date | None = reference.retraction_date
    return (
        reference.retraction_status != Reference.Retraction.RETRACTED,
        notice_date is None,
        -notice_date.toordinal() if notice_date else 0,
    )


def _citation_rank(citation: FlaggedCitation) -> tuple:
    """As `reference_rank`, then by number."""
    return (*reference_rank(citation.reference), citation.number)
