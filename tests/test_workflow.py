"""The workflow's promises: exact words approved, one event per move, refusals that explain themselves."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.mail.backends.base import BaseEmailBackend

from config.history import acting_as
from editorial.diffs import claim_statuses
from editorial.errors import (
    AlreadySignedOff,
    ApprovalBlocked,
    AssignmentRefused,
    InvalidTransition,
    NothingToSubmit,
    ReasonRequired,
    StaleRevision,
)
from editorial.models import AppendOnlyError, ArticleWorkflow, AuditEvent, Revision, SignOff
from editorial.revisions import content_hash, revision_is_intact
from editorial.services import (
    article_submit,
    article_withdraw,
    review_assign,
    review_request_changes,
    review_start,
)
from editorial.workflow import State
from references.merge import references_merge
from tests.factories import BoardMemberFactory, EditorFactory, ReferenceFactory, ReviewerFactory
from tests.workflow_helpers import (
    FULL_CHECKLIST,
    approve,
    approved,
    citable_article,
    edit_claim,
    submitted,
    under_review,
)

pytestmark = pytest.mark.django_db


def state_of(article):
    return ArticleWorkflow.objects.get(article=article).state


def events_of(article):
    return list(
        AuditEvent.objects.filter(article=article).values_list("action", "actor__username", "from_state", "to_state")
    )


# Revisions


def test_submitting_freezes_the_whole_tree_with_its_hash(editor):
    article = citable_article()
    revision = article_submit(article=article, user=editor)
    assert (revision.number, revision.created_by, state_of(article)) == (1, editor, State.SUBMITTED)
    assert revision.content_hash == content_hash(revision.content)
    assert [len(s["claims"]) for s in revision.content["sections"]] == [2]
    assert revision.content["references"][0]["doi"].startswith("10.5555/")


def test_submitting_unchanged_words_creates_no_revision_and_restarts_nothing(editor):
    article = citable_article()
    article_submit(article=article, user=editor)
    with pytest.raises(NothingToSubmit, match="Nothing has changed since revision 1"):
        article_submit(article=article, user=editor)
    assert Revision.objects.filter(article=article).count() == 1
    assert len(events_of(article)) == 1


def test_revisions_cannot_be_changed_or_deleted(editor):
    revision = article_submit(article=citable_article(), user=editor)
    revision.content = {}
    with pytest.raises(AppendOnlyError):
        revision.save()
    with pytest.raises(AppendOnlyError):
        revision.delete()


def test_the_database_refuses_to_rewrite_a_revision(editor):
    from django.db import DatabaseError, transaction

    revision = article_submit(article=citable_article(), user=editor)
    with pytest.raises(DatabaseError), transaction.atomic():
        Revision.objects.filter(pk=revision.pk).update(content={"forged": True})
    revision.refresh_from_db()
    assert revision_is_intact(revision)


def test_contributors_are_everyone_who_edited_the_words_in_this_cycle(editor):
    other_editor = EditorFactory()
    article = citable_article()
    edit_claim(article, "Edited by a colleague.", user=other_editor)
    revision = article_submit(article=article, user=editor)
    assert set(revision.contributors.all()) == {editor, other_editor}


# Review and sign-off


def test_approval_makes_the_revision_live_and_tells_the_editor(
    editor, managing_editor, django_capture_on_commit_callbacks
):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    with django_capture_on_commit_callbacks(execute=True):
        approve(revision, reviewer)
    workflow = ArticleWorkflow.objects.get(article=article)
    assert (workflow.state, workflow.live_revision, workflow.current_revision) == (State.APPROVED, revision, revision)
    assert [message.to for message in mail.outbox] == [[editor.email]]
    assert mail.outbox[0].subject.startswith("Approved:")


def test_every_move_writes_exactly_one_audit_event(editor, managing_editor):
    article = citable_article()
    _, (reviewer,) = approved(article, editor, managing_editor)
    assert events_of(article) == [
        ("editorial.submit", "editor", "draft", "submitted"),
        ("editorial.assign", "managing", "submitted", "submitted"),
        ("editorial.start_review", reviewer.user.username, "submitted", "under_review"),
        ("editorial.approve", reviewer.user.username, "under_review", "approved"),
    ]


def test_sign_off_records_the_revision_hash_and_attestations(editor, managing_editor):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    sign_off = approve(revision, reviewer, conflict="disclosed", conflict_disclosure="Consulted for a maker.")
    assert (sign_off.revision, sign_off.content_hash, sign_off.reviewer) == (revision, revision.content_hash, reviewer)
    assert all(getattr(sign_off, item) for item in SignOff.CHECKLIST)
    assert (sign_off.conflict, sign_off.conflict_disclosure) == ("disclosed", "Consulted for a maker.")


def test_quorum_of_two_needs_two_approvals(editor, managing_editor):
    article = citable_article()
    revision, (first, second) = under_review(article, editor, managing_editor, reviewers=2, quorum=2)
    approve(revision, first)
    assert state_of(article) == State.UNDER_REVIEW
    review_start(article=article, user=second.user)
    approve(revision, second)
    assert state_of(article) == State.APPROVED


def test_approvals_of_an_earlier_revision_do_not_count_toward_the_next(editor, managing_editor):
    article = citable_article()
    first, (member_a, member_b) = under_review(article, editor, managing_editor, reviewers=2, quorum=2)
    approve(first, member_a)
    edit_claim(article, "Corrected wording after the first approval.", user=editor)
    second = article_submit(article=article, user=editor)
    review_start(article=article, user=member_b.user)
    approve(second, member_b)
    workflow = ArticleWorkflow.objects.get(article=article)
    assert (workflow.state, workflow.live_revision) == (State.UNDER_REVIEW, None)


def test_quorum_larger_than_the_assigned_board_is_refused(editor, managing_editor):
    article = citable_article()
    article_submit(article=article, user=editor)
    with pytest.raises(AssignmentRefused, match="A quorum of 2 approvals needs at least 2"):
        review_assign(article=article, assigned_by=managing_editor, reviewers=[ReviewerFactory()], quorum=2)


def test_editor_cannot_approve_own_article_even_as_a_board_member(editor, managing_editor):
    dual = EditorFactory(roles=["Editors", "Advisory Board"])
    reviewer = ReviewerFactory(user=dual)
    article = citable_article()
    revision = article_submit(article=article, user=dual)
    other = ReviewerFactory()
    review_assign(article=article, assigned_by=managing_editor, reviewers=[other])
    review_start(article=article, user=other.user)
    with pytest.raises(AssignmentRefused, match="wrote or edited this revision"):
        review_assign(article=article, assigned_by=managing_editor, reviewers=[reviewer])
    with pytest.raises(PermissionDenied):
        approve(revision, reviewer)


def test_board_member_who_edited_the_words_cannot_approve_them(editor, managing_editor):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    reviewer.user.groups.add(*EditorFactory().groups.all())
    edit_claim(article, "A tweak by the reviewer.", user=reviewer.user)
    revision = article_submit(article=article, user=editor)
    with pytest.raises(PermissionDenied, match="You wrote or edited this revision"):
        review_start(article=article, user=reviewer.user)
    with pytest.raises(PermissionDenied, match="You wrote or edited this revision"):
        approve(revision, reviewer)


def test_unassigned_board_member_cannot_sign_off(editor, managing_editor):
    article = citable_article()
    revision, _ = under_review(article, editor, managing_editor)
    outsider = ReviewerFactory()
    with pytest.raises(PermissionDenied):
        approve(revision, outsider)


def test_approving_a_replaced_revision_is_refused_and_changes_nothing(editor, managing_editor):
    article = citable_article()
    old, (reviewer,) = under_review(article, editor, managing_editor)
    edit_claim(article, "Corrected wording.", user=editor)
    new = article_submit(article=article, user=editor)
    review_start(article=article, user=reviewer.user)
    events = events_of(article)
    with pytest.raises(StaleRevision, match="revision 2 replaced it"):
        approve(old, reviewer)
    assert (events_of(article), SignOff.objects.count(), new.number) == (events, 0, 2)


def test_approving_with_a_hash_the_reviewer_did_not_read_is_refused(editor, managing_editor):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    with pytest.raises(StaleRevision, match="not the words of this revision"):
        approve(revision, reviewer, content_hash="0" * 64)
    assert state_of(article) == State.UNDER_REVIEW


def test_a_second_sign_off_by_the_same_member_is_refused(editor, managing_editor):
    article = citable_article()
    revision, (first, _second) = under_review(article, editor, managing_editor, reviewers=2, quorum=2)
    approve(revision, first)
    with pytest.raises(AlreadySignedOff):
        approve(revision, first)


def test_late_approval_after_quorum_is_refused_kindly(editor, managing_editor):
    article = citable_article()
    revision, (first, second) = under_review(article, editor, managing_editor, reviewers=2)
    approve(revision, first)
    with pytest.raises(InvalidTransition, match="before your sign-off arrived"):
        approve(revision, second)


def test_approval_is_blocked_by_an_incomplete_checklist(editor, managing_editor):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    with pytest.raises(ApprovalBlocked) as blocked:
        approve(revision, reviewer, checklist=FULL_CHECKLIST | {"doses_checked": False})
    assert blocked.value.blockers == ["Attest that every dose has been checked."]


def test_approval_is_blocked_by_an_uncited_claim(editor, managing_editor):
    article = citable_article()
    article.sections.first().claims.last().citations.all().delete()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    with pytest.raises(ApprovalBlocked) as blocked:
        approve(revision, reviewer)
    heading = article.sections.first().heading
    assert blocked.value.blockers == [f"Claim 2 under “{heading}” cites no reference."]


def test_approval_is_blocked_by_a_retracted_reference(editor, managing_editor):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    reference = article.sections.first().claims.first().citations.first().reference
    reference.retraction_status = "retracted"
    reference.save()
    with pytest.raises(ApprovalBlocked) as blocked:
        approve(revision, reviewer)
    assert blocked.value.blockers == [f"Reference 1 (“{reference.title}”) has been retracted."]
    assert state_of(article) == State.UNDER_REVIEW


def test_approval_is_blocked_when_a_cited_reference_was_merged_into_a_retracted_one(editor, managing_editor):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    duplicate = article.sections.first().claims.first().citations.first().reference
    kept = ReferenceFactory(title=duplicate.title, year=duplicate.year, doi="", pmid="", retraction_status="retracted")
    with acting_as(editor):
        references_merge(keep=kept, duplicates=[duplicate])
    with pytest.raises(ApprovalBlocked) as blocked:
        approve(revision, reviewer)
    assert blocked.value.blockers == [f"Reference 1 (“{duplicate.title}”) has been retracted."]


def test_request_changes_needs_a_reason(editor, managing_editor):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    with pytest.raises(ReasonRequired):
        review_request_changes(
            revision=revision, user=reviewer.user, content_hash=revision.content_hash, conflict="none", comment=" "
        )
    assert state_of(article) == State.UNDER_REVIEW


def test_request_changes_goes_back_to_the_editor_with_claim_notes(
    editor, managing_editor, django_capture_on_commit_callbacks
):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    uid = revision.content["sections"][0]["claims"][0]["uid"]
    with django_capture_on_commit_callbacks(execute=True):
        sign_off = review_request_changes(
            revision=revision,
            user=reviewer.user,
            content_hash=revision.content_hash,
            conflict="none",
            comment="The dose in claim 1 is wrong.",
            claim_notes=[{"claim_uid": uid, "flag": "dose", "text": "Should be 4.5 mg."}],
        )
    assert state_of(article) == State.CHANGES_REQUESTED
    assert [(str(n.claim_uid), n.flag, n.text) for n in sign_off.claim_notes.all()] == [
        (uid, "dose", "Should be 4.5 mg.")
    ]
    assert [m.to for m in mail.outbox] == [[editor.email]]
    assert "The dose in claim 1 is wrong." in mail.outbox[0].body


def test_resubmission_after_changes_shows_which_claims_changed(editor, managing_editor):
    article = citable_article()
    first, (reviewer,) = under_review(article, editor, managing_editor)
    review_request_changes(
        revision=first, user=reviewer.user, content_hash=first.content_hash, conflict="none", comment="Fix it."
    )
    changed = edit_claim(article, "Fixed wording.", user=editor)
    second = article_submit(article=article, user=editor)
    changes = claim_statuses(first.content, second.content)
    assert changes[str(changed.uid)] == "changed"
    assert sorted(changes.values()) == ["changed", "unchanged"]
    assert state_of(article) == State.SUBMITTED


def test_claim_changes_include_a_change_in_a_cited_reference(editor, managing_editor):
    article = citable_article()
    first = article_submit(article=article, user=editor)
    reference = article.sections.first().claims.first().citations.first().reference
    reference.title = "A corrected title"
    reference.save()
    second = article_submit(article=article, user=editor)
    assert list(claim_statuses(first.content, second.content).values()) == ["changed", "unchanged"]


def test_editing_an_approved_article_keeps_readers_on_the_approved_words(editor, managing_editor):
    article = citable_article()
    live, _ = approved(article, editor, managing_editor)
    edit_claim(article, "A newer wording.", user=editor)
    newer, _ = submitted(article, editor, managing_editor)
    workflow = ArticleWorkflow.objects.get(article=article)
    assert (workflow.state, workflow.live_revision, workflow.current_revision) == (State.SUBMITTED, live, newer)


def test_withdrawal_pulls_the_live_revision_and_needs_a_reason(editor, managing_editor):
    article = citable_article()
    live, _ = approved(article, editor, managing_editor)
    with pytest.raises(ReasonRequired):
        article_withdraw(
            article=article,
            user=managing_editor,
            reason="",
            public_reason="We are checking this answer against new evidence.",
        )
    article_withdraw(
        article=article,
        user=managing_editor,
        reason="A safety notice was issued.",
        public_reason="We are checking this answer against new evidence.",
    )
    workflow = ArticleWorkflow.objects.get(article=article)
    assert (workflow.state, workflow.live_revision) == (State.WITHDRAWN, None)
    assert AuditEvent.objects.filter(article=article).last().revision == live


def test_editor_cannot_withdraw(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    with pytest.raises(PermissionDenied):
        article_withdraw(
            article=article,
            user=editor,
            reason="No.",
            public_reason="We are checking this answer against new evidence.",
        )


def test_board_member_cannot_submit():
    article = citable_article()
    with pytest.raises(PermissionDenied):
        article_submit(article=article, user=BoardMemberFactory())


def test_refusals_write_no_audit_event(editor, managing_editor):
    article = citable_article()
    with pytest.raises(InvalidTransition):
        article_withdraw(
            article=article,
            user=managing_editor,
            reason="Too early.",
            public_reason="We are checking this answer against new evidence.",
        )
    assert events_of(article) == []


def test_submission_emails_the_assigned_reviewers_with_a_link(
    editor, managing_editor, django_capture_on_commit_callbacks
):
    article = citable_article()
    _, (reviewer,) = submitted(article, editor, managing_editor)
    edit_claim(article, "New words.", user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        revision = article_submit(article=article, user=editor)
    assert [m.to for m in mail.outbox] == [[reviewer.user.email]]
    assert f"/review/{article.slug}/r{revision.number}/" in mail.outbox[0].body
    assert revision.content_hash in mail.outbox[0].body


def test_assignment_emails_the_new_reviewers(editor, managing_editor, django_capture_on_commit_callbacks):
    article = citable_article()
    article_submit(article=article, user=editor)
    reviewer = ReviewerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        review_assign(article=article, assigned_by=managing_editor, reviewers=[reviewer])
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([reviewer.user.email], f"You have been asked to review “{article.title}”")
    ]


def test_assigning_an_inactive_board_member_is_refused(editor, managing_editor):
    article = citable_article()
    article_submit(article=article, user=editor)
    retired = ReviewerFactory(is_active=False, display_name="Dr Retired", credentials="MD")
    with pytest.raises(AssignmentRefused, match=r"^Dr Retired, MD is no longer an active board member\.$"):
        review_assign(article=article, assigned_by=managing_editor, reviewers=[retired])
    assert retired.assignments.count() == 0


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("The mail server refused the connection.")


def test_approval_stands_when_the_email_after_it_fails(
    editor, managing_editor, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.test_workflow.FailingEmailBackend"
    settings.TASKS_MAX_ATTEMPTS = 2
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    with django_capture_on_commit_callbacks(execute=True):
        sign_off = approve(revision, reviewer)
    workflow = ArticleWorkflow.objects.get(article=article)
    assert (workflow.state, workflow.live_revision, sign_off.revision) == (State.APPROVED, revision, revision)
    assert events_of(article)[-1] == ("editorial.approve", reviewer.user.username, "under_review", "approved")
    assert mail.outbox == []
    gave_up = [
        record.getMessage() for record in caplog.records if (record.name, record.levelname) == ("jobs.retries", "ERROR")
    ]
    assert gave_up == [
        f"Gave up on editorial.notifications.email_decision({sign_off.pk}, approved=True) after 2 attempts "
        f"(last error: EmailNotSent: 1 email(s) not sent, 0 sent: {editor.email} (sign-off:{sign_off.pk}:decision:"
        f"{editor.email}): ConnectionRefusedError: The mail server refused the connection.). Nothing more is tried "
        'automatically: fix the cause, then enqueue it again (see docs/operations.md, "A task that gave up").'
    ]


def test_naming_a_board_member_twice_assigns_them_once(editor, managing_editor):
    article = citable_article()
    article_submit(article=article, user=editor)
    reviewer = ReviewerFactory()
    review_assign(article=article, assigned_by=managing_editor, reviewers=[reviewer, reviewer])
    assert reviewer.assignments.count() == 1
