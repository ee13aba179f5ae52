"""The periodic jobs of an article's life: the schedule's moves and the review reminders.

The jobs read the clock once and hand it on (`schedule_run(now=)`,
`review_reminders_send(today=)`), so these tests run them at a moment of
their choosing instead of waiting for it. `tests/test_task_worker.py` runs
`run_schedule` through the real queue and worker.
"""

import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from editorial.models import ArticleWorkflow, AuditEvent
from editorial.services import (
    article_hold,
    article_rereview,
    article_schedule,
    article_submit,
    article_withdraw,
    review_assign,
    review_start,
)
from editorial.tasks import review_reminders_send, run_schedule, schedule_run, send_review_reminders
from editorial.workflow import EXPIRED_PUBLIC_REASON, Action, State
from jobs.models import SentEmail
from jobs.periodic import periodic_tasks
from tests.factories import BoardMemberFactory, EditorFactory, ManagingEditorFactory, ReviewerFactory
from tests.workflow_helpers import approve, approved, citable_article, edit_claim, under_review

pytestmark = pytest.mark.django_db

SOON = timedelta(days=1)


def set_schedule(article, managing_editor, *, go_live_at=None, expires_at=None, months=None):
    return article_schedule(
        article=article,
        user=managing_editor,
        go_live_at=go_live_at,
        expires_at=expires_at,
        review_interval_months=months,
    )


def waiting_to_go_live(editor, managing_editor, *, after=SOON, **article_fields):
    """A live article whose newer revision is approved and waits `after` from now to go live; return it, revision."""
    article = citable_article(**article_fields)
    approved(article, editor, managing_editor)
    edit_claim(article, "Newer wording.", user=editor)
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    set_schedule(article, managing_editor, go_live_at=timezone.now() + after)
    approve(revision, reviewer)
    return article, revision


def expiring(editor, managing_editor, *, after=SOON):
    """A live article whose expiry comes `after` from now."""
    article = citable_article()
    approved(article, editor, managing_editor)
    set_schedule(article, managing_editor, expires_at=timezone.now() + after)
    return article


def workflow_of(article):
    return ArticleWorkflow.objects.select_related("live_revision").get(article=article)


def schedule_events(article):
    return list(
        AuditEvent.objects.filter(article=article, action__in=[Action.GO_LIVE, Action.EXPIRE])
        .order_by("pk")
        .values_list("action", "actor__username", "from_state", "to_state", "data__by_schedule")
    )


@contextmanager
def once_found_due(make_move):
    """Make `make_move` just after the job has read which articles are due to go live, before it moves them.

    As a person acting at that moment would: the move commits on its own,
    whatever the job does next.
    """
    pending = [make_move]

    def interleave(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if pending and '"go_live_at" <=' in sql:
            pending.pop()()
        return result

    with connection.execute_wrapper(interleave):
        yield
    assert not pending, "the job never looked for what is due"


# The schedule


def test_both_jobs_are_registered_as_periodic():
    jobs = periodic_tasks()
    assert (jobs["run_schedule"], jobs["send_review_reminders"]) == (run_schedule, send_review_reminders)


def test_run_schedule_puts_a_due_go_live_live_in_the_name_of_who_set_it(editor, managing_editor):
    article, revision = waiting_to_go_live(editor, managing_editor)

    counts = schedule_run(now=timezone.now() + SOON)

    workflow = workflow_of(article)
    assert counts == {"went_live": 1, "expired": 0}
    assert (workflow.state, workflow.live_revision, workflow.go_live_at) == (State.APPROVED, revision, None)
    assert schedule_events(article) == [(Action.GO_LIVE, "managing", State.SCHEDULED, State.APPROVED, True)]


def test_run_schedule_expires_a_due_expiry(editor, managing_editor):
    article = expiring(editor, managing_editor)

    counts = schedule_run(now=timezone.now() + SOON)

    workflow = workflow_of(article)
    assert counts == {"went_live": 0, "expired": 1}
    assert (workflow.state, workflow.live_revision, workflow.public_reason) == (
        State.WITHDRAWN,
        None,
        EXPIRED_PUBLIC_REASON,
    )
    assert schedule_events(article) == [(Action.EXPIRE, "managing", State.APPROVED, State.WITHDRAWN, True)]


def test_run_schedule_leaves_what_is_not_due_yet(editor, managing_editor):
    waiting, _ = waiting_to_go_live(editor, managing_editor, after=timedelta(days=2))
    expires = expiring(editor, managing_editor, after=timedelta(days=2))

    counts = schedule_run(now=timezone.now() + SOON)

    assert counts == {"went_live": 0, "expired": 0}
    assert (workflow_of(waiting).state, workflow_of(expires).state) == (State.SCHEDULED, State.APPROVED)
    assert schedule_events(waiting) + schedule_events(expires) == []


def test_run_schedule_skips_an_article_held_meanwhile_and_still_moves_the_others(editor, managing_editor, caplog):
    held, _ = waiting_to_go_live(editor, managing_editor, title="Held meanwhile")
    other, other_revision = waiting_to_go_live(editor, managing_editor)
    expires = expiring(editor, managing_editor)
    live_before = workflow_of(held).live_revision

    def hold():
        article_hold(
            article=held, user=managing_editor, revision=live_before, reason="Safety.", public_reason="Under check."
        )

    with once_found_due(hold):
        counts = schedule_run(now=timezone.now() + SOON)

    assert counts == {"went_live": 1, "expired": 1}
    held_workflow = workflow_of(held)
    assert (held_workflow.state, held_workflow.held_revision, held_workflow.go_live_at) == (
        State.HELD,
        live_before,
        None,
    )
    assert schedule_events(held) == []
    assert workflow_of(other).live_revision == other_revision
    assert workflow_of(expires).state == State.WITHDRAWN
    assert [record.getMessage() for record in caplog.records if record.name == "editorial.tasks"] == [
        f"The schedule skipped “{held}” ({held.slug}): “Held meanwhile” is held for safety, "
        "so it cannot be put live now."
    ]


def test_run_schedule_twice_moves_each_article_once(editor, managing_editor):
    article, _ = waiting_to_go_live(editor, managing_editor)
    expires = expiring(editor, managing_editor)
    later = timezone.now() + SOON

    first, second = schedule_run(now=later), schedule_run(now=later)

    assert (first, second) == ({"went_live": 1, "expired": 1}, {"went_live": 0, "expired": 0})
    assert len(schedule_events(article) + schedule_events(expires)) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Needs PostgreSQL: two sessions against real row locks.")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_run_schedule_in_two_overlapping_runs_moves_each_article_once(editor, managing_editor):
    articles = [waiting_to_go_live(editor, managing_editor)[0] for _ in range(3)]
    expires = expiring(editor, managing_editor)
    later, barrier, counts = timezone.now() + SOON, threading.Barrier(2), []

    def run():
        try:
            barrier.wait(timeout=30)
            counts.append(schedule_run(now=later))
        finally:
            connection.close()

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=60)

    went_live, expired = (sum(count[name] for count in counts) for name in ("went_live", "expired"))
    assert (len(counts), went_live, expired) == (2, 3, 1)
    assert [len(schedule_events(article)) for article in [*articles, expires]] == [1, 1, 1, 1]


# Review reminders


def review_due(article):
    return workflow_of(article).next_review_due


def reminders():
    return sorted((message.to[0], message.subject) for message in mail.outbox)


@pytest.fixture
def due_article(editor, managing_editor):
    """A live article in a re-review with one member assigned."""
    article = citable_article(title="Vitamin D and falls")
    approved(article, editor, managing_editor)
    article_rereview(article=article, user=managing_editor)
    member = ReviewerFactory(user__email="assigned@example.org")
    review_assign(article=article, assigned_by=managing_editor, reviewers=[member])
    mail.outbox.clear()
    return article


@pytest.fixture
def bystanders(db):
    """People who must not be reminded: an editor, an inactive managing editor, an unassigned member."""
    EditorFactory(email="editor-only@example.org")
    ManagingEditorFactory(email="left@example.org", is_active=False)
    BoardMemberFactory(email="unassigned@example.org")
    ReviewerFactory(user__email="unassigned-member@example.org")


def test_review_due_soon_reminds_managing_editors_and_assigned_members(
    due_article, managing_editor, bystanders, settings
):
    article = due_article
    due = review_due(article)

    sent = review_reminders_send(today=due - timedelta(days=settings.EDITORIAL_REVIEW_REMINDER_DAYS))

    subject = f"The review of “Vitamin D and falls” is due by {due:%-d %B %Y}"
    assert sent == 2
    assert reminders() == [("assigned@example.org", subject), (managing_editor.email, subject)]


def test_review_due_soon_reminder_says_the_date_and_how_to_open_a_re_review(editor, managing_editor, settings):
    article = citable_article(title="Vitamin D and falls")
    approved(article, editor, managing_editor)
    workflow = workflow_of(article)

    review_reminders_send(today=workflow.next_review_due - timedelta(days=1))

    (message,) = mail.outbox
    reviewed, due, site = workflow.approved_at, workflow.next_review_due, settings.SITE_URL.rstrip("/")
    assert message.body == (
        f"The medical advisory board last reviewed “Vitamin D and falls” on {reviewed:%-d %B %Y}; "
        f"its next review is due by {due:%-d %B %Y}. Readers see revision 1 meanwhile.\n\n"
        "If the words still stand, a managing editor opens a re-review on the article's page (“Open a re-review”): "
        "the board signs the live words again, unchanged, and its approval moves the due date on. "
        "If they need changing, submit a new revision instead.\n\n"
        f"Open the article here: {site}{reverse('admin:articles_article_change', args=[article.pk])}\n"
        f"The review desk: {site}{reverse('desk:current', kwargs={'slug': article.slug})}\n"
    )


def test_review_overdue_reminds_again_after_due_soon_once_each(due_article, managing_editor):
    article = due_article
    due = review_due(article)

    sent = [
        review_reminders_send(today=due - timedelta(days=10)),
        review_reminders_send(today=due),
        review_reminders_send(today=due + timedelta(days=1)),
        review_reminders_send(today=due + timedelta(days=40)),
    ]

    assert sent == [2, 0, 2, 0]
    assert [message.subject for message in mail.outbox] == [
        f"The review of “Vitamin D and falls” is due by {due:%-d %B %Y}"
    ] * 2 + ["The review of “Vitamin D and falls” is overdue"] * 2
    assert list(SentEmail.objects.values_list("key", flat=True)) == [
        f"review-reminder:{article.pk}:{due.isoformat()}:due-soon:review_due_soon:assigned@example.org",
        f"review-reminder:{article.pk}:{due.isoformat()}:due-soon:review_due_soon:{managing_editor.email}",
        f"review-reminder:{article.pk}:{due.isoformat()}:overdue:review_overdue:assigned@example.org",
        f"review-reminder:{article.pk}:{due.isoformat()}:overdue:review_overdue:{managing_editor.email}",
    ]


def test_review_reminders_are_never_sent_twice(due_article):
    article = due_article
    today = review_due(article) + timedelta(days=1)

    sent = [review_reminders_send(today=today), review_reminders_send(today=today)]

    assert (sent, len(mail.outbox)) == ([2, 0], 2)


def test_review_reminders_skip_articles_not_live_or_not_due(editor, managing_editor):
    withdrawn, held, not_yet = citable_article(), citable_article(), citable_article()
    for article in (withdrawn, held, not_yet):
        approved(article, editor, managing_editor)
    article_withdraw(article=withdrawn, user=managing_editor, reason="Old.", public_reason="Out of date.")
    live = workflow_of(held).live_revision
    article_hold(article=held, user=managing_editor, revision=live, reason="Check.", public_reason="Under check.")
    set_schedule(not_yet, managing_editor, months=24)
    never_approved = citable_article()
    article_submit(article=never_approved, user=editor)
    mail.outbox.clear()

    sent = review_reminders_send(today=review_due(withdrawn) - timedelta(days=1))

    assert (sent, mail.outbox) == (0, [])


def test_review_reminders_start_afresh_once_a_re_certification_moves_the_date(editor, managing_editor):
    article = citable_article(title="Vitamin D and falls")
    approved(article, editor, managing_editor)
    long_ago = timezone.localdate() - timedelta(days=5)  # approved a year ago: the review is overdue
    ArticleWorkflow.objects.filter(article=article).update(next_review_due=long_ago)
    review_reminders_send(today=timezone.localdate())
    article_rereview(article=article, user=managing_editor)
    member = ReviewerFactory()
    review_assign(article=article, assigned_by=managing_editor, reviewers=[member])
    review_start(article=article, user=member.user)
    approve(workflow_of(article).live_revision, member)
    moved = review_due(article)
    mail.outbox.clear()

    sent = [review_reminders_send(today=timezone.localdate()), review_reminders_send(today=moved + timedelta(days=1))]

    assert moved > long_ago
    assert sent == [0, 1]
    assert reminders() == [(managing_editor.email, "The review of “Vitamin D and falls” is overdue")]
    assert SentEmail.objects.filter(key__contains=f":{moved.isoformat()}:overdue:").count() == 1


def test_review_reminders_take_a_fixed_number_of_queries_however_many_articles(
    editor, managing_editor, django_assert_num_queries
):
    articles = [citable_article() for _ in range(3)]
    for article in articles:
        approved(article, editor, managing_editor)
    today = review_due(articles[0]) + timedelta(days=1)
    review_reminders_send(today=today)

    with django_assert_num_queries(4 + 3 * 3):  # what is due, who to tell; then one ledger look-up per email
        review_reminders_send(today=today)
