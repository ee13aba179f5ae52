"""Moves on an article as a whole: submit it for review, withdraw it, hold it for safety, release a hold."""

from django.db import transaction

from articles.models import Article
from editorial import notifications
from editorial.errors import (
    InvalidTransition,
    NothingToSubmit,
    StaleRevision,
)
from editorial.models import ArticleWorkflow, Revision
from editorial.revisions import content_hash as hash_of
from editorial.revisions import revision_create, working_copy_document
from editorial.services.moves import (
    _after_commit,
    _close_review,
    _open_assignments,
    _transition,
    workflow_check,
    workflow_lock,
)
from editorial.workflow import NOTICE_STATES, Action


@transaction.atomic
def article_submit(*, article: Article, user, source: str = Revision.Source.EDITOR, note: str = "") -> Revision:
    """Freeze the working copy into a new revision and put it in review (state: Submitted).

    A working copy identical to the revision already in review makes no
    revision and restarts nothing. A new revision replaces the one in review:
    sign-offs on the old one no longer count.
    """
    workflow = workflow_lock(article.pk)
    workflow_check(Action.SUBMIT, workflow=workflow, user=user)
    content = working_copy_document(workflow.article)
    current = workflow.current_revision
    if current and workflow.state not in NOTICE_STATES and _same_content(current, content):
        raise NothingToSubmit(
            f"Nothing has changed since revision {current.number}, which is already "
            f"{workflow.get_state_display().lower()}."
        )
    if not any(section["claims"] for section in content["sections"]):
        raise InvalidTransition("Add at least one claim before submitting the article for review.")
    approved = workflow.live_revision or workflow.held_revision  # the last words the board approved
    revision = revision_create(
        article=workflow.article,
        content=content,
        created_by=user,
        source=source,
        contributors_since=approved.created_at if approved else None,
    )
    workflow.current_revision = revision
    _transition(Action.SUBMIT, workflow=workflow, actor=user, revision=revision, comment=note, is_public=True)
    reviewers = [a.reviewer for a in _open_assignments(workflow)]
    _after_commit(lambda: notifications.notify_reviewers_of_revision(revision, reviewers))
    return revision


def _same_content(revision: Revision, content: dict) -> bool:
    return revision.content_hash == hash_of(content)


@transaction.atomic
def article_withdraw(*, article: Article, user, reason: str, public_reason: str) -> None:
    """Pull the approved words from readers for good, with an internal and a public reason (state: Withdrawn).

    The words may be live or held. Closes any review. Readers see a notice giving `public_reason`.
    """
    workflow = workflow_lock(article.pk)
    workflow_check(Action.WITHDRAW, workflow=workflow, user=user, comment=reason, public_reason=public_reason)
    withdrawn = workflow.live_revision or workflow.held_revision
    workflow.live_revision, workflow.held_revision, workflow.public_reason = None, None, public_reason.strip()
    _close_review(workflow, actor=user)
    data = {"public_reason": workflow.public_reason}
    _transition(
        Action.WITHDRAW, workflow=workflow, actor=user, revision=withdrawn, comment=reason, data=data, is_public=True
    )


@transaction.atomic
def article_hold(*, article: Article, user, revision: Revision | None, reason: str, public_reason: str) -> None:
    """Take `revision`, the live one, from readers at once for safety (state: Held), with two reasons.

    Readers see a notice giving `public_reason`; the article leaves search, the
    feed and the sitemap. Any review is interrupted. Once this commits,
    managing editors and the board members reviewing or approving it are emailed.
    """
    workflow = workflow_lock(article.pk)
    workflow_check(Action.HOLD, workflow=workflow, user=user, comment=reason, public_reason=public_reason)
    _refuse_not_live(workflow, revision)
    workflow.held_revision, workflow.live_revision = workflow.live_revision, None
    workflow.public_reason = public_reason.strip()
    board = [assignment.reviewer for assignment in _close_review(workflow, actor=user)]
    data = {"public_reason": workflow.public_reason}
    event = _transition(
        Action.HOLD, workflow=workflow, actor=user, revision=revision, comment=reason, data=data, is_public=True
    )
    _after_commit(lambda: notifications.notify_of_hold(event, board))


@transaction.atomic
def article_release(*, article: Article, user, reason: str) -> Revision:
    """Show the held revision to readers again, with a reason (state: Approved).

    It becomes the revision in review too: a newer revision whose review the
    hold interrupted must be submitted again. To keep the hold until a
    corrected revision is approved instead, submit the correction and do not release.
    """
    workflow = workflow_lock(article.pk)
    workflow_check(Action.RELEASE, workflow=workflow, user=user, comment=reason)
    restored = workflow.held_revision
    workflow.live_revision, workflow.current_revision, workflow.held_revision = restored, restored, None
    workflow.public_reason = ""
    _transition(Action.RELEASE, workflow=workflow, actor=user, revision=restored, comment=reason, is_public=True)
    return restored


def _refuse_not_live(workflow: ArticleWorkflow, revision: Revision | None) -> None:
    """Refuse to act on words readers no longer see (somebody approved newer words meanwhile)."""
    if revision is None or workflow.live_revision_id != revision.pk:
        live = workflow.live_revision
        seen = f"Revision {revision.number} is" if revision is not None else "The words you read are"
        raise StaleRevision(
            f"{seen} no longer the one readers see: revision {live.number} was approved meanwhile. "
            "Nothing was recorded; read the live revision and hold it if it needs holding."
        )
