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
from editorial.workflow import REASON_REQUIRED, TRANSITIONS, Action, State


def workflow_lock(article_id: int) -> ArticleWorkflow:
    """Lock the article's row (the one lock every move on it takes) and return its workflow.

    An article never submitted has no workflow row yet: it gets an unsaved one
    (a draft), which only a submission saves, so a refused move writes nothing.
    """
    Article.objects.select_for_update().get(pk=article_id)
    workflow = ArticleWorkflow.objects.select_for_update().filter(article_id=article_id).first()
    return workflow or ArticleWorkflow(article_id=article_id)


def workflow_check(action: Action, *, workflow: ArticleWorkflow, user, comment: str = "") -> None:
    """Refuse `action` unless `user` may take it (403) and the workflow can take it now (409)."""
    move = TRANSITIONS[action]
    if not holds_any_role(user, move.actors, workflow.article):
        actors = " or ".join(sorted(role.label for role in move.actors))
        raise PermissionDenied(f"Only {actors} can {action.label.lower()}.")
    if workflow.state not in move.sources or (move.needs_live_revision and not workflow.live_revision_id):
        raise InvalidTransition(
            f"“{workflow.article.title}” is {workflow.get_state_display().lower()}, "
            f"so it cannot be {_past_participle(action)} now."
        )
    if action in REASON_REQUIRED and not comment.strip():
        raise ReasonRequired(f"Say why: a reason is required to {action.label.lower()}.")


def _past_participle(action: Action) -> str:
    return {
        Action.SUBMIT: "submitted",
        Action.ASSIGN: "assigned to reviewers",
        Action.START_REVIEW: "started",
        Action.APPROVE: "approved",
        Action.REQUEST_CHANGES: "sent back for changes",
        Action.WITHDRAW: "withdrawn",
    }[action]


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
    if current and workflow.state != State.WITHDRAWN and _same_content(current, content):
        raise NothingToSubmit(
            f"Nothing has changed since revision {current.number}, which is already "
            f"{workflow.get_state_display().lower()}."
        )
    if not any(section["claims"] for section in content["sections"]):
        raise InvalidTransition("Add at least one claim before submitting the article for review.")
    live = workflow.live_revision
    revision = revision_create(
        article=workflow.article,
        content=content,
        created_by=user,
        source=source,
        contributors_since=live.created_at if live else None,
    )
    from_state = workflow.state
    workflow.current_revision = revision
    workflow.state = State.SUBMITTED
    workflow.save()
    _record(Action.SUBMIT, workflow=workflow, actor=user, from_state=from_state, revision=revision, comment=note)
    public_status_changed.send(sender=ArticleWorkflow, article_id=workflow.article_id)
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
    if quorum is not None and quorum != workflow.quorum:
        workflow.quorum = quorum
        workflow.full_clean()
        workflow.save()
    _record(
        Action.ASSIGN,
        workflow=workflow,
        actor=assigned_by,
        from_state=workflow.state,
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
    assignment.save()
    from_state = workflow.state
    workflow.state = State.UNDER_REVIEW
    workflow.save()
    _record(
        Action.START_REVIEW, workflow=workflow, actor=user, from_state=from_state, revision=workflow.current_revision
    )
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
    from_state = workflow.state
    reached_quorum = approvals >= workflow.required_approvals
    if reached_quorum:
        now = timezone.now()
        workflow.state = State.APPROVED
        workflow.live_revision = revision
        workflow.approved_at = now
        workflow.next_review_due = (now + timedelta(days=settings.EDITORIAL_REVIEW_INTERVAL_DAYS)).date()
        workflow.save()
        ReviewAssignment.objects.filter(article_id=revision.article_id, is_open=True).update(
            is_open=False, closed_at=now
        )
        public_status_changed.send(sender=ArticleWorkflow, article_id=revision.article_id)
    _record(
        Action.APPROVE,
        workflow=workflow,
        actor=user,
        from_state=from_state,
        revision=revision,
        comment=comment,
        data={"sign_off": sign_off.pk, "approvals": approvals, "quorum": workflow.required_approvals},
    )
    if reached_quorum:
        _after_commit(lambda: notifications.notify_editors_of_decision(sign_off, approved=True))
    return sign_off


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
    from_state = workflow.state
    workflow.state = State.CHANGES_REQUESTED
    workflow.save()
    _record(
        Action.REQUEST_CHANGES,
        workflow=workflow,
        actor=user,
        from_state=from_state,
        revision=revision,
        comment=comment,
        data={"sign_off": sign_off.pk},
    )
    _after_commit(lambda: notifications.notify_editors_of_decision(sign_off, approved=False))
    return sign_off


@transaction.atomic
def article_withdraw(*, article: Article, user, reason: str) -> None:
    """Pull the live revision from readers, with a reason (state: Withdrawn); closes any review."""
    workflow = workflow_lock(article.pk)
    workflow_check(Action.WITHDRAW, workflow=workflow, user=user, comment=reason)
    withdrawn = workflow.live_revision
    from_state = workflow.state
    workflow.state = State.WITHDRAWN
    workflow.live_revision = None
    workflow.save()
    ReviewAssignment.objects.filter(article_id=article.pk, is_open=True).update(is_open=False, closed_at=timezone.now())
    public_status_changed.send(sender=ArticleWorkflow, article_id=article.pk)
    _record(Action.WITHDRAW, workflow=workflow, actor=user, from_state=from_state, revision=withdrawn, comment=reason)


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
