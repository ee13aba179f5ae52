"""Every workflow move, as one function each.

Admin actions, the review desk and management commands all call these. Each
runs in one transaction with the article's row locked, checks who (raising
`PermissionDenied`) and then when (raising an `editorial.errors.WorkflowError`),
writes exactly one audit event, and sends email only once the transaction
commits.
"""

from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from config.history import acting_as
from editorial import notifications
from editorial.errors import (
    AlreadySignedOff,
    ApprovalBlocked,
    AssignmentRefused,
    InvalidTransition,
    NothingToSubmit,
    ReasonRequired,
    StaleRevision,
)
from editorial.gates import approval_blockers
from editorial.models import ArticleWorkflow, AuditEvent, ClaimNote, ReviewAssignment, Reviewer, Revision, SignOff
from editorial.revisions import content_hash as hash_of
from editorial.revisions import revision_create, working_copy_document
from editorial.rules import active_reviewer, holds_any_role
from editorial.signals import public_status_changed
from editorial.workflow import NOTICE_STATES, TRANSITIONS, Action, refusal_message

WORKFLOW_FIELDS = (
    "state",
    "current_revision_id",
    "live_revision_id",
    "held_revision_id",
    "public_reason",
    "quorum",
    "approved_at",
    "next_review_due",
)


def workflow_lock(article_id: int) -> ArticleWorkflow:
    """Lock the article's row (the one lock every move on it takes) and return its workflow.

    An article never submitted has no workflow row yet: it gets an unsaved one
    (a draft), which only a submission saves, so a refused move writes nothing.
    """
    Article.objects.select_for_update().get(pk=article_id)
    workflow = ArticleWorkflow.objects.select_for_update().filter(article_id=article_id).first()
    workflow = workflow or ArticleWorkflow(article_id=article_id)
    workflow._locked_values = _values_of(workflow)
    return workflow


def _values_of(workflow: ArticleWorkflow) -> tuple:
    return tuple(getattr(workflow, field) for field in WORKFLOW_FIELDS)


def workflow_check(action: Action, *, workflow: ArticleWorkflow, user, comment: str = "", public_reason: str = ""):
    """Refuse `action` unless `user` may take it (403), the workflow can take it now (409), with its reasons given."""
    move = TRANSITIONS[action]
    if not holds_any_role(user, move.actors, workflow.article):
        actors = " or ".join(sorted(role.label for role in move.actors))
        raise PermissionDenied(f"Only {actors} can {action.label.lower()}.")
    if not move.is_possible(workflow.state, has_live_revision=workflow.is_live):
        raise InvalidTransition(refusal_message(action, title=workflow.article.title, state=workflow.state))
    if move.needs_reason and not comment.strip():
        raise ReasonRequired(f"Say why: a reason is required to {action.label.lower()}.")
    if move.needs_public_reason and not public_reason.strip():
        raise ReasonRequired(f"Say why in words for readers: a public reason is required to {action.label.lower()}.")


def _transition(
    action, *, workflow, actor, revision=None, comment="", data=None, reached=True, is_public=False
) -> AuditEvent:
    """Apply `TRANSITIONS[action]` to the locked workflow: its target, then validate, save and record.

    The service has already checked the move and set what else it changes; the
    state goes to the move's target (none: unchanged; `reached` False: an
    approval below quorum). The row is saved only if something changed (each
    save writes a history row); `is_public` moves then tell the reader
    (`public_status_changed`, which may refuse); the one audit event comes last.
    """
    move = TRANSITIONS[action]
    from_state = workflow.state
    if move.target is not None and reached:
        workflow.state = move.target
    if workflow._state.adding or _values_of(workflow) != workflow._locked_values:
        with acting_as(actor):
            workflow.full_clean()
            workflow.save()
        workflow._locked_values = _values_of(workflow)
    if is_public:
        public_status_changed.send(sender=ArticleWorkflow, article_id=workflow.article_id)
    return _record(
        action, workflow=workflow, actor=actor, from_state=from_state, revision=revision, comment=comment, data=data
    )


def _close_review(workflow: ArticleWorkflow, *, actor) -> list[ReviewAssignment]:
    """Close every open assignment of the article, row by row so that each closing is in its history."""
    closed = _open_assignments(workflow)
    now = timezone.now()
    with acting_as(actor):
        for assignment in closed:
            assignment.is_open, assignment.closed_at = False, now
            assignment.save(update_fields=["is_open", "closed_at"])
    return closed


def _after_commit(side_effect) -> None:
    """Run `side_effect` (an email) once the move commits; if it fails, log it and carry on.

    The move is recorded by then: a failing mail server must not turn it into an error page.
    """
    transaction.on_commit(side_effect, robust=True)


def _record(action, *, workflow, actor, from_state, revision=None, comment="", data=None) -> AuditEvent:
    """Write the move's one audit event."""
    return AuditEvent.objects.create(
        article_id=workflow.article_id,
        action=action,
        actor=actor,
        from_state=from_state,
        to_state=workflow.state,
        revision=revision,
        comment=comment,
        data=data or {},
    )


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


def _open_assignments(workflow: ArticleWorkflow):
    return list(
        ReviewAssignment.objects.filter(article_id=workflow.article_id, is_open=True).select_related("reviewer__user")
    )


@transaction.atomic
def review_assign(
    *,
    article: Article,
    assigned_by,
    reviewers: Iterable[Reviewer],
    due_date: date | None = None,
    quorum: int | None = None,
) -> list[ReviewAssignment]:
    """Ask board members to review the article, optionally by a date and with a quorum.

    Refuses inactive members and anyone who wrote or edited the revision in
    review. Members already assigned keep their assignment (its due date is
    updated).
    """
    workflow = workflow_lock(article.pk)
    workflow_check(Action.ASSIGN, workflow=workflow, user=assigned_by)
    reviewers = list(dict.fromkeys(reviewers))  # naming a member twice assigns them once
    authors = set(workflow.current_revision.contributors.values_list("pk", flat=True))
    for reviewer in reviewers:
        if not reviewer.is_active:
            raise AssignmentRefused(f"{reviewer} is no longer an active board member.")
        if reviewer.user_id in authors:
            raise AssignmentRefused(f"{reviewer} wrote or edited this revision and cannot review it.")
    existing = {a.reviewer_id: a for a in _open_assignments(workflow)}
    added = []
    for reviewer in reviewers:
        assignment = existing.get(reviewer.pk)
        if assignment is None:
            assignment = ReviewAssignment(article_id=article.pk, reviewer=reviewer, assigned_by=assigned_by)
            added.append(assignment)
        elif assignment.due_date == due_date:
            continue
        assignment.due_date = due_date
        assignment.full_clean()
        assignment.save()
    required = quorum or workflow.required_approvals
    open_count = len(existing.keys() | {reviewer.pk for reviewer in reviewers})
    if required > open_count:
        raise AssignmentRefused(
            f"A quorum of {required} approvals needs at least {required} assigned board members; "
            f"{open_count} {'is' if open_count == 1 else 'are'} assigned."
        )
    workflow.quorum = quorum if quorum is not None else workflow.quorum
    _transition(
        Action.ASSIGN,
        workflow=workflow,
        actor=assigned_by,
        revision=workflow.current_revision,
        data={
            "reviewers": [reviewer.pk for reviewer in reviewers],
            "due_date": due_date.isoformat() if due_date else None,
            "quorum": workflow.required_approvals,
        },
    )
    _after_commit(lambda: notifications.notify_reviewers_of_assignment(workflow.article, added))
    return added


@transaction.atomic
def review_start(*, article: Article, user) -> ReviewAssignment:
    """Record that an assigned board member has started reviewing the current revision (state: Under Review)."""
    workflow = workflow_lock(article.pk)
    _reviewing_member(Action.START_REVIEW, workflow=workflow, user=user, revision=workflow.current_revision)
    workflow_check(Action.START_REVIEW, workflow=workflow, user=user)
    assignment = ReviewAssignment.objects.get(article_id=article.pk, reviewer__user=user, is_open=True)
    assignment.started_revision = workflow.current_revision
    with acting_as(user):
        assignment.save()
    _transition(Action.START_REVIEW, workflow=workflow, actor=user, revision=workflow.current_revision)
    return assignment


@transaction.atomic
def review_approve(
    *,
    revision: Revision,
    user,
    content_hash: str,
    checklist: dict,
    conflict: str = SignOff.Conflict.NONE,
    conflict_disclosure: str = "",
    comment: str = "",
    claim_notes: Iterable[dict] = (),
) -> SignOff:
    """Approve exactly the words of `revision`, whose hash the reviewer read as `content_hash`.

    When approvals on this revision reach the quorum, it becomes the live
    revision readers see (state: Approved) and the review cycle closes.
    """
    workflow = workflow_lock(revision.article_id)
    reviewer = _reviewing_member(Action.APPROVE, workflow=workflow, user=user, revision=revision)
    _refuse_stale(workflow, revision, content_hash)
    workflow_check(Action.APPROVE, workflow=workflow, user=user)
    _refuse_second_sign_off(revision, user)
    blockers = approval_blockers(revision, checklist)
    if blockers:
        raise ApprovalBlocked(blockers)
    sign_off = _sign(
        revision,
        reviewer,
        decision=SignOff.Decision.APPROVE,
        comment=comment,
        conflict=conflict,
        conflict_disclosure=conflict_disclosure,
        checklist=checklist,
        claim_notes=claim_notes,
    )
    approvals = approval_count(revision)
    reached_quorum = approvals >= workflow.required_approvals
    if reached_quorum:
        _make_live(workflow, revision, actor=user)
    data = {"sign_off": sign_off.pk, "approvals": approvals, "quorum": workflow.required_approvals}
    _transition(
        Action.APPROVE,
        workflow=workflow,
        actor=user,
        revision=revision,
        comment=comment,
        data=data,
        reached=reached_quorum,
        is_public=reached_quorum,
    )
    if reached_quorum:
        _after_commit(lambda: notifications.notify_editors_of_decision(sign_off, approved=True))
    return sign_off


def _make_live(workflow: ArticleWorkflow, revision: Revision, *, actor) -> None:
    """Show `revision` to readers from now on (ending any hold), and close the review cycle."""
    now = timezone.now()
    workflow.live_revision, workflow.held_revision, workflow.public_reason = revision, None, ""
    workflow.approved_at = now
    workflow.next_review_due = (now + timedelta(days=settings.EDITORIAL_REVIEW_INTERVAL_DAYS)).date()
    _close_review(workflow, actor=actor)


@transaction.atomic
def review_request_changes(
    *,
    revision: Revision,
    user,
    content_hash: str,
    comment: str,
    conflict: str = SignOff.Conflict.NONE,
    conflict_disclosure: str = "",
    claim_notes: Iterable[dict] = (),
) -> SignOff:
    """Send the revision back to its editors with a reason (state: Changes Requested)."""
    workflow = workflow_lock(revision.article_id)
    reviewer = _reviewing_member(Action.REQUEST_CHANGES, workflow=workflow, user=user, revision=revision)
    _refuse_stale(workflow, revision, content_hash)
    workflow_check(Action.REQUEST_CHANGES, workflow=workflow, user=user, comment=comment)
    _refuse_second_sign_off(revision, user)
    sign_off = _sign(
        revision,
        reviewer,
        decision=SignOff.Decision.REQUEST_CHANGES,
        comment=comment,
        conflict=conflict,
        conflict_disclosure=conflict_disclosure,
        checklist={},
        claim_notes=claim_notes,
    )
    _transition(
        Action.REQUEST_CHANGES,
        workflow=workflow,
        actor=user,
        revision=revision,
        comment=comment,
        data={"sign_off": sign_off.pk},
    )
    _after_commit(lambda: notifications.notify_editors_of_decision(sign_off, approved=False))
    return sign_off


@transaction.atomic
def article_withdraw(*, article: Article, user, reason: str, public_reason: str) -> None:
    """Pull the live revision from readers for good, with an internal and a public reason (state: Withdrawn).

    Closes any review. Readers see a notice giving `public_reason`.
    """
    workflow = workflow_lock(article.pk)
    workflow_check(Action.WITHDRAW, workflow=workflow, user=user, comment=reason, public_reason=public_reason)
    withdrawn = workflow.live_revision
    workflow.live_revision, workflow.public_reason = None, public_reason.strip()
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


def _reviewing_member(action: Action, *, workflow: ArticleWorkflow, user, revision: Revision | None) -> Reviewer:
    """Return the user's board profile if they may review `revision` now; else refuse.

    Who: an active board member with an open assignment, who did not write or
    edit the words (403 otherwise). A member whose review closed while they were
    reading (somebody else was faster) is told so instead (409).
    """
    refusal = PermissionDenied("Only a board member assigned to this article can review it.")
    reviewer = active_reviewer(user)
    if reviewer is None:
        raise refusal
    if revision is not None and revision.pk and revision.contributors.filter(pk=user.pk).exists():
        raise PermissionDenied("You wrote or edited this revision, so you cannot review or approve it.")
    if holds_any_role(user, TRANSITIONS[action].actors, workflow.article):
        return reviewer
    closed_this_cycle = (
        ReviewAssignment.objects.filter(
            article_id=workflow.article_id, reviewer=reviewer, is_open=False, closed_at__gte=revision.created_at
        )
        if revision is not None
        else ReviewAssignment.objects.none()
    )
    if closed_this_cycle.exists():
        raise InvalidTransition(
            f"The review of revision {revision.number} closed before your sign-off arrived: "
            f"“{workflow.article.title}” is now {workflow.get_state_display().lower()}. Nothing was recorded."
        )
    raise refusal


def _refuse_stale(workflow: ArticleWorkflow, revision: Revision, content_hash: str) -> None:
    current = workflow.current_revision
    if current is None or current.pk != revision.pk:
        raise StaleRevision(
            f"Revision {revision.number} is no longer the one in review: revision {current.number} replaced it. "
            "Nothing was recorded; please review the current revision."
        )
    if content_hash != revision.content_hash:
        raise StaleRevision(
            "The words you reviewed are not the words of this revision. Nothing was recorded; "
            "please reload the review and read it again."
        )


def approval_count(revision: Revision) -> int:
    """Count the people who approved exactly this revision: one person is one approval, whatever profiles they held."""
    approvals = revision.sign_offs.filter(decision=SignOff.Decision.APPROVE)
    return approvals.values("signed_by").distinct().count()


def _refuse_second_sign_off(revision: Revision, user) -> None:
    """One person signs a revision once, through whichever profile: the sign-off names the person."""
    earlier = revision.sign_offs.filter(signed_by=user).first()
    if earlier:
        raise AlreadySignedOff(
            f"You already signed off revision {revision.number} "
            f"({earlier.get_decision_display().lower()}, {earlier.created_at:%d %b %Y %H:%M})."
        )


def _sign(revision, reviewer, *, decision, comment, conflict, conflict_disclosure, checklist, claim_notes) -> SignOff:
    sign_off = SignOff(
        revision=revision,
        content_hash=revision.content_hash,
        reviewer=reviewer,
        signed_by_id=reviewer.user_id,
        decision=decision,
        comment=comment.strip(),
        conflict=conflict,
        conflict_disclosure=conflict_disclosure.strip(),
        **{item: bool(checklist.get(item)) for item in SignOff.CHECKLIST},
    )
    sign_off.full_clean()
    sign_off.save()
    claim_uids = {claim["uid"] for section in revision.content["sections"] for claim in section["claims"]}
    for note in claim_notes:
        if str(note["claim_uid"]) not in claim_uids:
            raise InvalidTransition("A note refers to a claim that is not in this revision.")
        claim_note = ClaimNote(
            sign_off=sign_off, claim_uid=note["claim_uid"], flag=note.get("flag", "note"), text=note["text"]
        )
        claim_note.full_clean()
        claim_note.save()
    return sign_off
