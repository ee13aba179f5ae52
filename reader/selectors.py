"""What a reader may see, read in a fixed, small number of queries."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from editorial.corrections import ANNOUNCED, ChangeType, change_label
from editorial.models import ArticleWorkflow, AuditEvent, Reviewer, Revision, SignOff
from editorial.workflow import (
    EXPIRED_PUBLIC_REASON,
    PENDING_STATES,
    PUBLIC_STEP_OF_STATE,
    PUBLIC_STEPS,
    Action,
    State,
)
from reader import cache as page_cache
from reader.models import PublishedArticle


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
    correction: "PublicChange | None" = None  # the newest correction the board approved and readers saw live
    is_correction_noticed: bool = False  # noticed at the top of the live page (for READER_CORRECTION_NOTICE_DAYS)

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
    A withdrawal notice keeps the slug asked for. The newest correction comes
    with the workflow, in the same query.
    """
    newest = newest_correction_events(OuterRef("article_id"))
    workflow = (
        ArticleWorkflow.objects.select_related("article", "live_revision", "current_revision")
        .filter(article__public_slugs__slug=slug)
        .annotate(
            correction_at=Subquery(newest.values("created_at")[:1]),
            correction_number=Subquery(newest.values("revision__number")[:1]),
            correction_summary=Subquery(newest.values("summary")[:1]),
        )
        .first()
    )
    page = reader_view(workflow) if workflow is not None else None
    if page is None:
        raise Http404("No such article.")
    if page.is_notice:
        page.slug = slug
    elif page.is_live and page.slug == slug:  # an older slug only redirects
        page.reviewers = certifying_reviewers(workflow)
        if workflow.correction_at is not None:
            correction = PublicChange(
                workflow.article_id,
                workflow.correction_number,
                workflow.correction_at,
                ChangeType.CORRECTION,
                workflow.correction_summary or "",
            )
            _notice_correction(page, correction, today=timezone.localdate())
    return page


def _notice_correction(page: ArticlePage, correction: "PublicChange", *, today: date) -> None:
    """Give the live page its newest correction, noticed at the top until its last day, and no longer.

    The page stops reading the same the day after that last day, so a cached
    page loses the notice on the day it should with no move to purge it (see
    `reader.cache`), as "Review overdue since" appears.
    """
    page.correction = correction
    last_day = correction.notice_last_day()
    page.is_correction_noticed = last_day >= today
    if page.is_correction_noticed and (page.reads_the_same_until is None or last_day < page.reads_the_same_until):
        page.reads_the_same_until = last_day


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


# What a listing shows of an article: never the body or the search vector, the bulk of each row.
LISTED_FIELDS = ("slug", "question", "title", "lede", "specialty", "reviewed_at", "content_updated_at")
# Search ranks at most this many of the newest matches, and as many of the newest matching a question or title.
# Ranking reads each candidate's whole search vector: at 100,000 articles of twenty claims, 500 + 500 candidates
# of a common word took 55 ms (p95) to rank; 200 + 200 take 36 ms, against 29 ms for a library of 100.
SEARCH_CANDIDATES = 200
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
    if not query:  # the whole library, counted once per move that changes it (cached until the next purge)
        count = page_cache.listing_get("count")
        if count is None:
            count = PublishedArticle.objects.count()
            page_cache.listing_set("count", count)
        return count, False
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


# What readers are told of each change (see `editorial.corrections`)


@dataclass(frozen=True)
class PublicChange:
    """A revision readers saw live, from the day it went live, with the kind and summary the board approved."""

    article_id: int
    number: int  # the revision's
    went_live_at: datetime
    change_type: str  # empty for a revision frozen before submissions were classified
    summary: str

    @property
    def label(self) -> str:
        return change_label(self.change_type)

    @property
    def is_correction(self) -> bool:
        return self.change_type == ChangeType.CORRECTION

    @property
    def is_announced(self) -> bool:
        return self.change_type in ANNOUNCED

    @property
    def anchor(self) -> str:
        return f"revision-{self.number}"

    def notice_last_day(self) -> date:
        """The last local day a correction is noticed at the top of its page (`READER_CORRECTION_NOTICE_DAYS`)."""
        return timezone.localdate(self.went_live_at) + timedelta(days=settings.READER_CORRECTION_NOTICE_DAYS - 1)


def went_live_events():
    """The audit events that first put a revision live: an approval straight to readers, or a scheduled go-live.

    A re-review's approval, a release, or a hold's end puts no new words live,
    so a revision counts once, from its first. Never a revision only submitted,
    nor one approved and replaced before its go-live time.
    """
    went_live = Q(action=Action.APPROVE, to_state=State.APPROVED) | Q(action=Action.GO_LIVE)
    earlier = AuditEvent.objects.filter(went_live, revision=OuterRef("revision"), created_at__lt=OuterRef("created_at"))
    return (
        AuditEvent.objects.filter(went_live, revision__isnull=False)
        .exclude(Exists(earlier))
        .annotate(
            change_type=KeyTextTransform("change_type", "revision__content"),
            summary=KeyTextTransform("change_summary", "revision__content"),
        )
    )


def newest_correction_events(article_id):
    """The events that put the article's corrections live, newest first (`article_id` may be an `OuterRef`)."""
    return (
        went_live_events()
        .filter(article_id=article_id, revision__content__change_type=ChangeType.CORRECTION)
        .order_by("-created_at", "-id")
    )


def _public_changes(events) -> list[PublicChange]:
    rows = events.values_list("article_id", "revision__number", "created_at", "change_type", "summary")
    return [
        PublicChange(article_id, number, when, change_type or "", summary or "")
        for article_id, number, when, change_type, summary in rows
    ]


def public_changes(article_id: int) -> list[PublicChange]:
    """Every revision of the article readers saw live, newest first, with what they are told of it (one query).

    Only the board's approval puts a summary here: a pending revision's never reaches readers.
    """
    return _public_changes(went_live_events().filter(article_id=article_id).order_by("-created_at", "-id"))


def announced_changes(limit: int) -> list[PublicChange]:
    """The newest corrections and clinical updates of the articles live now, newest first (one query)."""
    announced = Q()
    for change_type in ANNOUNCED:  # one exact match each: `__in` on a JSON key differs between databases
        announced |= Q(revision__content__change_type=change_type)
    events = went_live_events().filter(announced, article_id__in=PublishedArticle.objects.values("article_id"))
    return _public_changes(events.order_by("-created_at", "-id")[:limit])
