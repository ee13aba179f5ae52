"""An approved answer's life: re-reviewed unchanged, reviewed on an interval, put live and expired on a schedule.

The truth tables (`test_workflow_permissions.py`) say who may make each move in
every state; these tests say what the lifecycle moves write, what readers see
meanwhile, and which schedules are refused.
"""

import inspect
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone

from editorial.errors import AlreadySignedOff, InvalidTransition, NothingToSubmit, ScheduleRefused, StaleRevision
from editorial.models import ArticleWorkflow, AuditEvent, ReviewAssignment, Revision, SignOff
from editorial.rules import THE_SCHEDULE, available_actions
from editorial.services import (
    approval_count,
    article_expire,
    article_go_live,
    article_hold,
    article_rereview,
    article_restore,
    article_submit,
    article_withdraw,
    review_assign,
    review_request_changes,
    review_start,
    workflow_check,
)
from editorial.workflow import EXPIRED_PUBLIC_REASON, Action, State
from reader.selectors import reader_view
from tests.factories import ManagingEditorFactory, ReviewerFactory, UserFactory
from tests.workflow_helpers import (
    approve,
    approved,
    citable_article,
    edit_claim,
    rereview_opened,
    schedule,
    under_review,
)

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def workflow_of(article) -> ArticleWorkflow:
    return ArticleWorkflow.objects.select_related("article", "live_revision", "current_revision").get(article=article)


def what_readers_see(article):
    """The revision readers are shown now, or None (a notice or nothing)."""
    page = reader_view(workflow_of(article))
    return page.revision if page else None


def trail(article) -> list[tuple]:
    """The article's whole audit trail: action, actor, states, revision number, comment and data."""
    events = AuditEvent.objects.filter(article=article).select_related("actor", "revision").order_by("pk")
    return [
        (
            e.action,
            e.actor.username,
            e.from_state,
            e.to_state,
            e.revision.number if e.revision else None,
            e.comment,
            e.data,
        )
        for e in events
    ]


def footprint(article) -> tuple:
    """Everything a schedule can write: the workflow row, its history and the audit trail."""
    workflow = ArticleWorkflow.objects.filter(article=article)
    return list(workflow.values()), ArticleWorkflow.history.filter(article=article).count(), trail(article)


def when(moment: datetime) -> str:
    """A time as refusal messages write it."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def live_with_new_words_in_review(article, editor, managing_editor):
    """Revision 1 live, revision 2 under review by one fresh member; return (first, second, member)."""
    first, _ = approved(article, editor, managing_editor)
    edit_claim(article, "Treatment halves the risk of a second stroke.", user=editor)
    second, (member,) = under_review(article, editor, managing_editor)
    return first, second, member


def reviewed_long_ago(article, *, reviewed_at):
    """Arrange that the live words were last reviewed at `reviewed_at` (a review can only happen now)."""
    workflow = ArticleWorkflow.objects.get(article=article)
    ArticleWorkflow.objects.filter(pk=workflow.pk).update(
        approved_at=reviewed_at, next_review_due=workflow.review_due_after(reviewed_at)
    )


# Re-review: the live words, unchanged, certified again


def test_rereview_makes_no_revision_and_puts_the_live_revision_in_review_as_round_2(editor, managing_editor):
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)

    reviewed = article_rereview(article=article, user=managing_editor, note="Due for its yearly review.")

    workflow = workflow_of(article)
    assert reviewed == revision
    assert list(Revision.objects.filter(article=article).values_list("number", "content_hash")) == [
        (1, revision.content_hash)
    ]
    assert (workflow.state, workflow.review_round, workflow.certified_round) == (State.SUBMITTED, 2, 1)
    assert (workflow.current_revision, workflow.live_revision) == (revision, revision)
    assert trail(article)[-1] == (
        "editorial.rereview",
        "managing",
        "approved",
        "submitted",
        1,
        "Due for its yearly review.",
        {"round": 2},
    )


def test_readers_keep_the_live_words_throughout_a_rereview(editor, managing_editor):
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)
    first, second = ReviewerFactory(), ReviewerFactory()
    seen = []

    article_rereview(article=article, user=managing_editor)
    seen.append(what_readers_see(article))
    review_assign(article=article, assigned_by=managing_editor, reviewers=[first, second], quorum=2)
    seen.append(what_readers_see(article))
    review_start(article=article, user=first.user)
    seen.append(what_readers_see(article))
    approve(revision, first)
    seen.append(what_readers_see(article))
    approve(revision, second)
    seen.append(what_readers_see(article))

    assert seen == [revision] * 5
    assert workflow_of(article).state == State.APPROVED


def test_a_member_who_approved_in_round_1_may_approve_the_same_words_in_round_2(editor, managing_editor):
    article = citable_article()
    revision, (member,) = approved(article, editor, managing_editor)
    rereview_opened(article, managing_editor, [member])

    approve(revision, member)

    assert list(SignOff.objects.filter(revision=revision).values_list("signed_by", "round", "decision")) == [
        (member.user_id, 1, "approve"),
        (member.user_id, 2, "approve"),
    ]
    assert workflow_of(article).state == State.APPROVED


def test_a_member_signs_a_rereview_only_once(editor, managing_editor):
    article = citable_article()
    revision, (member,) = approved(article, editor, managing_editor)
    rereview_opened(article, managing_editor, [member, ReviewerFactory()], quorum=2)
    earlier = approve(revision, member)
    before = footprint(article)

    with pytest.raises(AlreadySignedOff) as refusal:
        approve(revision, member)

    assert refusal.value.message == (
        f"You already signed off revision 1 in this re-review (approve, {earlier.created_at:%d %b %Y %H:%M})."
    )
    assert footprint(article) == before
    assert SignOff.objects.filter(revision=revision, signed_by=member.user).count() == 2


def test_a_rereview_quorum_counts_only_approvals_of_its_own_round(editor, managing_editor):
    article = citable_article()
    revision, (first, second) = under_review(article, editor, managing_editor, reviewers=2, quorum=2)
    approve(revision, first)
    approve(revision, second)
    newcomer = ReviewerFactory()
    rereview_opened(article, managing_editor, [newcomer, first], quorum=2)

    approve(revision, newcomer)  # with first's round-1 approval, two people have approved these words

    workflow = workflow_of(article)
    assert (approval_count(revision, round=1), approval_count(revision, round=2)) == (2, 1)
    assert (workflow.state, workflow.review_round, workflow.certified_round) == (State.UNDER_REVIEW, 2, 1)


def test_a_rereview_at_quorum_moves_last_reviewed_and_next_review_due_but_not_last_updated(editor, managing_editor):
    article = citable_article()
    revision, (member,) = approved(article, editor, managing_editor)
    reviewed_long_ago(article, reviewed_at=datetime(2024, 3, 15, 12, tzinfo=UTC))
    rereview_opened(article, managing_editor, [member])
    before = timezone.now()

    approve(revision, member)

    workflow, page = workflow_of(article), reader_view(workflow_of(article))
    reviewed = timezone.localdate(workflow.approved_at)
    assert before <= workflow.approved_at <= timezone.now()
    assert workflow.next_review_due == reviewed.replace(year=reviewed.year + 1)  # the site's 12 months
    assert (page.reviewed_at, page.next_review_due) == (workflow.approved_at, workflow.next_review_due)
    assert page.content_updated_at == Revision.objects.get(pk=revision.pk).created_at == revision.created_at


def test_a_rereview_at_quorum_certifies_the_live_revision_in_its_round(editor, managing_editor):
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)
    newcomer = ReviewerFactory()
    rereview_opened(article, managing_editor, [newcomer])

    sign_off = approve(revision, newcomer)

    workflow = workflow_of(article)
    assert (workflow.certified_round, workflow.review_round) == (2, 2)
    assert list(SignOff.objects.certifying(workflow)) == [sign_off]
    assert (workflow.live_revision, workflow.current_revision) == (revision, revision)


def test_a_rereview_is_recorded_as_a_rereview_in_the_audit_trail(editor, managing_editor):
    article = citable_article()
    revision, (member,) = approved(article, editor, managing_editor)
    newcomer = ReviewerFactory()
    rereview_opened(article, managing_editor, [newcomer])

    sign_off = approve(revision, newcomer, comment="Still accurate.")

    first_approval = SignOff.objects.get(revision=revision, round=1)
    member_name, newcomer_name = member.user.username, newcomer.user.username
    assert trail(article) == [
        ("editorial.submit", "editor", "draft", "submitted", 1, "", {}),
        (
            "editorial.assign",
            "managing",
            "submitted",
            "submitted",
            1,
            "",
            {"reviewers": [member.pk], "due_date": None, "quorum": 1},
        ),
        ("editorial.start_review", member_name, "submitted", "under_review", 1, "", {}),
        (
            "editorial.approve",
            member_name,
            "under_review",
            "approved",
            1,
            "",
            {"sign_off": first_approval.pk, "approvals": 1, "quorum": 1, "round": 1},
        ),
        ("editorial.rereview", "managing", "approved", "submitted", 1, "", {"round": 2}),
        (
            "editorial.assign",
            "managing",
            "submitted",
            "submitted",
            1,
            "",
            {"reviewers": [newcomer.pk], "due_date": None, "quorum": 1},
        ),
        ("editorial.start_review", newcomer_name, "submitted", "under_review", 1, "", {}),
        (
            "editorial.approve",
            newcomer_name,
            "under_review",
            "approved",
            1,
            "Still accurate.",
            {"sign_off": sign_off.pk, "approvals": 1, "quorum": 1, "round": 2, "rereview": True},
        ),
    ]


def test_changes_requested_in_a_rereview_keep_the_live_words_live(editor, managing_editor):
    article = citable_article()
    revision, (member,) = approved(article, editor, managing_editor)
    rereview_opened(article, managing_editor, [member])

    review_request_changes(
        revision=revision,
        user=member.user,
        content_hash=revision.content_hash,
        conflict="none",
        comment="New guidance since.",
    )

    workflow = workflow_of(article)
    assert (workflow.state, workflow.live_revision, workflow.current_revision) == (
        State.CHANGES_REQUESTED,
        revision,
        revision,
    )
    assert what_readers_see(article) == revision
    assert trail(article)[-1][:4] == (
        "editorial.request_changes",
        member.user.username,
        "under_review",
        "changes_requested",
    )


def test_submitting_unchanged_approved_words_is_refused_pointing_to_a_rereview(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    before = footprint(article)

    with pytest.raises(NothingToSubmit) as refusal:
        article_submit(article=article, user=editor)

    assert refusal.value.message == (
        "Nothing has changed since revision 1, which is already approved. "
        "To have the board confirm it unchanged, a managing editor opens a re-review."
    )
    assert footprint(article) == before


def test_a_rereview_reaching_quorum_lifts_the_expiry(editor, managing_editor):
    article = citable_article()
    revision, (member,) = approved(article, editor, managing_editor)
    schedule(article, managing_editor, expires_at=timezone.now() + timedelta(days=30))
    rereview_opened(article, managing_editor, [member])

    approve(revision, member)

    assert workflow_of(article).expires_at is None


def test_the_approval_of_a_new_revision_keeps_the_expiry(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    expires_at = (timezone.now() + timedelta(days=30)).replace(microsecond=0)
    schedule(article, managing_editor, expires_at=expires_at)
    edit_claim(article, "Treatment halves the risk of a second stroke.", user=editor)

    second, _ = approved(article, editor, managing_editor)

    workflow = workflow_of(article)
    assert (workflow.live_revision, workflow.expires_at) == (second, expires_at)


# The review interval


@pytest.mark.parametrize("months", [12, 24])
def test_an_approval_sets_the_next_review_the_site_interval_ahead(months, settings, editor, managing_editor):
    settings.EDITORIAL_REVIEW_INTERVAL_MONTHS = months
    article = citable_article()

    approved(article, editor, managing_editor)

    workflow = workflow_of(article)
    reviewed = timezone.localdate(workflow.approved_at)
    assert workflow.next_review_due == reviewed.replace(year=reviewed.year + months // 12)


def test_an_article_interval_moves_the_next_review_from_the_last_review(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    reviewed_long_ago(article, reviewed_at=datetime(2026, 1, 31, 12, tzinfo=UTC))

    schedule(article, managing_editor, months=6)

    workflow = workflow_of(article)
    assert (workflow.review_interval_months, workflow.next_review_due) == (6, date(2026, 7, 31))
    assert trail(article)[-1] == (
        "editorial.schedule",
        "managing",
        "approved",
        "approved",
        1,
        "",
        {"go_live_at": None, "expires_at": None, "review_interval_months": 6, "next_review_due": "2026-07-31"},
    )


def test_clearing_an_article_interval_falls_back_to_the_site_interval(settings, editor, managing_editor):
    settings.EDITORIAL_REVIEW_INTERVAL_MONTHS = 3
    article = citable_article()
    approved(article, editor, managing_editor)
    reviewed_long_ago(article, reviewed_at=datetime(2026, 1, 31, 12, tzinfo=UTC))
    schedule(article, managing_editor, months=6)

    schedule(article, managing_editor, months=None)

    workflow = workflow_of(article)
    assert (workflow.review_interval_months, workflow.next_review_due) == (None, date(2026, 4, 30))


@pytest.mark.parametrize(
    ("reviewed", "months", "due"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2026, 8, 31), 18, date(2028, 2, 29)),
        (date(2026, 11, 30), 1, date(2026, 12, 30)),
        (date(2026, 2, 28), 12, date(2027, 2, 28)),
        (date(2026, 5, 15), 60, date(2031, 5, 15)),
    ],
)
def test_the_next_review_falls_on_the_last_day_of_a_shorter_month(reviewed, months, due):
    workflow = ArticleWorkflow(review_interval_months=months)

    assert workflow.review_due_after(datetime(reviewed.year, reviewed.month, reviewed.day, 12, tzinfo=UTC)) == due


# The schedule: what it refuses, writing nothing


def assert_schedule_refused(article, managing_editor, message, **values):
    before = footprint(article)
    with pytest.raises(ScheduleRefused) as refusal:
        schedule(article, managing_editor, **values)
    assert refusal.value.message == message
    assert footprint(article) == before


def test_schedule_refuses_a_go_live_time_in_the_past(editor, managing_editor):
    article = citable_article()
    article_submit(article=article, user=editor)
    past = timezone.now() - HOUR

    assert_schedule_refused(
        article,
        managing_editor,
        f"The go-live time {when(past)} has passed: choose a time still to come.",
        go_live_at=past,
    )


def test_schedule_refuses_an_expiry_in_the_past(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    past = timezone.now() - HOUR

    assert_schedule_refused(
        article, managing_editor, f"The expiry {when(past)} has passed: choose a time still to come.", expires_at=past
    )


@pytest.mark.parametrize("gap", [timedelta(0), -HOUR], ids=["at", "before"])
def test_schedule_refuses_an_expiry_at_or_before_the_go_live_time(gap, editor, managing_editor):
    article = citable_article()
    article_submit(article=article, user=editor)
    go_live_at = timezone.now() + 2 * HOUR
    expires_at = go_live_at + gap

    assert_schedule_refused(
        article,
        managing_editor,
        f"The expiry {when(expires_at)} comes before the go-live time {when(go_live_at)}: "
        "the words would expire before readers saw them.",
        go_live_at=go_live_at,
        expires_at=expires_at,
    )


def nothing_waits_message(article):
    return (
        f"“{article.title}” has no new words waiting to go live: a go-live time applies to a revision in review "
        "or approved and waiting. Submit the new words first."
    )


def test_schedule_refuses_a_go_live_time_when_the_approved_words_are_live_and_nothing_new_waits(
    editor, managing_editor
):
    article = citable_article()
    approved(article, editor, managing_editor)

    assert_schedule_refused(article, managing_editor, nothing_waits_message(article), go_live_at=timezone.now() + HOUR)


def test_schedule_refuses_a_go_live_time_during_a_rereview(editor, managing_editor):
    article = citable_article()
    _, (member,) = approved(article, editor, managing_editor)
    rereview_opened(article, managing_editor, [member])

    assert_schedule_refused(article, managing_editor, nothing_waits_message(article), go_live_at=timezone.now() + HOUR)


def test_schedule_refuses_clearing_the_go_live_time_of_a_scheduled_article(editor, managing_editor):
    article = citable_article()
    revision, (member,) = under_review(article, editor, managing_editor)
    schedule(article, managing_editor, go_live_at=timezone.now() + HOUR)
    approve(revision, member)

    assert_schedule_refused(
        article,
        managing_editor,
        "Revision 1 is approved and waits for its go-live time: set another time, or hold or withdraw it.",
        go_live_at=None,
    )


@pytest.mark.parametrize("months", [0, 61])
def test_schedule_refuses_a_review_interval_outside_1_to_60_months(months, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)

    assert_schedule_refused(
        article, managing_editor, f"A review interval runs from 1 to 60 months; {months} is not.", months=months
    )


# The schedule: going live


def test_an_approval_with_a_go_live_time_ahead_waits_with_the_previous_revision_live(editor, managing_editor):
    article = citable_article()
    first, second, member = live_with_new_words_in_review(article, editor, managing_editor)
    go_live_at = timezone.now() + HOUR
    schedule(article, managing_editor, go_live_at=go_live_at)

    approve(second, member)

    workflow = workflow_of(article)
    assert (workflow.state, workflow.current_revision, workflow.live_revision) == (State.SCHEDULED, second, first)
    assert (workflow.go_live_at, what_readers_see(article)) == (go_live_at, first)
    assert ReviewAssignment.objects.filter(article=article, is_open=True).count() == 0


def test_an_approval_with_a_go_live_time_ahead_shows_a_never_approved_article_to_nobody(editor, managing_editor):
    article = citable_article()
    revision, (member,) = under_review(article, editor, managing_editor)
    schedule(article, managing_editor, go_live_at=timezone.now() + HOUR)

    approve(revision, member)

    workflow = workflow_of(article)
    assert (workflow.state, workflow.live_revision, workflow.approved_at) == (State.SCHEDULED, None, None)
    assert reader_view(workflow) is None


def test_going_live_before_the_go_live_time_is_refused(editor, managing_editor):
    article = citable_article()
    _, second, member = live_with_new_words_in_review(article, editor, managing_editor)
    go_live_at = timezone.now() + HOUR
    schedule(article, managing_editor, go_live_at=go_live_at)
    approve(second, member)
    before = footprint(article)

    with pytest.raises(InvalidTransition) as refusal:
        article_go_live(article=article, now=go_live_at - timedelta(seconds=1))

    assert refusal.value.message == f"“{article.title}” goes live at {when(go_live_at)}, not before."
    assert footprint(article) == before


def test_going_live_at_the_go_live_time_shows_the_revision_as_reviewed_when_the_board_approved_it(
    editor, managing_editor
):
    article = citable_article()
    _, second, member = live_with_new_words_in_review(article, editor, managing_editor)
    go_live_at = timezone.now() + HOUR
    schedule(article, managing_editor, go_live_at=go_live_at)
    approve(second, member)
    approval = AuditEvent.objects.get(article=article, action=Action.APPROVE, revision=second)

    article_go_live(article=article, now=go_live_at)

    workflow = workflow_of(article)
    assert (workflow.state, workflow.live_revision, workflow.go_live_at) == (State.APPROVED, second, None)
    assert workflow.approved_at == approval.created_at
    assert workflow.next_review_due == workflow.review_due_after(approval.created_at)
    assert what_readers_see(article) == second
    assert trail(article)[-1] == (
        "editorial.go_live",
        "managing",
        "scheduled",
        "approved",
        2,
        f"Went live as scheduled for {when(go_live_at)}.",
        {"by_schedule": True, "go_live_at": go_live_at.isoformat()},
    )


def test_a_go_live_is_recorded_in_the_name_of_the_editor_who_set_the_schedule(editor, managing_editor):
    article = citable_article()
    _, second, member = live_with_new_words_in_review(article, editor, managing_editor)
    colleague = ManagingEditorFactory(username="colleague")
    schedule(article, managing_editor, go_live_at=timezone.now() + HOUR)
    go_live_at = timezone.now() + 2 * HOUR
    schedule(article, colleague, go_live_at=go_live_at)
    approve(second, member)

    article_go_live(article=article, now=go_live_at + HOUR)

    assert trail(article)[-1][:2] == ("editorial.go_live", "colleague")


def test_a_go_live_time_passed_by_the_time_of_approval_puts_the_words_live_at_once(editor, managing_editor):
    article = citable_article()
    _, second, member = live_with_new_words_in_review(article, editor, managing_editor)
    schedule(article, managing_editor, go_live_at=timezone.now() + HOUR)
    # The board takes longer than planned: the go-live time passes while the revision is in review.
    ArticleWorkflow.objects.filter(article=article).update(go_live_at=timezone.now() - HOUR)

    approve(second, member)

    workflow = workflow_of(article)
    assert (workflow.state, workflow.live_revision, workflow.go_live_at) == (State.APPROVED, second, None)
    assert trail(article)[-1][:4] == ("editorial.approve", member.user.username, "under_review", "approved")


def test_a_hold_of_live_words_cancels_the_go_live_of_the_waiting_revision(editor, managing_editor):
    article = citable_article()
    first, second, member = live_with_new_words_in_review(article, editor, managing_editor)
    go_live_at = timezone.now() + HOUR
    schedule(article, managing_editor, go_live_at=go_live_at)
    approve(second, member)

    article_hold(
        article=article, user=managing_editor, revision=first, reason="A dose looks wrong.", public_reason="Checking."
    )

    workflow = workflow_of(article)
    assert (workflow.state, workflow.held_revision, workflow.live_revision, workflow.go_live_at) == (
        State.HELD,
        first,
        None,
        None,
    )
    with pytest.raises(InvalidTransition):
        article_go_live(article=article, now=go_live_at)
    assert what_readers_see(article) is None


def test_a_hold_that_cancels_a_go_live_records_it_and_tells_the_managing_editors(
    editor, managing_editor, django_capture_on_commit_callbacks
):
    article = citable_article()
    first, second, member = live_with_new_words_in_review(article, editor, managing_editor)
    go_live_at = timezone.now() + HOUR
    schedule(article, managing_editor, go_live_at=go_live_at)
    approve(second, member)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        article_hold(
            article=article,
            user=managing_editor,
            revision=first,
            reason="A dose looks wrong.",
            public_reason="Checking.",
        )

    hold = AuditEvent.objects.filter(article=article, action=Action.HOLD).get()
    cancelled = {"revision": second.number, "go_live_at": go_live_at.isoformat()}
    assert hold.data == {"public_reason": "Checking.", "cancelled_go_live": cancelled}
    to_managing_editor = next(message for message in mail.outbox if message.to == [managing_editor.email])
    assert f"Revision {second.number}, approved and waiting to go live, will not go live" in to_managing_editor.body


# The schedule: expiring


def test_an_expiry_due_withdraws_the_words_with_the_public_reason_closes_the_review_and_emails(
    editor, managing_editor, django_capture_on_commit_callbacks
):
    article = citable_article()
    first, _, member = live_with_new_words_in_review(article, editor, managing_editor)
    expires_at = timezone.now() + HOUR
    schedule(article, managing_editor, expires_at=expires_at)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        article_expire(article=article, now=expires_at)

    workflow = workflow_of(article)
    page = reader_view(workflow)
    assert (workflow.state, workflow.live_revision, workflow.expires_at) == (State.WITHDRAWN, None, None)
    assert (page.is_withdrawn, page.revision, page.public_reason) == (True, None, EXPIRED_PUBLIC_REASON)
    assert ReviewAssignment.objects.filter(article=article, is_open=True).count() == 0
    assert sorted(message.to[0] for message in mail.outbox) == sorted([managing_editor.email, member.user.email])
    assert trail(article)[-1] == (
        "editorial.expire",
        "managing",
        "under_review",
        "withdrawn",
        first.number,
        f"Expired as scheduled for {when(expires_at)}.",
        {"by_schedule": True, "expires_at": expires_at.isoformat(), "public_reason": EXPIRED_PUBLIC_REASON},
    )


def test_an_expiry_not_yet_due_is_refused(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    expires_at = timezone.now() + HOUR
    schedule(article, managing_editor, expires_at=expires_at)
    before = footprint(article)

    with pytest.raises(InvalidTransition) as refusal:
        article_expire(article=article, now=expires_at - timedelta(seconds=1))

    assert refusal.value.message == f"“{article.title}” has no expiry due now."
    assert footprint(article) == before


# The schedule acts for nobody else, and nobody acts as the schedule


def test_no_person_is_ever_offered_the_schedules_moves(editor, managing_editor, board_member):
    due = timezone.now() + HOUR
    scheduled, expiring = citable_article(), citable_article()
    _, second, member = live_with_new_words_in_review(scheduled, editor, managing_editor)
    schedule(scheduled, managing_editor, go_live_at=due, expires_at=due + HOUR)
    approve(second, member)
    approved(expiring, editor, managing_editor)
    schedule(expiring, managing_editor, expires_at=due)
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    people = [editor, managing_editor, board_member, member.user, superuser]

    offered = {
        action
        for article in (scheduled, expiring)
        for person in people
        for action in available_actions(person, workflow_of(article))
    }

    assert offered & {Action.GO_LIVE, Action.EXPIRE} == set()
    assert available_actions(THE_SCHEDULE, workflow_of(scheduled)) == [Action.GO_LIVE, Action.EXPIRE]


def test_the_schedules_moves_take_no_person():
    assert list(inspect.signature(article_go_live).parameters) == ["article", "now"]
    assert list(inspect.signature(article_expire).parameters) == ["article", "now"]


@pytest.mark.parametrize("action", [Action.GO_LIVE, Action.EXPIRE])
def test_not_even_a_superuser_may_make_the_schedules_moves(action, editor, managing_editor):
    article = citable_article()
    _, second, member = live_with_new_words_in_review(article, editor, managing_editor)
    schedule(article, managing_editor, go_live_at=timezone.now() + HOUR, expires_at=timezone.now() + 2 * HOUR)
    approve(second, member)
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)

    with pytest.raises(PermissionDenied) as refusal:
        workflow_check(action, workflow=workflow_of(article), user=superuser)

    assert str(refusal.value) == f"Only the schedule a managing editor set can {action.label.lower()}."


def test_a_hold_of_words_put_live_meanwhile_by_the_schedule_is_refused_as_stale(editor, managing_editor):
    article = citable_article()
    first, second, member = live_with_new_words_in_review(article, editor, managing_editor)
    go_live_at = timezone.now() + HOUR
    schedule(article, managing_editor, go_live_at=go_live_at)
    approve(second, member)
    article_go_live(article=article, now=go_live_at)

    with pytest.raises(StaleRevision):
        article_hold(article=article, user=managing_editor, revision=first, reason="Dose.", public_reason="Checking.")

    assert workflow_of(article).live_revision == second


# Approved words withdrawn before they ever went live, and restoring words the schedule put live


def test_words_submitted_after_withdrawing_a_never_live_scheduled_revision_are_never_shown_under_the_caution(
    settings, editor, managing_editor
):
    settings.READER_PENDING_POLICY = "caution"
    article = citable_article()
    revision, (member,) = under_review(article, editor, managing_editor)
    schedule(article, managing_editor, go_live_at=timezone.now() + HOUR)
    approve(revision, member)
    article_withdraw(article=article, user=managing_editor, reason="Superseded.", public_reason="Being rewritten.")
    edit_claim(article, "Words the board never saw.", user=editor)

    article_submit(article=article, user=editor)

    assert reader_view(workflow_of(article)) is None  # never public as approved words: nothing, not a notice


def test_withdrawing_a_never_live_scheduled_revision_keeps_the_article_once_approved(editor, managing_editor):
    article = citable_article()
    revision, (member,) = under_review(article, editor, managing_editor)
    schedule(article, managing_editor, go_live_at=timezone.now() + HOUR)
    approve(revision, member)
    approval = AuditEvent.objects.get(article=article, action=Action.APPROVE)

    article_withdraw(article=article, user=managing_editor, reason="Superseded.", public_reason="Being rewritten.")

    workflow = workflow_of(article)
    assert (workflow.state, workflow.approved_at, workflow.was_approved) == (State.WITHDRAWN, None, True)
    assert approval.created_at - timedelta(seconds=5) < workflow.first_approved_at <= approval.created_at


def test_a_revision_the_schedule_put_live_can_be_restored(editor, managing_editor):
    article = citable_article()
    _, second, member = live_with_new_words_in_review(article, editor, managing_editor)
    go_live_at = timezone.now() + HOUR
    schedule(article, managing_editor, go_live_at=go_live_at)
    approve(second, member)
    article_go_live(article=article, now=go_live_at)
    edit_claim(article, "Words approved after the scheduled ones.", user=editor)
    approved(article, editor, managing_editor)

    restored = article_restore(article=article, user=managing_editor, revision=second)

    assert (restored.number, restored.content_hash) == (4, second.content_hash)


def test_words_submitted_over_approved_words_that_never_went_live_are_never_shown_under_the_caution(
    editor, managing_editor, settings
):
    settings.READER_PENDING_POLICY = "caution"
    article = citable_article()
    revision, (member,) = under_review(article, editor, managing_editor)
    schedule(article, managing_editor, go_live_at=timezone.now() + HOUR)
    approve(revision, member)
    edit_claim(article, "Newer words, submitted while the approved ones wait.", user=editor)
    article_submit(article=article, user=editor)

    workflow = workflow_of(article)
    assert (workflow.state, workflow.was_approved, reader_view(workflow)) == (State.SUBMITTED, True, None)


def test_a_revision_waiting_for_its_go_live_can_be_restored_over_newer_words(editor, managing_editor):
    article = citable_article()
    revision, (member,) = under_review(article, editor, managing_editor)
    schedule(article, managing_editor, go_live_at=timezone.now() + HOUR)
    approve(revision, member)
    edit_claim(article, "Newer words, submitted while the approved ones wait.", user=editor)
    article_submit(article=article, user=editor)

    restored = article_restore(article=article, user=managing_editor, revision=revision)

    assert (restored.number, restored.content_hash) == (3, revision.content_hash)


def test_a_member_of_round_1_not_assigned_to_the_rereview_is_refused_as_not_assigned(editor, managing_editor):
    article = citable_article()
    revision, (member,) = approved(article, editor, managing_editor)
    rereview_opened(article, managing_editor, [ReviewerFactory(), ReviewerFactory()], quorum=2)
    before = footprint(article)

    with pytest.raises(PermissionDenied) as refusal:
        approve(revision, member)

    assert str(refusal.value) == "Only a board member assigned to this article can review it."
    assert footprint(article) == before


def test_a_rereview_sign_off_arriving_after_the_quorum_is_told_the_review_closed(editor, managing_editor):
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)
    fast, slow = ReviewerFactory(), ReviewerFactory()
    rereview_opened(article, managing_editor, [fast, slow], quorum=1)
    approve(revision, fast)

    with pytest.raises(InvalidTransition) as refusal:
        approve(revision, slow)

    assert refusal.value.message == (
        f"The review of revision 1 closed before your sign-off arrived: “{article.title}” is now approved. "
        "Nothing was recorded."
    )
