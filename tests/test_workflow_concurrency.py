"""The workflow under real concurrency and real failures, on PostgreSQL.

Board members acting at the same moment each run in their own thread, with
their own database session, against the real row locks. Every move really
commits or really rolls back (no test transaction wraps it), so
`transaction.on_commit` callbacks run as in production and `mail.outbox` holds
exactly the emails that would have been sent.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from editorial.errors import AlreadySignedOff, InvalidTransition, StaleRevision
from editorial.models import ArticleWorkflow, AuditEvent, ClaimNote, ReviewAssignment, Reviewer, Revision, SignOff
from editorial.services import (
    article_expire,
    article_go_live,
    article_hold,
    article_release,
    article_submit,
    article_withdraw,
    review_assign,
    review_request_changes,
    review_start,
)
from editorial.workflow import State
from reader.models import PublishedArticle
from tests.factories import ReviewerFactory
from tests.workflow_helpers import (
    approve,
    approved,
    citable_article,
    edit_claim,
    rereview_opened,
    schedule,
    submitted,
    under_review,
)

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Needs PostgreSQL: these tests run concurrent sessions against real row locks, "
        "which SQLite (one writer at a time, in-memory per connection in tests) cannot show.",
    ),
    # Every move really commits. The tables are emptied after each test, so the roles that the
    # data migrations created are restored before the next (serialized_rollback).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def events_of(article):
    return list(
        AuditEvent.objects.filter(article=article)
        .order_by("pk")
        .values_list("action", "actor__username", "from_state", "to_state")
    )


def outcome_of(result):
    """A sign-off, or a refusal as (its type, its message): what the member would be shown."""
    return result if isinstance(result, SignOff) else (type(result), str(result))


def approve_at_the_same_moment(revision, reviewers):
    """Approve `revision` as each of `reviewers`, each in its own thread and session, all released together.

    Each member loads their review form (the revision and its hash) first, as
    the review desk does; return what each approval returned or raised.
    """
    barrier = threading.Barrier(len(reviewers))
    results = [None] * len(reviewers)

    def sign(index, reviewer_pk):
        try:
            reviewer = Reviewer.objects.select_related("user").get(pk=reviewer_pk)
            form = Revision.objects.get(pk=revision.pk)
            barrier.wait(timeout=30)
            results[index] = approve(form, reviewer)
        except Exception as error:  # the refusal under test, or a failure the assertions will show
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(i, reviewer.pk)) for i, reviewer in enumerate(reviewers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an approval never finished"
    return [outcome_of(result) for result in results]


def sign_offs_and_refusals(outcomes):
    sign_offs = [outcome for outcome in outcomes if isinstance(outcome, SignOff)]
    return sign_offs, [outcome for outcome in outcomes if not isinstance(outcome, SignOff)]


def review_closed_message(article):
    return (
        f"The review of revision 1 closed before your sign-off arrived: “{article.title}” is now approved. "
        "Nothing was recorded."
    )


# Simultaneous approvals


@pytest.mark.parametrize("members", [2, 8, 20])
def test_simultaneous_approvals_make_exactly_one_transition(members, editor, managing_editor):
    article = citable_article()
    revision, board = under_review(article, editor, managing_editor, reviewers=members, quorum=1)
    mail.outbox.clear()

    outcomes = approve_at_the_same_moment(revision, board)

    sign_offs, refusals = sign_offs_and_refusals(outcomes)
    assert (len(sign_offs), refusals) == (1, [(InvalidTransition, review_closed_message(article))] * (members - 1))
    (sign_off,) = sign_offs
    workflow = ArticleWorkflow.objects.get(article=article)
    assert (workflow.state, workflow.live_revision, workflow.current_revision) == (State.APPROVED, revision, revision)
    assert list(SignOff.objects.all()) == [sign_off]
    assert events_of(article) == [
        ("editorial.submit", "editor", "draft", "submitted"),
        ("editorial.assign", "managing", "submitted", "submitted"),
        ("editorial.start_review", board[0].user.username, "submitted", "under_review"),
        ("editorial.approve", sign_off.reviewer.user.username, "under_review", "approved"),
    ]
    assert [message.to for message in mail.outbox] == [[editor.email]]


@pytest.mark.parametrize("clicks", [2, 3, 5])
def test_double_clicked_approval_reaching_quorum_records_one_sign_off_and_closes_the_review(
    clicks, editor, managing_editor
):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor, quorum=1)

    outcomes = approve_at_the_same_moment(revision, [reviewer] * clicks)

    sign_offs, refusals = sign_offs_and_refusals(outcomes)
    assert (len(sign_offs), refusals) == (1, [(InvalidTransition, review_closed_message(article))] * (clicks - 1))
    assert list(SignOff.objects.all()) == sign_offs
    assert events_of(article)[3:] == [("editorial.approve", reviewer.user.username, "under_review", "approved")]
    assert ArticleWorkflow.objects.get(article=article).state == State.APPROVED


@pytest.mark.parametrize("clicks", [2, 3, 5])
def test_double_clicked_approval_below_quorum_records_one_sign_off_and_refuses_the_repeats(
    clicks, editor, managing_editor
):
    article = citable_article()
    revision, (reviewer, _second) = under_review(article, editor, managing_editor, reviewers=2, quorum=2)

    outcomes = approve_at_the_same_moment(revision, [reviewer] * clicks)

    sign_offs, refusals = sign_offs_and_refusals(outcomes)
    recorded = SignOff.objects.get()  # the refusals quote the time of the one sign-off recorded
    already = f"You already signed off revision 1 (approve, {recorded.created_at:%d %b %Y %H:%M})."
    assert (sign_offs, refusals) == ([recorded], [(AlreadySignedOff, already)] * (clicks - 1))
    assert events_of(article)[3:] == [("editorial.approve", reviewer.user.username, "under_review", "under_review")]
    assert ArticleWorkflow.objects.get(article=article).state == State.UNDER_REVIEW


# Stale forms


def test_approving_a_revision_replaced_while_the_member_read_it_is_refused_and_changes_nothing(editor, managing_editor):
    article = citable_article()
    first, (member, colleague) = under_review(article, editor, managing_editor, reviewers=2)
    form = (first.pk, first.content_hash)  # what the member's review form holds
    edit_claim(article, "Corrected wording.", user=editor)
    second = article_submit(article=article, user=editor)
    # Under review again: until then any approval is refused as too early, stale or not.
    review_start(article=article, user=colleague.user)
    events = events_of(article)

    with pytest.raises(StaleRevision) as refusal:
        approve(Revision.objects.get(pk=form[0]), member, content_hash=form[1])

    assert refusal.value.message == (
        "Revision 1 is no longer the one in review: revision 2 replaced it. "
        "Nothing was recorded; please review the current revision."
    )
    workflow = ArticleWorkflow.objects.get(article=article)
    assert (workflow.state, workflow.current_revision, workflow.live_revision) == (State.UNDER_REVIEW, second, None)
    assert (events_of(article), SignOff.objects.count()) == (events, 0)


def wait_until_a_session_waits_for_a_lock(timeout=10.0):
    """Return once another session is blocked on a lock in this database; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # pg_stat_activity is otherwise frozen per transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError(f"No session waited for a lock within {timeout} seconds.")


def test_approval_arriving_during_a_resubmission_waits_for_it_and_is_refused(editor, managing_editor):
    article = citable_article()
    first, (member,) = under_review(article, editor, managing_editor)
    results = []

    def member_approves():
        try:
            results.append(approve(Revision.objects.get(pk=first.pk), Reviewer.objects.get(pk=member.pk)))
        except Exception as error:  # the refusal under test, or a failure the assertions will show
            results.append(error)
        finally:
            connection.close()

    with transaction.atomic():
        edit_claim(article, "Corrected wording.", user=editor)
        second = article_submit(article=article, user=editor)
        approval = threading.Thread(target=member_approves)
        approval.start()
        wait_until_a_session_waits_for_a_lock()  # the approval is queued behind the resubmission's lock
    approval.join(timeout=30)

    assert [outcome_of(result) for result in results] == [
        (
            StaleRevision,
            "Revision 1 is no longer the one in review: revision 2 replaced it. "
            "Nothing was recorded; please review the current revision.",
        )
    ]
    workflow = ArticleWorkflow.objects.get(article=article)
    assert (workflow.state, workflow.current_revision, workflow.live_revision) == (State.SUBMITTED, second, None)
    assert SignOff.objects.count() == 0


# A hold racing an approval: the row lock lets one win cleanly, and the other is told.


def run_in_a_thread(move, results):
    """Start `move` in its own thread and session; what it returns or raises goes into `results`."""

    def run():
        try:
            results.append(move())
        except Exception as error:  # the refusal under test, or a failure the assertions will show
            results.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def live_with_a_correction_under_review(editor, managing_editor):
    """An article whose revision 1 readers see, and whose revision 2 a board member is reviewing."""
    article = citable_article()
    first, _ = approved(article, editor, managing_editor)
    edit_claim(article, "Corrected wording.", user=editor)
    second = article_submit(article=article, user=editor)
    (member,) = [ReviewerFactory()]
    review_assign(article=article, assigned_by=managing_editor, reviewers=[member])
    review_start(article=article, user=member.user)
    return article, first, second, member


def hold(article, revision, user):
    return article_hold(
        article=article, user=user, revision=revision, reason="A dose looks wrong.", public_reason="Checking a dose."
    )


@pytest.mark.parametrize("first", ["hold", "approval"])
def test_a_hold_racing_an_approval_lets_one_win_and_tells_the_other(first, editor, managing_editor):
    article, live, correction, member = live_with_a_correction_under_review(editor, managing_editor)
    holding = partial(hold, article, Revision.objects.get(pk=live.pk), managing_editor)
    approving = partial(approve, Revision.objects.get(pk=correction.pk), Reviewer.objects.get(pk=member.pk))
    results = []
    mail.outbox.clear()

    with transaction.atomic():  # the first move holds the row lock until it commits
        (holding if first == "hold" else approving)()
        second = run_in_a_thread(approving if first == "hold" else holding, results)
        wait_until_a_session_waits_for_a_lock()
    second.join(timeout=30)

    workflow = ArticleWorkflow.objects.get(article=article)
    held_for_safety = f"“{article.title}” is now held for safety"
    if first == "hold":
        assert [outcome_of(result) for result in results] == [
            (
                InvalidTransition,
                f"The review of revision 2 closed before your sign-off arrived: {held_for_safety}. "
                "Nothing was recorded.",
            )
        ]
        assert (workflow.state, workflow.live_revision, workflow.held_revision) == (State.HELD, None, live)
        assert events_of(article)[-1] == ("editorial.hold", "managing", "under_review", "held")
        assert PublishedArticle.objects.filter(article=article).count() == 0
        assert sorted(message.to[0] for message in mail.outbox) == sorted(
            {managing_editor.email, member.user.email, live.sign_offs.get().signed_by.email}
        )
    else:
        assert [outcome_of(result) for result in results] == [
            (
                StaleRevision,
                "Revision 1 is no longer the one readers see: revision 2 was approved meanwhile. "
                "Nothing was recorded; read the live revision and hold it if it needs holding.",
            )
        ]
        assert (workflow.state, workflow.live_revision, workflow.held_revision) == (State.APPROVED, correction, None)
        assert events_of(article)[-1] == ("editorial.approve", member.user.username, "under_review", "approved")
        assert list(PublishedArticle.objects.values_list("revision", flat=True)) == [correction.pk]
        assert [message.to for message in mail.outbox] == [[editor.email]]


# A hold racing a go-live, and an expiry racing a re-review's approval: one wins cleanly, the other is told.


def live_with_newer_words_waiting_to_go_live(editor, managing_editor):
    """Revision 1 live, revision 2 approved and waiting for its go-live time; return them and that time."""
    article = citable_article()
    first, _ = approved(article, editor, managing_editor)
    edit_claim(article, "Corrected wording.", user=editor)
    second, (member,) = under_review(article, editor, managing_editor)
    go_live_at = timezone.now() + timedelta(hours=1)
    schedule(article, managing_editor, go_live_at=go_live_at)
    approve(second, member)
    return article, first, second, go_live_at


@pytest.mark.parametrize("first", ["hold", "go-live"])
def test_a_hold_racing_a_go_live_lets_one_win_and_tells_the_other(first, editor, managing_editor):
    article, live, waiting, go_live_at = live_with_newer_words_waiting_to_go_live(editor, managing_editor)
    holding = partial(hold, article, Revision.objects.get(pk=live.pk), managing_editor)
    going_live = partial(article_go_live, article=Article.objects.get(pk=article.pk), now=go_live_at)
    events_before = events_of(article)
    results = []
    mail.outbox.clear()

    with transaction.atomic():  # the first move holds the row lock until it commits
        (holding if first == "hold" else going_live)()
        second = run_in_a_thread(going_live if first == "hold" else holding, results)
        wait_until_a_session_waits_for_a_lock()
    second.join(timeout=30)

    workflow = ArticleWorkflow.objects.get(article=article)
    if first == "hold":
        assert [outcome_of(result) for result in results] == [
            (InvalidTransition, f"“{article.title}” is held for safety, so it cannot be put live now.")
        ]
        assert (workflow.state, workflow.live_revision, workflow.held_revision, workflow.go_live_at) == (
            State.HELD,
            None,
            live,
            None,
        )
        assert events_of(article) == [*events_before, ("editorial.hold", "managing", "scheduled", "held")]
        assert PublishedArticle.objects.filter(article=article).count() == 0
        assert sorted(message.to[0] for message in mail.outbox) == sorted(
            {managing_editor.email, live.sign_offs.get().signed_by.email}
        )
    else:
        assert [outcome_of(result) for result in results] == [
            (
                StaleRevision,
                "Revision 1 is no longer the one readers see: revision 2 was approved meanwhile. "
                "Nothing was recorded; read the live revision and hold it if it needs holding.",
            )
        ]
        assert (workflow.state, workflow.live_revision, workflow.held_revision, workflow.go_live_at) == (
            State.APPROVED,
            waiting,
            None,
            None,
        )
        assert events_of(article) == [*events_before, ("editorial.go_live", "managing", "scheduled", "approved")]
        assert list(PublishedArticle.objects.values_list("revision", flat=True)) == [waiting.pk]
        assert mail.outbox == []


def live_expiring_under_rereview(editor, managing_editor):
    """Revision 1 live with an expiry, under re-review by one member; return them and the expiry."""
    article = citable_article()
    live, _ = approved(article, editor, managing_editor)
    expires_at = timezone.now() + timedelta(hours=1)
    schedule(article, managing_editor, expires_at=expires_at)
    member = ReviewerFactory()
    rereview_opened(article, managing_editor, [member])
    return article, live, member, expires_at


@pytest.mark.parametrize("first", ["expiry", "approval"])
def test_an_expiry_racing_a_rereview_approval_lets_one_win_and_tells_the_other(first, editor, managing_editor):
    article, live, member, expires_at = live_expiring_under_rereview(editor, managing_editor)
    expiring = partial(article_expire, article=Article.objects.get(pk=article.pk), now=expires_at)
    approving = partial(approve, Revision.objects.get(pk=live.pk), Reviewer.objects.get(pk=member.pk))
    events_before = events_of(article)
    results = []
    mail.outbox.clear()

    with transaction.atomic():  # the first move holds the row lock until it commits
        (expiring if first == "expiry" else approving)()
        second = run_in_a_thread(approving if first == "expiry" else expiring, results)
        wait_until_a_session_waits_for_a_lock()
    second.join(timeout=30)

    workflow = ArticleWorkflow.objects.get(article=article)
    if first == "expiry":
        assert [outcome_of(result) for result in results] == [
            (
                InvalidTransition,
                f"The review of revision 1 closed before your sign-off arrived: “{article.title}” is now withdrawn. "
                "Nothing was recorded.",
            )
        ]
        assert (workflow.state, workflow.live_revision, workflow.expires_at, workflow.certified_round) == (
            State.WITHDRAWN,
            None,
            None,
            1,
        )
        assert events_of(article) == [*events_before, ("editorial.expire", "managing", "under_review", "withdrawn")]
        assert SignOff.objects.filter(revision=live, round=2).count() == 0
        assert PublishedArticle.objects.filter(article=article).count() == 0
        assert sorted(message.to[0] for message in mail.outbox) == sorted({managing_editor.email, member.user.email})
    else:
        assert [outcome_of(result) for result in results] == [
            (InvalidTransition, f"“{article.title}” has no expiry due now.")
        ]
        assert (workflow.state, workflow.live_revision, workflow.expires_at, workflow.certified_round) == (
            State.APPROVED,
            live,
            None,
            2,
        )
        assert events_of(article) == [
            *events_before,
            ("editorial.approve", member.user.username, "under_review", "approved"),
        ]
        assert list(PublishedArticle.objects.values_list("revision", flat=True)) == [live.pk]
        assert [message.to for message in mail.outbox] == [[editor.email]]


# Failures part-way through a move


@dataclass
class Scene:
    """An article ready for one move, the move, and who its email goes to once it commits."""

    article: Article
    move: Callable[[], object]
    recipients: list[list[str]]


def ready_to_submit(editor, managing_editor):
    article = citable_article()
    _, (reviewer,) = under_review(article, editor, managing_editor)
    edit_claim(article, "Corrected wording.", user=editor)
    return Scene(article, partial(article_submit, article=article, user=editor), [[reviewer.user.email]])


def ready_to_assign(editor, managing_editor):
    article = citable_article()
    submitted(article, editor, managing_editor)
    newcomer = ReviewerFactory()
    # With a new quorum, so that the move writes the workflow row too.
    move = partial(review_assign, article=article, assigned_by=managing_editor, reviewers=[newcomer], quorum=2)
    return Scene(article, move, [[newcomer.user.email]])


def ready_to_start_review(editor, managing_editor):
    article = citable_article()
    _, (reviewer,) = submitted(article, editor, managing_editor)
    return Scene(article, partial(review_start, article=article, user=reviewer.user), [])


def ready_to_approve(editor, managing_editor):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    return Scene(article, partial(approve, revision, reviewer), [[editor.email]])


def ready_to_request_changes(editor, managing_editor):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    uid = revision.content["sections"][0]["claims"][0]["uid"]
    move = partial(
        review_request_changes,
        revision=revision,
        user=reviewer.user,
        content_hash=revision.content_hash,
        comment="The dose in claim 1 is wrong.",
        conflict="none",
        claim_notes=[{"claim_uid": uid, "flag": "dose", "text": "Should be 4.5 mg."}],
    )
    return Scene(article, move, [[editor.email]])


def ready_to_withdraw(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    move = partial(
        article_withdraw,
        article=article,
        user=managing_editor,
        reason="A safety notice was issued.",
        public_reason="A safety notice was issued about this treatment.",
    )
    return Scene(article, move, [])


def ready_to_hold(editor, managing_editor):
    article = citable_article()
    revision, (reviewer,) = approved(article, editor, managing_editor)
    move = partial(hold, article, revision, reviewer.user)  # a board member holds, for safety
    return Scene(article, move, sorted([[managing_editor.email], [reviewer.user.email]]))


def ready_to_release(editor, managing_editor):
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)
    hold(article, revision, managing_editor)
    move = partial(article_release, article=article, user=managing_editor, reason="The dose was right.")
    return Scene(article, move, [])


SCENES = {
    "submit": ready_to_submit,
    "assign": ready_to_assign,
    "start review": ready_to_start_review,
    "approve": ready_to_approve,
    "request changes": ready_to_request_changes,
    "withdraw": ready_to_withdraw,
    "hold": ready_to_hold,
    "release": ready_to_release,
}


def database_state(article):
    """Everything a move writes, to compare before and after."""
    workflow = ArticleWorkflow.objects.get(article=article)
    return {
        "workflow": (
            workflow.state,
            workflow.current_revision_id,
            workflow.live_revision_id,
            workflow.held_revision_id,
            workflow.public_reason,
            workflow.quorum,
            workflow.approved_at,
            workflow.next_review_due,
        ),
        "revisions": Revision.objects.count(),
        "contributors": Revision.contributors.through.objects.count(),
        "sign-offs": SignOff.objects.count(),
        "claim notes": ClaimNote.objects.count(),
        "audit events": AuditEvent.objects.count(),
        "assignments": list(
            ReviewAssignment.objects.order_by("pk").values_list(
                "pk", "reviewer", "is_open", "due_date", "started_revision", "closed_at"
            )
        ),
        "history rows": (ArticleWorkflow.history.count(), ReviewAssignment.history.count(), SignOff.history.count()),
        "reader index": list(PublishedArticle.objects.values_list("article", "revision")),
    }


def fail_after_saving(model, monkeypatch):
    """Make every save of `model` write its row and then fail, as a crash right after the write would."""
    save = model.save

    def save_then_fail(self, *args, **kwargs):
        save(self, *args, **kwargs)
        raise RuntimeError(f"Injected fault after saving a {model.__name__}.")

    monkeypatch.setattr(model, "save", save_then_fail)


def after_the_audit_event(move, monkeypatch):
    fail_after_saving(AuditEvent, monkeypatch)  # the last write of every move
    move()


def after_the_workflow_row(move, monkeypatch):
    fail_after_saving(ArticleWorkflow, monkeypatch)
    move()


def in_the_callers_transaction(move, monkeypatch):
    """The move itself succeeds, inside a caller's transaction that then fails before committing."""
    with transaction.atomic():
        move()
        raise RuntimeError("Injected fault in the caller, after the move returned.")


FAULTS = {
    "after the audit event is written": after_the_audit_event,
    "after the workflow row is written": after_the_workflow_row,
    "in the caller's transaction after the move": in_the_callers_transaction,
}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("move", SCENES)
def test_a_move_that_fails_after_writing_leaves_the_database_as_it_was_and_sends_no_email(
    move, fault, editor, managing_editor, monkeypatch
):
    scene = SCENES[move](editor, managing_editor)
    before = database_state(scene.article)
    mail.outbox.clear()

    with pytest.raises(RuntimeError, match="Injected fault"):
        FAULTS[fault](scene.move, monkeypatch)

    assert database_state(scene.article) == before
    assert mail.outbox == []


@pytest.mark.parametrize("move", SCENES)
def test_a_move_that_commits_writes_one_audit_event_and_sends_its_email(move, editor, managing_editor):
    # The control for the test above: in these tests a committed move's email really is sent.
    scene = SCENES[move](editor, managing_editor)
    events = AuditEvent.objects.count()
    mail.outbox.clear()

    scene.move()

    assert AuditEvent.objects.count() == events + 1
    assert [message.to for message in mail.outbox] == scene.recipients


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("The mail server refused the connection.")


@pytest.mark.parametrize("move", SCENES)
def test_a_committed_move_whose_email_fails_returns_normally_and_stays_recorded(
    move, editor, managing_editor, settings
):
    scene = SCENES[move](editor, managing_editor)
    events = AuditEvent.objects.count()
    mail.outbox.clear()
    settings.EMAIL_BACKEND = "tests.test_workflow_concurrency.FailingEmailBackend"

    scene.move()

    assert (AuditEvent.objects.count(), mail.outbox) == (events + 1, [])


def test_approving_from_the_desk_when_the_mail_server_is_down_answers_with_the_recorded_approval(
    client, editor, managing_editor, settings
):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    settings.EMAIL_BACKEND = "tests.test_workflow_concurrency.FailingEmailBackend"
    client.force_login(reviewer.user)
    checklist = dict.fromkeys(SignOff.CHECKLIST, "on")
    form = {"content_hash": revision.content_hash, "conflict": "none", **checklist, "notes-TOTAL_FORMS": "0"}

    response = client.post(
        reverse("desk:approve", args=[article.slug, revision.number]),
        form | {"notes-INITIAL_FORMS": "0", "conflict_disclosure": "", "comment": ""},
    )

    assert (response.status_code, response["Location"]) == (302, reverse("desk:review", args=[article.slug, 1]))
    assert ArticleWorkflow.objects.get(article=article).state == State.APPROVED
    assert list(SignOff.objects.values_list("signed_by__username", flat=True)) == [reviewer.user.username]
