"""Moves of the review itself: assign board members, start a review, approve, request changes."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from articles.models import Article
from config.history import acting_as
from editorial import notifications
from editorial.document_changes import claim_hash
from editorial.errors import (
    AlreadySignedOff,
    ApprovalBlocked,
    AssignmentRefused,
    InvalidTransition,
    StaleRevision,
    UnknownClaim,
)
from editorial.gates import approval_blockers
from editorial.models import (
    ArticleWorkflow,
    AuditEvent,
    ClaimAttestation,
    ClaimNote,
    ReviewAssignment,
    Reviewer,
    Revision,
    SignOff,
)
from editorial.rules import active_reviewer, holds_any_role
from editorial.selectors import approval_count, member_profiles
from editorial.services.moves import (
    _close_review,
    _open_assignments,
    _transition,
    workflow_check,
    workflow_lock,
)
from editorial.services.threads import open_threads_for_sign_off
from editorial.signals import revision_went_live
from editorial.workflow import TRANSITIONS, Action, State
from jobs.outbox import enqueue_with_commit
from ledger.services import link_append
from reader.page_versions import disclaimer_in_force


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
    _refuse_unassignable(workflow, reviewers)
    existing = {a.reviewer_id: a for a in _open_assignments(workflow)}
    added = _save_assignments(workflow, reviewers, existing, assigned_by=assigned_by, due_date=due_date)
    _refuse_short_of_quorum(quorum or workflow.required_approvals, len(existing.keys() | {r.pk for r in reviewers}))
    workflow.quorum = quorum if quorum is not None else workflow.quorum
    data = {
        "reviewers": [reviewer.pk for reviewer in reviewers],
        "due_date": due_date.isoformat() if due_date else None,
        "quorum": workflow.required_approvals,
    }
    _transition(Action.ASSIGN, workflow=workflow, actor=assigned_by, revision=workflow.current_revision, data=data)
    enqueue_with_commit(lambda: notifications.notify_reviewers_of_assignment(workflow.article, added))
    return added


def _refuse_unassignable(workflow: ArticleWorkflow, reviewers: list[Reviewer]) -> None:
    """Refuse inactive members, and anyone who wrote or edited the revision in review."""
    authors = set(workflow.current_revision.contributors.values_list("pk", flat=True))
    for reviewer in reviewers:
        if not reviewer.is_active:
            raise AssignmentRefused(f"{reviewer} is no longer an active board member.")
        if reviewer.user_id in authors:
            raise AssignmentRefused(f"{reviewer} wrote or edited this revision and cannot review it.")


def _save_assignments(workflow, reviewers, existing, *, assigned_by, due_date) -> list[ReviewAssignment]:
    """Assign the members not yet assigned and update the others' due date; return the new assignments."""
    added = []
    with acting_as(assigned_by):
        for reviewer in reviewers:
            assignment = existing.get(reviewer.pk)
            if assignment is None:
                assignment = ReviewAssignment(
                    article_id=workflow.article_id, reviewer=reviewer, assigned_by=assigned_by
                )
                added.append(assignment)
            elif assignment.due_date == due_date:
                continue
            assignment.due_date = due_date
            assignment.full_clean()
            assignment.save()
    return added


def _refuse_short_of_quorum(required: int, open_count: int) -> None:
    if required > open_count:
        raise AssignmentRefused(
            f"A quorum of {required} approvals needs at least {required} assigned board members; "
            f"{open_count} {'is' if open_count == 1 else 'are'} assigned."
        )


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
    conflict: str,
    conflict_disclosure: str = "",
    comment: str = "",
    claim_notes: Iterable[dict] = (),
    attested_claims: Iterable[str] = (),
    disclaimer_hash: str | None = None,
) -> SignOff:
    """Approve exactly the words of `revision`, whose hash the reviewer read as `content_hash`.

    On a new revision of a live article every claim changed since the live words
    must be in `attested_claims` (uids); each attested claim is recorded with the
    hash of its words. When approvals on this revision reach the quorum, it becomes the live
    revision readers see (state: Approved) and the review cycle closes. The
    sign-off records the disclaimer version in force; with `disclaimer_hash`
    (the one the review page showed) a disclaimer approved since is refused (409).
    """
    workflow = workflow_lock(revision.article_id)
    reviewer = _sign_off_gate(
        Action.APPROVE,
        workflow=workflow,
        user=user,
        revision=revision,
        content_hash=content_hash,
        disclaimer_hash=disclaimer_hash,
    )
    attested_claims = _known_claims(revision, attested_claims)
    blockers = approval_blockers(revision, checklist, attested_claims)
    if blockers:
        raise ApprovalBlocked(blockers)
    sign_off = _sign(
        revision,
        reviewer,
        round=workflow.review_round,
        decision=SignOff.Decision.APPROVE,
        comment=comment,
        conflict=conflict,
        conflict_disclosure=conflict_disclosure,
        checklist=checklist,
        claim_notes=claim_notes,
    )
    _attest(sign_off, attested_claims)
    approvals = approval_count(revision, round=workflow.review_round)
    reached_quorum = approvals >= workflow.required_approvals
    now = timezone.now()
    go_live_ahead = workflow.go_live_at is not None and workflow.go_live_at > now
    waits = reached_quorum and go_live_ahead and not workflow.is_rereview
    data = {
        "sign_off": sign_off.pk,
        "approvals": approvals,
        "quorum": workflow.required_approvals,
        "round": workflow.review_round,
    }
    if workflow.is_rereview:
        data["rereview"] = True
    if reached_quorum and workflow.first_approved_at is None:
        workflow.first_approved_at = now
    if waits:
        data["go_live_at"] = workflow.go_live_at.isoformat()
        _close_review(workflow, actor=user)
    elif reached_quorum:
        make_live(workflow, revision, reviewed_at=now, actor=user, approver=user)
    _transition(
        Action.APPROVE,
        workflow=workflow,
        actor=user,
        revision=revision,
        comment=comment,
        data=data,
        reached=reached_quorum,
        scheduled=waits,
        is_public=reached_quorum,
    )
    if reached_quorum:
        enqueue_with_commit(lambda: notifications.notify_editors_of_decision(sign_off, approved=True))
    return sign_off


def make_live(workflow: ArticleWorkflow, revision: Revision, *, reviewed_at, actor, approver) -> None:
    """Show `revision` to readers from now on as reviewed at `reviewed_at` (ending any hold), closing the review.

    Also the end of a re-review: the same revision, reviewed anew. Its review
    round certifies it and the next review falls due an interval later. A
    go-live time is spent. An expiry belongs to the article, not to a revision:
    only a re-review that reaches quorum before it lifts it. New words tell the
    rest of the site so (`revision_went_live`, naming `approver`, the member
    whose approval reached quorum); the same words certified again do not.
    """
    replaces_live_words = workflow.live_revision_id != revision.pk
    if workflow.is_rereview:
        workflow.expires_at = None
    workflow.live_revision, workflow.held_revision, workflow.public_reason = revision, None, ""
    workflow.approved_at = reviewed_at
    workflow.next_review_due = workflow.review_due_after(reviewed_at)
    workflow.certified_round = workflow.review_round
    workflow.go_live_at = None
    _close_review(workflow, actor=actor)
    if replaces_live_words:
        revision_went_live.send(sender=Revision, revision=revision, approver=approver)


def scheduled_approval(workflow: ArticleWorkflow) -> AuditEvent:
    """The approval that reached quorum on the revision waiting for its go-live time: when, and by whom."""
    return AuditEvent.objects.filter(
        article_id=workflow.article_id,
        action=Action.APPROVE,
        to_state=State.SCHEDULED,
        revision_id=workflow.current_revision_id,
    ).latest("created_at")


@transaction.atomic
def review_request_changes(
    *,
    revision: Revision,
    user,
    content_hash: str,
    comment: str,
    conflict: str,
    conflict_disclosure: str = "",
    claim_notes: Iterable[dict] = (),
    disclaimer_hash: str | None = None,
) -> SignOff:
    """Send the revision back to its editors with a reason (state: Changes Requested)."""
    workflow = workflow_lock(revision.article_id)
    reviewer = _sign_off_gate(
        Action.REQUEST_CHANGES,
        workflow=workflow,
        user=user,
        revision=revision,
        content_hash=content_hash,
        comment=comment,
        disclaimer_hash=disclaimer_hash,
    )
    sign_off = _sign(
        revision,
        reviewer,
        round=workflow.review_round,
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
        data={"sign_off": sign_off.pk, "round": workflow.review_round},
    )
    enqueue_with_commit(lambda: notifications.notify_editors_of_decision(sign_off, approved=False))
    return sign_off


def _sign_off_gate(action, *, workflow, user, revision, content_hash, comment="", disclaimer_hash=None) -> Reviewer:
    """Who, then when, for a sign-off: an assigned member who did not write the words, on the words in review, once."""
    reviewer = _reviewing_member(action, workflow=workflow, user=user, revision=revision)
    _refuse_stale(workflow, revision, content_hash)
    _refuse_stale_disclaimer(disclaimer_hash)
    workflow_check(action, workflow=workflow, user=user, comment=comment)
    _refuse_second_sign_off(workflow, user)
    return reviewer


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
    accounts = member_profiles(reviewer).values("user_id")  # a member's earlier accounts wrote as them too
    if revision is not None and revision.pk and revision.contributors.filter(pk__in=accounts).exists():
        raise PermissionDenied("You wrote or edited this revision, so you cannot review or approve it.")
    if holds_any_role(user, TRANSITIONS[action].actors, workflow.article):
        return reviewer
    closed_this_cycle = (
        ReviewAssignment.objects.filter(
            article_id=workflow.article_id,
            reviewer=reviewer,
            is_open=False,
            closed_at__gte=_review_opened_at(workflow, revision),
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


def _review_opened_at(workflow: ArticleWorkflow, revision: Revision):
    """When the review of `revision` began: its submission, or the re-review that put it in review again.

    A member whose assignment closed before then reviewed an earlier round: they are not assigned now.
    """
    if workflow.is_rereview and workflow.current_revision_id == revision.pk:
        reopened = AuditEvent.objects.filter(
            article_id=workflow.article_id, action=Action.REREVIEW, revision=revision
        ).aggregate(last=Max("created_at"))["last"]
        return reopened or revision.created_at
    return revision.created_at


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


def _refuse_stale_disclaimer(disclaimer_hash: str | None) -> None:
    """The disclaimer the review page showed must still be the one in force: the sign-off records that one."""
    if not disclaimer_hash:
        return
    in_force = disclaimer_in_force()
    if in_force is None or in_force.content_hash != disclaimer_hash:
        raise StaleRevision(
            "A new disclaimer was approved while you were reviewing. Nothing was recorded; "
            "please reload the review and read the disclaimer your sign-off will record."
        )


def _refuse_second_sign_off(workflow: ArticleWorkflow, user) -> None:
    """One person signs a revision once in each review round, through whichever account or profile they have had."""
    profiles = member_profiles(user.reviewer)
    earlier = SignOff.objects.of_review(workflow).filter(Q(signed_by=user) | Q(reviewer__in=profiles)).first()
    if earlier:
        again = " in this re-review" if workflow.is_rereview else ""
        raise AlreadySignedOff(
            f"You already signed off revision {earlier.revision.number}{again} "
            f"({earlier.get_decision_display().lower()}, {earlier.created_at:%d %b %Y %H:%M})."
        )


def _known_claims(revision: Revision, uids: Iterable[str]) -> list[str]:
    """Return the attested uids, once each, refusing any that is not a claim of `revision`."""
    claims = {claim["uid"] for section in revision.content["sections"] for claim in section["claims"]}
    uids = list(dict.fromkeys(str(uid) for uid in uids))
    unknown = [uid for uid in uids if uid not in claims]
    if unknown:
        raise UnknownClaim(f"An attested claim is not in revision {revision.number}: {', '.join(unknown)}.")
    return uids


def _attest(sign_off: SignOff, uids: list[str]) -> None:
    """Record each attested claim by uid and the hash of its words in the signed revision."""
    claims = {claim["uid"]: claim for section in sign_off.revision.content["sections"] for claim in section["claims"]}
    for uid in uids:
        attestation = ClaimAttestation(sign_off=sign_off, claim_uid=uid, claim_hash=claim_hash(claims[uid]))
        attestation.full_clean()
        attestation.save()


def _sign(
    revision, reviewer, *, round, decision, comment, conflict, conflict_disclosure, checklist, claim_notes
) -> SignOff:
    sign_off = SignOff(
        revision=revision,
        round=round,
        content_hash=revision.content_hash,
        reviewer=reviewer,
        signed_by_id=reviewer.user_id,
        decision=decision,
        comment=comment.strip(),
        conflict=conflict,
        conflict_disclosure=conflict_disclosure.strip(),
        **{item: bool(checklist.get(item)) for item in SignOff.CHECKLIST},
        disclaimer_version=disclaimer_in_force(),  # set here, never by a form: the version readers see now
    )
    claim_uids = {claim["uid"] for section in revision.content["sections"] for claim in section["claims"]}
    notes = []
    with acting_as(reviewer.user):  # the history names the signer, in a request or not
        sign_off.full_clean()
        sign_off.save()
        link_append(sign_off)
        for note in claim_notes:
            if str(note["claim_uid"]) not in claim_uids:
                raise UnknownClaim(
                    f"A note names a claim that is not in revision {revision.number}. Nothing was recorded."
                )
            claim_note = ClaimNote(
                sign_off=sign_off, claim_uid=note["claim_uid"], flag=note.get("flag", "note"), text=note["text"]
            )
            claim_note.full_clean()
            claim_note.save()
            notes.append(claim_note)
    open_threads_for_sign_off(sign_off, notes)  # the editors answer each note, and the comment, in a thread
    return sign_off
