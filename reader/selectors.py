"""What a reader may see, read in a fixed, small number of queries."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from editorial.models import ArticleWorkflow, Reviewer, Revision, SignOff
from editorial.workflow import EXPIRED_PUBLIC_REASON, PENDING_STATES, PUBLIC_STEP_OF_STATE, PUBLIC_STEPS, State
from reader.models import EditorialPage, PublishedArticle


@dataclass
class ArticlePage:
    """What readers may see of one article now, from one revision (none for a withdrawal or hold notice).

    `slug` is the article's public slug: the live revision's, or the pending
    revision's under the caution policy. Its older public slugs redirect to it.
    """

    slug: str
    article_id: int
    revision: Revision | None
    state: str
    is_live: bool
    is_pending: bool = False
    is_withdrawn: bool = False
    is_held: bool = False
    public_reason: str = ""  # why readers see a notice, in the words the managing editor or board member gave them
    has_update_in_review: bool = False
    has_update_scheduled: bool = False  # a newer revision is approved and waits for its go-live time
    reviewers: list["Certifier"] = field(default_factory=list)
    reviewed_at: datetime | None = None
    next_review_due: date | None = None
    is_review_overdue: bool = False  # the board's scheduled review of the live words is late
    reads_the_same_until: date | None = None  # the last day this page reads as it does, if the date alone changes it

    @property
    def is_notice(self) -> bool:
        """Readers see a notice (withdrawn or held) instead of any words."""
        return self.is_withdrawn or self.is_held

    @property
    def is_expired(self) -> bool:
        """The words are offline because the period the board approved them for ended, not by a person's decision."""
        return self.is_withdrawn and self.public_reason == EXPIRED_PUBLIC_REASON

    @property
    def content_updated_at(self) -> datetime | None:
        return self.revision.created_at if self.revision else None

    @property
    def steps(self) -> list[dict]:
        current = State.APPROVED if self.is_live else PUBLIC_STEP_OF_STATE[self.state]
        position = PUBLIC_STEPS.index(current)
        return [
            {
                "label": step.label,
                "is_done": index < position or (index == position and self.is_live),
                "is_current": index == position,
            }
            for index, step in enumerate(PUBLIC_STEPS)
        ]


def reader_view(workflow: ArticleWorkflow, *, today: date | None = None) -> ArticlePage | None:
    """Decide what readers may see of the article now; None means nothing (404). No query.

    In order: the live revision (never a newer one waiting for its go-live
    time), with a caution once its review date has passed before `today`
    (default: the local date); a hold notice while a safety hold keeps the
    approved words aside (even while a correction is in review); a withdrawal
    notice once the article was public and has no live revision (withdrawn,
    even if edited and submitted again since, and after an expiry); for an
    article no revision of which ever reached quorum, its submitted revision
    with a caution, while it is Submitted or Under review and the pending
    policy is "caution"; otherwise nothing (so an approved article waiting to
    go live for the first time, or whose approved words were replaced before
    they went live, is not public). `workflow` needs `article`, `live_revision`
    and `current_revision` loaded. The page, its reference files, the
    follow-up form, the search index, the feed and the sitemap all follow it.
    """
    live = workflow.live_revision
    if live is not None:
        has_update = workflow.current_revision_id != live.pk
        is_overdue = workflow.review_overdue_on(today or timezone.localdate())
        return ArticlePage(
            slug=live.content["slug"],
            article_id=workflow.article_id,
            revision=live,
            state=workflow.state,
            is_live=True,
            has_update_in_review=has_update and not workflow.is_scheduled,
            has_update_scheduled=has_update and workflow.is_scheduled,
            reviewed_at=workflow.approved_at,
            next_review_due=workflow.next_review_due,
            is_review_overdue=is_overdue,
            reads_the_same_until=None if is_overdue else workflow.next_review_due,
        )
    if workflow.is_held:
        return ArticlePage(
            slug="",
            article_id=workflow.article_id,
            revision=None,
            state=State.HELD,
            is_live=False,
            is_held=True,
            public_reason=workflow.public_reason,
        )
    if workflow.approved_at is not None or workflow.state == State.WITHDRAWN:
        # `approved_at` survives a withdrawal: once public, only a notice until approved words are live again.
        return ArticlePage(
            slug="",
            article_id=workflow.article_id,
            revision=None,
            state=State.WITHDRAWN,
            is_live=False,
            is_withdrawn=True,
            public_reason=workflow.public_reason,
        )
    pending = workflow.current_revision
    policy = workflow.article.pending_display or settings.READER_PENDING_POLICY
    # Approved once (even if those words never went live): never shown unapproved again.
    if policy == "caution" and pending is not None and workflow.state in PENDING_STATES and not workflow.was_approved:
        return ArticlePage(
            slug=pending.content["slug"],
            article_id=workflow.article_id,
            revision=pending,
            state=workflow.state,
            is_live=False,
            is_pending=True,
        )
    return None


def article_page(slug: str) -> ArticlePage:
    """Return what readers may see of the article once public under `slug`, or raise Http404 (two queries).

    Only slugs that were public (`PublicSlug`) are looked up, never the working
    copy's. The page's `slug` may differ from `slug`: the caller redirects to it.
    A withdrawal notice keeps the slug asked for.
    """
    workflow = (
        ArticleWorkflow.objects.select_related("article", "live_revision", "current_revision")
        .filter(article__public_slugs__slug=slug)
        .first()
    )
    page = reader_view(workflow) if workflow is not None else None
    if page is None:
        raise Http404("No such article.")
    if page.is_notice:
        page.slug = slug
    elif page.is_live and page.slug == slug:  # an older slug only redirects
        page.reviewers = certifying_reviewers(workflow)
    return page


@dataclass(frozen=True)
class Certifier:
    """A board member who certified the live words, with the conflict of interest they declared in doing so."""

    reviewer: Reviewer
    declared_conflict: str = ""  # the disclosure of a sign-off that declared a conflict; empty when none


def certifying_reviewers(workflow: ArticleWorkflow) -> list[Certifier]:
    """The board members whose approvals certified the live revision, in the round that reached quorum (one query).

    Not every sign-off ever made on the revision: after a re-review readers see
    who certified the words most recently, as of "Last reviewed". A conflict
    declared with a sign-off is public, beside the name.
    """
    sign_offs = SignOff.objects.certifying(workflow).select_related("reviewer")
    return [
        Certifier(
            reviewer=sign_off.reviewer,
            declared_conflict=sign_off.conflict_disclosure if sign_off.conflict == SignOff.Conflict.DISCLOSED else "",
        )
        for sign_off in sign_offs.order_by("created_at")
    ]


def approving_reviewers(revision: Revision, *, round: int = 1) -> list[Reviewer]:
    """The board members who approved `revision` in one review round, in signing order (one query).

    The page names `certifying_reviewers(workflow)`, the round that certified the live words.
    """
    sign_offs = SignOff.objects.filter(revision=revision, round=round, decision=SignOff.Decision.APPROVE)
    return [sign_off.reviewer for sign_off in sign_offs.select_related("reviewer").order_by("created_at")]


def editorial_page(slug: str) -> EditorialPage | None:
    return EditorialPage.objects.filter(slug=slug).first()


# What a listing shows of an article: never the body or the search vector, the bulk of each row.
LISTED_FIELDS = ("slug", "question", "title", "lede", "specialty", "reviewed_at", "content_updated_at")
# Search ranks at most this many of the newest matches, and as many of the newest matching a question or title.
SEARCH_CANDIDATES = 500
# Matches are counted up to this many; beyond it readers read "more than 1,000 answers".
SEARCH_COUNT_CAP = 1_000
# The words of the question and title alone, as the GIN index of migration 0009 holds them.
HEADING = SearchVector("question", "title", config="english")


def published_articles(query: str = ""):
    """Approved articles, newest review first (the index on the review date); with `query`, the best matches first.

    On PostgreSQL the work is bounded whatever the library's size: a common
    word matches most articles, and ranking every match would cost a pass
    over all of them. So only candidates are ranked: the newest
    `SEARCH_CANDIDATES` matches, and the newest as many that match in the
    question or title, so that the best answers to the question asked are
    always among those ranked, however old (an index on the question and
    title alone finds them, migration 0009). Two small queries find the
    candidates; the count is `published_count`.
    """
    articles = PublishedArticle.objects.only(*LISTED_FIELDS)
    query = query.strip()
    if not query:
        return articles
    if connection.vendor == "postgresql":
        search = SearchQuery(query, search_type="websearch", config="english")
        newest = ("-reviewed_at", "title")
        candidates = set(
            PublishedArticle.objects.filter(search_vector=search)
            .order_by(*newest)
            .values_list("pk", flat=True)[:SEARCH_CANDIDATES]
        )
        candidates |= set(
            PublishedArticle.objects.annotate(heading=HEADING)
            .filter(heading=search)
            .order_by(*newest)
            .values_list("pk", flat=True)[:SEARCH_CANDIDATES]
        )
        return (
            articles.filter(pk__in=candidates)
            .annotate(rank=SearchRank(F("search_vector"), search))
            .order_by("-rank", *newest)
        )
    # Without PostgreSQL: every word must appear somewhere; matches in the question or title rank first.
    matches, in_heading = Q(), Q()
    for word in query.split():
        heading = Q(title__icontains=word) | Q(question__icontains=word)
        matches &= heading | Q(lede__icontains=word) | Q(body__icontains=word)
        in_heading |= heading
    rank = Case(When(in_heading, then=Value(1)), default=Value(0), output_field=IntegerField())
    return articles.filter(matches).annotate(rank=rank).order_by("-rank", "-reviewed_at")


def published_count(query: str = "") -> tuple[int, bool]:
    """How many approved articles match `query`, and whether that is a floor ("more than").

    Counted up to `SEARCH_COUNT_CAP` with a LIMITed subquery, so a common word
    does not cost a count of every match.
    """
    query = query.strip()
    if not query:
        return PublishedArticle.objects.count(), False
    if connection.vendor == "postgresql":
        matches = PublishedArticle.objects.filter(
            search_vector=SearchQuery(query, search_type="websearch", config="english")
        )
    else:
        matches = published_articles(query)
    found = matches.order_by().values("pk")[: SEARCH_COUNT_CAP + 1].count()
    return min(found, SEARCH_COUNT_CAP), found > SEARCH_COUNT_CAP


def board_members():
    return Reviewer.objects.filter(is_active=True).order_by("display_name")


def articles_approved_by(reviewer: Reviewer):
    """The published articles whose live revision this board member certified, in the round that reached quorum."""
    return PublishedArticle.objects.filter(
        revision__sign_offs__reviewer=reviewer,
        revision__sign_offs__decision=SignOff.Decision.APPROVE,
        revision__sign_offs__round=Coalesce(F("article__workflow__certified_round"), 1),
    ).distinct()
