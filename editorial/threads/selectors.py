"""Reads about review threads, and the editors' inbox: each in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q

from articles.models import Article
from editorial.models import ArticleWorkflow, ReviewThread, Revision, ThreadMessage
from editorial.workflow import State

RECENTLY_APPROVED_DAYS = 30


@dataclass
class ThreadView:
    """A thread as a page shows it: its messages, and its claim as the newest revision words it now."""

    thread: ReviewThread
    messages: list
    latest: Revision | None  # the article's newest revision
    claim_now: dict | None  # the claim in the newest revision; None when it is gone (or the thread is not on a claim)
    claim_number: str = ""  # "Dosing · claim 2" in the newest revision

    @property
    def is_claim_gone(self) -> bool:
        """Whether the thread's claim is not in the article's newest revision any more."""
        return self.thread.is_about_a_claim and self.claim_now is None

    @property
    def words_now(self) -> str:
        claim = self.claim_now or {}
        return f"{claim['lead_in']}: {claim['text']}" if claim.get("lead_in") else claim.get("text", "")

    @property
    def has_changed_words(self) -> bool:
        """Whether the newest revision words the claim otherwise than the revision the thread was opened on."""
        return self.claim_now is not None and self.words_now != self.thread.quote

    @property
    def last_message_id(self) -> int | None:
        return self.messages[-1].pk if self.messages else None


@dataclass
class ArticleThreads:
    """Every thread of an article: about the article as a whole, and claim by claim."""

    latest: Revision | None
    about_article: list = field(default_factory=list)
    by_claim: dict = field(default_factory=dict)  # {uid: [ThreadView]} in the order of the newest revision
    on_gone_claims: list = field(default_factory=list)  # threads whose claim the newest revision no longer has

    @property
    def all(self) -> list[ThreadView]:
        return [
            *self.about_article,
            *(view for views in self.by_claim.values() for view in views),
            *self.on_gone_claims,
        ]

    @property
    def open_count(self) -> int:
        return sum(1 for view in self.all if not view.thread.is_resolved)


def article_threads(article: Article) -> ArticleThreads:
    """Read the article's threads with their messages, each claim found by uid in the newest revision (four queries)."""
    numbers = dict(Revision.objects.filter(article=article).values_list("pk", "number"))
    latest = Revision.objects.filter(article=article).order_by("-number").first()
    claims = {}
    if latest is not None:
        for section in latest.content["sections"]:
            for position, claim in enumerate(section["claims"], start=1):
                claims[claim["uid"]] = (claim, f"{section['heading']} · claim {position}")
    messages = Prefetch(
        "messages", queryset=ThreadMessage.objects.select_related("author", "expert_link").order_by("created_at", "id")
    )
    threads = ReviewThread.objects.filter(article=article).select_related("resolved_by", "opened_by")
    result = ArticleThreads(latest=latest, by_claim={uid: [] for uid in claims})
    for thread in threads.prefetch_related(messages).order_by("opened_at", "id"):
        thread.opened_on_number = numbers.get(thread.opened_on_id)
        thread.resolved_in_number = numbers.get(thread.resolved_in_id)
        for message in thread.messages.all():
            message.read_number = numbers.get(message.read_revision_id)
        claim, number = claims.get(str(thread.claim_uid), (None, "")) if thread.claim_uid else (None, "")
        view = ThreadView(thread, list(thread.messages.all()), latest, claim, number)
        if not thread.is_about_a_claim:
            result.about_article.append(view)
        elif claim is None:
            result.on_gone_claims.append(view)
        else:
            result.by_claim[str(thread.claim_uid)].append(view)
    result.by_claim = {uid: views for uid, views in result.by_claim.items() if views}
    return result


def thread_counts_by_claim(article: Article) -> dict:
    """{claim uid (str) or None for the article: (open, resolved)} of the article's threads (one query)."""
    rows = (
        ReviewThread.objects.filter(article=article)
        .values("claim_uid")
        .annotate(
            open=Count("pk", filter=Q(resolved_at__isnull=True)),
            resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
        )
    )
    return {(str(row["claim_uid"]) if row["claim_uid"] else None): (row["open"], row["resolved"]) for row in rows}


def claim_choices(revision: Revision) -> list[tuple[str, str]]:
    """(uid, label) of each claim of `revision`, for a form's choice of claim."""
    choices = []
    for section in revision.content["sections"]:
        for position, claim in enumerate(section["claims"], start=1):
            label = f"{section['heading']} · claim {position}: {claim['lead_in'] or claim['text'][:60]}"
            choices.append((claim["uid"], label))
    return choices


# The editors' inbox.


def editors_inbox(user, *, today: date) -> dict:
    """What awaits editors: changes requested (with open threads), their drafts, reviews, approvals, schedules.

    Five queries, whatever the number of articles.
    """
    workflows = ArticleWorkflow.objects.select_related("article", "current_revision", "live_revision")
    unresolved = Count("article__review_threads", filter=Q(article__review_threads__resolved_at__isnull=True))
    changes_requested = (
        workflows.filter(state=State.CHANGES_REQUESTED).annotate(unresolved_threads=unresolved).order_by("updated_at")
    )
    mine = Article.history.filter(history_user=user).values("id")
    drafts = (
        Article.objects.filter(pk__in=mine)
        .filter(Q(workflow__isnull=True) | Q(workflow__state=State.DRAFT))
        .order_by("-updated_at")
    )
    in_review = workflows.filter(state__in=[State.SUBMITTED, State.UNDER_REVIEW]).order_by("updated_at")
    since = today - timedelta(days=RECENTLY_APPROVED_DAYS)
    approved = workflows.filter(state=State.APPROVED, approved_at__date__gte=since).order_by("-approved_at")
    scheduled = workflows.scheduled().order_by("go_live_at")
    return {
        "changes_requested": list(changes_requested),
        "my_drafts": list(drafts[:50]),
        "in_review": list(in_review),
        "approved_recently": list(approved),
        "scheduled": list(scheduled),
        "recent_days": RECENTLY_APPROVED_DAYS,
    }
