"""Moves over an approved article's life: re-review it unchanged, schedule it, and the schedule's own moves.

A re-review (re-certification) asks the board to confirm the live words as
they are: the same revision and hash, a new review round. The schedule is set
by a managing editor; when its time comes the periodic job (`editorial.tasks`)
makes its moves in that editor's name, as `THE_SCHEDULE`, which no person can
act as.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone

from articles.models import Article
from editorial import notifications
from editorial.errors import InvalidTransition, ScheduleRefused
from editorial.models import MAX_REVIEW_INTERVAL_MONTHS, ArticleWorkflow, Revision, SignOff
from editorial.rules import THE_SCHEDULE
from editorial.services.moves import _close_review, _transition, workflow_check, workflow_lock
from editorial.services.reviews import make_live, scheduled_approval
from editorial.workflow import EXPIRED_PUBLIC_REASON, GO_LIVE_STATES, Action
from jobs.outbox import enqueue_with_commit


@transaction.atomic
def article_rereview(*, article: Article, user, note: str = "") -> Revision:
    """Put the live revision, unchanged, back in review as a new round (state: Submitted).

    No new revision is made: the board signs the same words and hash again.
    Readers keep the live words meanwhile. At quorum "last reviewed" and
    "next review due" move and "last updated" does not.
    """
    workflow = workflow_lock(article.pk)
    workflow_check(Action.REREVIEW, workflow=workflow, user=user)
    live = workflow.live_revision
    signed_rounds = SignOff.objects.filter(revision=live).aggregate(last=Max("round"))["last"] or 0
    workflow.review_round = max(signed_rounds, workflow.certified_round or 1) + 1
    _transition(
        Action.REREVIEW,
        workflow=workflow,
        actor=user,
        revision=live,
        comment=note.strip(),
        data={"round": workflow.review_round},
    )
    return live


@transaction.atomic
def article_schedule(
    *,
    article: Article,
    user,
    go_live_at: datetime | None,
    expires_at: datetime | None,
    review_interval_months: int | None,
    note: str = "",
) -> ArticleWorkflow:
    """Set when the revision in review goes live, when the live words expire, and the months between reviews.

    Each value replaces the one before; empty clears it (the interval falls back
    to the site default). Refuses times in the past, an expiry before the go-live
    time, and a go-live time with no new words to put live. A changed interval
    moves "next review due" from the last review.
    """
    workflow = workflow_lock(article.pk)
    workflow_check(Action.SCHEDULE, workflow=workflow, user=user)
    _refuse_bad_schedule(workflow, go_live_at=go_live_at, expires_at=expires_at, months=review_interval_months)
    workflow.go_live_at, workflow.expires_at = go_live_at, expires_at
    workflow.review_interval_months = review_interval_months
    if workflow.approved_at is not None:
        workflow.next_review_due = workflow.review_due_after(workflow.approved_at)
    workflow.scheduled_by = user
    data = {
        "go_live_at": go_live_at.isoformat() if go_live_at else None,
        "expires_at": expires_at.isoformat() if expires_at else None,
        "review_interval_months": review_interval_months,
        "next_review_due": workflow.next_review_due.isoformat() if workflow.next_review_due else None,
    }
    _transition(
        Action.SCHEDULE,
        workflow=workflow,
        actor=user,
        revision=workflow.current_revision,
        comment=note.strip(),
        data=data,
        is_public=True,
    )
    return workflow


def _refuse_bad_schedule(workflow: ArticleWorkflow, *, go_live_at, expires_at, months) -> None:
    now = timezone.now()
    title = workflow.article.title
    if go_live_at is not None and go_live_at <= now:
        raise ScheduleRefused(f"The go-live time {_when(go_live_at)} has passed: choose a time still to come.")
    if expires_at is not None and expires_at <= now:
        raise ScheduleRefused(f"The expiry {_when(expires_at)} has passed: choose a time still to come.")
    if go_live_at is not None and expires_at is not None and expires_at <= go_live_at:
        raise ScheduleRefused(
            f"The expiry {_when(expires_at)} comes before the go-live time {_when(go_live_at)}: "
            "the words would expire before readers saw them."
        )
    if go_live_at is not None and (workflow.state not in GO_LIVE_STATES or workflow.is_rereview):
        raise ScheduleRefused(
            f"“{title}” has no new words waiting to go live: a go-live time applies to a revision in review "
            "or approved and waiting. Submit the new words first."
        )
    if go_live_at is None and workflow.is_scheduled:
        raise ScheduleRefused(
            f"Revision {workflow.current_revision.number} is approved and waits for its go-live time: "
            "set another time, or hold or withdraw it."
        )
    if months is not None and not 1 <= months <= MAX_REVIEW_INTERVAL_MONTHS:
        raise ScheduleRefused(f"A review interval runs from 1 to {MAX_REVIEW_INTERVAL_MONTHS} months; {months} is not.")


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@transaction.atomic
def article_go_live(*, article: Article, now: datetime | None = None) -> Revision:
    """Put the approved revision waiting for its go-live time live, once that time has come (state: Approved).

    Made by the schedule, in the name of the managing editor who set it. Readers
    see the revision as reviewed when the board approved it, not when it went live.
    """
    now = now or timezone.now()
    workflow = workflow_lock(article.pk)
    workflow_check(Action.GO_LIVE, workflow=workflow, user=THE_SCHEDULE)
    if workflow.go_live_at > now:
        raise InvalidTransition(f"“{workflow.article.title}” goes live at {_when(workflow.go_live_at)}, not before.")
    revision, go_live_at, approval = workflow.current_revision, workflow.go_live_at, scheduled_approval(workflow)
    make_live(workflow, revision, reviewed_at=approval.created_at, actor=workflow.scheduled_by, approver=approval.actor)
    _transition(
        Action.GO_LIVE,
        workflow=workflow,
        actor=workflow.scheduled_by,
        revision=revision,
        comment=f"Went live as scheduled for {_when(go_live_at)}.",
        data={"by_schedule": True, "go_live_at": go_live_at.isoformat()},
        is_public=True,
    )
    return revision


@transaction.atomic
def article_expire(*, article: Article, now: datetime | None = None) -> None:
    """Take the live words from readers once the article's expiry has come (state: Withdrawn).

    Made by the schedule, in the name of the managing editor who set it. Readers
    see a notice saying the answer awaits the board's review; editors bring it
    back by submitting it (unchanged, if it still stands) or restoring a version.
    """
    now = now or timezone.now()
    workflow = workflow_lock(article.pk)
    workflow_check(Action.EXPIRE, workflow=workflow, user=THE_SCHEDULE)
    if workflow.expires_at is None or workflow.expires_at > now:
        raise InvalidTransition(f"“{workflow.article.title}” has no expiry due now.")
    expired, expires_at = workflow.live_revision, workflow.expires_at
    workflow.live_revision, workflow.public_reason = None, EXPIRED_PUBLIC_REASON
    workflow.go_live_at = workflow.expires_at = None
    board = [assignment.reviewer for assignment in _close_review(workflow, actor=workflow.scheduled_by)]
    event = _transition(
        Action.EXPIRE,
        workflow=workflow,
        actor=workflow.scheduled_by,
        revision=expired,
        comment=f"Expired as scheduled for {_when(expires_at)}.",
        data={"by_schedule": True, "expires_at": expires_at.isoformat(), "public_reason": EXPIRED_PUBLIC_REASON},
        is_public=True,
    )
    enqueue_with_commit(lambda: notifications.notify_of_expiry(event, board))
