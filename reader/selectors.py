"""What a reader may see, read in a fixed, small number of queries."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.http import Http404

from editorial.models import ArticleWorkflow, Reviewer, Revision, SignOff
from editorial.workflow import PUBLIC_STEPS, State
from reader.models import EditorialPage, PublishedArticle

# Where each state stands on the public three-step stepper.
STEP_OF_STATE = {
    State.SUBMITTED: State.SUBMITTED,
    State.UNDER_REVIEW: State.UNDER_REVIEW,
    State.CHANGES_REQUESTED: State.UNDER_REVIEW,
    State.APPROVED: State.APPROVED,
}


@dataclass
class ArticlePage:
    """Everything the article page shows, from one revision."""

    slug: str
    revision: Revision | None
    state: str
    is_live: bool
    is_pending: bool = False
    is_withdrawn: bool = False
    has_update_in_review: bool = False
    reviewers: list[Reviewer] = field(default_factory=list)
    reviewed_at: datetime | None = None
    next_review_due: date | None = None

    @property
    def content_updated_at(self) -> datetime | None:
        return self.revision.created_at if self.revision else None

    @property
    def steps(self) -> list[dict]:
        current = State.APPROVED if self.is_live else STEP_OF_STATE.get(self.state, State.SUBMITTED)
        position = PUBLIC_STEPS.index(current)
        return [
            {
                "label": step.label,
                "is_done": index < position or (index == position and self.is_live),
                "is_current": index == position,
            }
            for index, step in enumerate(PUBLIC_STEPS)
        ]


def article_page(slug: str) -> ArticlePage:
    """Return what readers may see of the article `slug`, or raise Http404 (two queries)."""
    workflow = (
        ArticleWorkflow.objects.select_related("article", "live_revision", "current_revision")
        .filter(article__slug=slug)
        .first()
    )
    if workflow is None:
        raise Http404("No such article.")
    if workflow.live_revision is not None:
        revision = workflow.live_revision
        return ArticlePage(
            slug=slug,
            revision=revision,
            state=workflow.state,
            is_live=True,
            has_update_in_review=workflow.current_revision_id != revision.pk,
            reviewers=approving_reviewers(revision),
            reviewed_at=workflow.approved_at,
            next_review_due=workflow.next_review_due,
        )
    if workflow.state == State.WITHDRAWN:
        return ArticlePage(slug=slug, revision=None, state=workflow.state, is_live=False, is_withdrawn=True)
    policy = workflow.article.pending_display or settings.READER_PENDING_POLICY
    if policy == "caution" and workflow.current_revision is not None:
        return ArticlePage(
            slug=slug, revision=workflow.current_revision, state=workflow.state, is_live=False, is_pending=True
        )
    raise Http404("This article has not been approved yet.")


def approving_reviewers(revision: Revision) -> list[Reviewer]:
    sign_offs = SignOff.objects.filter(revision=revision, decision=SignOff.Decision.APPROVE).select_related("reviewer")
    return [sign_off.reviewer for sign_off in sign_offs.order_by("created_at")]


def editorial_page(slug: str) -> EditorialPage | None:
    return EditorialPage.objects.filter(slug=slug).first()


def published_articles(query: str = ""):
    """Approved articles, newest review first; with `query`, the best matches first."""
    articles = PublishedArticle.objects.all()
    query = query.strip()
    if not query:
        return articles
    if connection.vendor == "postgresql":
        search = SearchQuery(query, search_type="websearch", config="english")
        return (
            articles.filter(search_vector=search)
            .annotate(rank=SearchRank(F("search_vector"), search))
            .order_by("-rank", "-reviewed_at")
        )
    # Without PostgreSQL: every word must appear somewhere; matches in the question or title rank first.
    matches, in_heading = Q(), Q()
    for word in query.split():
        heading = Q(title__icontains=word) | Q(question__icontains=word)
        matches &= heading | Q(lede__icontains=word) | Q(body__icontains=word)
        in_heading |= heading
    rank = Case(When(in_heading, then=Value(1)), default=Value(0), output_field=IntegerField())
    return articles.filter(matches).annotate(rank=rank).order_by("-rank", "-reviewed_at")


def board_members():
    return Reviewer.objects.filter(is_active=True).order_by("display_name")


def articles_approved_by(reviewer: Reviewer):
    """The published articles whose live revision this board member approved."""
    return PublishedArticle.objects.filter(
        revision__sign_offs__reviewer=reviewer, revision__sign_offs__decision=SignOff.Decision.APPROVE
    ).distinct()
