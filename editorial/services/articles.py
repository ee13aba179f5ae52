"""Moves on an article as a whole: submit it for review, withdraw it, hold it, release a hold, restore a version."""

from django.db import transaction

from articles.documents import CLAIM_GRADE_KEYS
from articles.models import Article
from articles.services import ARTICLE_FIELDS, article_sync, article_version_bump
from config.history import acting_as
from editorial import notifications
from editorial.corrections import ChangeType, change_note, change_note_of
from editorial.errors import (
    InvalidTransition,
    NothingToSubmit,
    RestoreRefused,
    StaleRevision,
)
from editorial.models import ArticleWorkflow, Revision
from editorial.revisions import content_hash as hash_of
from editorial.revisions import revision_create, words_hash, working_copy_document
from editorial.selectors import approval_events
from editorial.services.moves import (
    _close_review,
    _open_assignments,
    _transition,
    workflow_check,
    workflow_lock,
)
from editorial.workflow import NOTICE_STATES, Action, State
from jobs.outbox import enqueue_with_commit
from references.models import references_by_id


@transaction.atomic
def article_submit(
    *,
    article: Article,
    user,
    source: str = Revision.Source.EDITOR,
    note: str = "",
    change_type: str = ChangeType.EDITORIAL,
    change_summary: str = "",
) -> Revision:
    """Freeze the working copy, classified as `change_type`, into a new revision and put it in review (Submitted).

    The classification and its public summary (required for a correction or a
    clinical update) are part of the revision, so the board approves what
    readers will be told. Words identical to the revision in review make no
    revision and restart nothing, unless only their classification changed
    while in review; words identical to the live ones never do. A new revision
    replaces the one in review: sign-offs on the old one no longer count.
    """
    workflow = workflow_lock(article.pk)
    workflow_check(Action.SUBMIT, workflow=workflow, user=user)
    change = change_note(change_type, change_summary)
    return _submit_working_copy(Action.SUBMIT, workflow=workflow, user=user, source=source, note=note, change=change)


def _submit_working_copy(
    action: Action, *, workflow: ArticleWorkflow, user, source: str, note: str, change: dict, data=None
):
    """Freeze the working copy with its classification `change` into a new revision in review, as `action`.

    (The step submit and restore share.)
    """
    content = {**working_copy_document(workflow.article), **change}
    current = workflow.current_revision
    if current and workflow.state not in NOTICE_STATES and _nothing_new(workflow, current, content):
        hint = (
            " To have the board confirm it unchanged, a managing editor opens a re-review."
            if workflow.state == State.APPROVED
            else ""
        )
        raise NothingToSubmit(
            f"Nothing has changed since revision {current.number}, which is already "
            f"{workflow.get_state_display().lower()}.{hint}"
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
    workflow.current_revision, workflow.review_round = revision, 1
    _transition(action, workflow=workflow, actor=user, revision=revision, comment=note, data=data, is_public=True)
    reviewers = [a.reviewer for a in _open_assignments(workflow)]
    enqueue_with_commit(lambda: notifications.notify_reviewers_of_revision(revision, reviewers))
    return revision


@transaction.atomic
def article_restore(
    *, article: Article, user, revision: Revision, note: str = "", change_type: str = "", change_summary: str = ""
) -> Revision:
    """Make the words of `revision`, which the board once approved, the working copy and submit them (Submitted).

    Claims keep their uids; a reference merged away since is cited as the one that
    absorbed it. The new revision is noted "Restored from revision N" and the board
    signs it off again: readers see nothing new until then. It is classified as
    `change_type` when one is given, otherwise as `revision` was (so restoring
    unchanged words gives back the very document, and hash, the board approved).
    """
    workflow = workflow_lock(article.pk)
    workflow_check(Action.RESTORE, workflow=workflow, user=user)
    _refuse_not_restorable(workflow, revision)
    change = change_note(change_type, change_summary) if change_type else change_note_of(revision.content)
    data, references = _working_copy_data(workflow.article, revision)
    with acting_as(user):
        article_sync(data=data, references=references)
    # Count it as a new version, so that an editor's page loaded before the restore cannot save over it.
    article_version_bump(article=article)
    comment = f"Restored from revision {revision.number}" + (f": {note.strip()}" if note.strip() else "")
    data = {"restored_from": revision.number}
    return _submit_working_copy(
        Action.RESTORE,
        workflow=workflow,
        user=user,
        source=Revision.Source.EDITOR,
        note=comment,
        change=change,
        data=data,
    )


def _refuse_not_restorable(workflow: ArticleWorkflow, revision: Revision) -> None:
    """Refuse a revision of another article, one that never reached quorum, or one in review and unchanged."""
    title = workflow.article.title
    if revision.article_id != workflow.article_id:
        raise RestoreRefused(f"Revision {revision.number} is not a revision of “{title}”, so it cannot be restored.")
    if not approval_events(workflow.article_id).filter(revision=revision).exists():
        raise RestoreRefused(
            f"Revision {revision.number} of “{title}” was never approved by the board, so it cannot be restored."
        )
    in_review = workflow.current_revision_id == revision.pk and workflow.state not in NOTICE_STATES
    if in_review and _same_words(revision, working_copy_document(workflow.article)):
        raise NothingToSubmit(
            f"Revision {revision.number} is already {workflow.get_state_display().lower()}, "
            "and the working copy has not changed since: there is nothing to restore."
        )


def _working_copy_data(article: Article, revision: Revision) -> tuple[dict, dict]:
    """The revision's document as `article_sync` data, citing the references that stand for its references now.

    A reference deleted since is refused by name: its citation cannot be restored.
    """
    document = revision.content
    standing = references_by_id(reference["id"] for reference in document["references"])
    deleted = [reference for reference in document["references"] if reference["id"] not in standing]
    if deleted:
        names = "; ".join(f"“{reference['title']}” ({reference['year']})" for reference in deleted)
        raise RestoreRefused(
            f"Revision {revision.number} cites references deleted since from the library: {names}. "
            "Add them again and cite them in the working copy instead."
        )
    by_number = {reference["number"]: standing[reference["id"]] for reference in document["references"]}
    sections = [
        {
            "heading": section["heading"],
            "level": section["level"],
            "intro": section["intro"],
            "claims": [
                {
                    "uid": claim["uid"],
                    "lead_in": claim["lead_in"],
                    "text": claim["text"],
                    "plain_text": claim["plain_text"],
                    **{key: claim[key] for key in CLAIM_GRADE_KEYS if key in claim},
                    # Two references merged into one since are cited once.
                    "cites": list(dict.fromkeys(by_number[number].pk for number in claim["citations"])),
                }
                for claim in section["claims"]
            ],
        }
        for section in document["sections"]
    ]
    data = {**{field: document[field] for field in ARTICLE_FIELDS}, "slug": article.slug, "sections": sections}
    return data, {reference.pk: reference for reference in standing.values()}


def _same_words(revision: Revision, content: dict) -> bool:
    return words_hash(revision.content) == words_hash(content)


def _nothing_new(workflow: ArticleWorkflow, current: Revision, content: dict) -> bool:
    """Whether `content` repeats the revision in review: the same words, classified the same way.

    A new classification of the same words is new only while they are in review
    (the board approves what readers are told); live words are not told anew.
    """
    if not _same_words(current, content):
        return False
    return workflow.live_revision_id == current.pk or current.content_hash == hash_of(content)


@transaction.atomic
def article_withdraw(*, article: Article, user, reason: str, public_reason: str) -> None:
    """Pull the approved words from readers for good, with an internal and a public reason (state: Withdrawn).

    The words may be live, held or waiting to go live (a scheduled go-live is
    cancelled). Closes any review. Readers see a notice giving `public_reason`.
    """
    workflow = workflow_lock(article.pk)
    workflow_check(Action.WITHDRAW, workflow=workflow, user=user, comment=reason, public_reason=public_reason)
    withdrawn = workflow.live_revision or workflow.held_revision or workflow.current_revision
    workflow.live_revision, workflow.held_revision, workflow.public_reason = None, None, public_reason.strip()
    workflow.go_live_at = workflow.expires_at = None  # nothing left to put live or to expire
    _close_review(workflow, actor=user)
    data = {"public_reason": workflow.public_reason}
    _transition(
        Action.WITHDRAW, workflow=workflow, actor=user, revision=withdrawn, comment=reason, data=data, is_public=True
    )


@transaction.atomic
def article_hold(*, article: Article, user, revision: Revision | None, reason: str, public_reason: str) -> None:
    """Take `revision`, the live one, from readers at once for safety (state: Held), with two reasons.

    Readers see a notice giving `public_reason`; the article leaves search, the
    feed and the sitemap. Any review is interrupted, and a revision waiting for
    its go-live time will not go live (the event and the email say which: it must
    be submitted again). Once this commits, managing editors and the board
    members reviewing or approving it are emailed.
    """
    workflow = workflow_lock(article.pk)
    workflow_check(Action.HOLD, workflow=workflow, user=user, comment=reason, public_reason=public_reason)
    _refuse_not_live(workflow, revision)
    data = {"public_reason": public_reason.strip()}
    if workflow.is_scheduled:  # safety does not wait: words waiting to go live stay off too
        data["cancelled_go_live"] = {
            "revision": workflow.current_revision.number,
            "go_live_at": workflow.go_live_at.isoformat(),
        }
    workflow.held_revision, workflow.live_revision = workflow.live_revision, None
    workflow.public_reason, workflow.go_live_at = data["public_reason"], None
    board = [assignment.reviewer for assignment in _close_review(workflow, actor=user)]
    event = _transition(
        Action.HOLD, workflow=workflow, actor=user, revision=revision, comment=reason, data=data, is_public=True
    )
    enqueue_with_commit(lambda: notifications.notify_of_hold(event, board))


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
    workflow.public_reason, workflow.review_round = "", workflow.certified_round or 1
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
