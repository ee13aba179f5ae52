"""Emails through the real database queue and `manage.py db_worker`, on PostgreSQL.

Every move really commits (no test transaction wraps it). The email task is
written in the move's own transaction (a transactional outbox), sits in the
queue once the move commits, and goes out only when a worker runs it.
"""

import datetime
import signal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from editorial.models import ArticleWorkflow, SignOff
from editorial.notifications import email_decision
from editorial.services import article_schedule
from editorial.tasks import run_schedule
from editorial.workflow import State
from jobs.models import SentEmail
from tests.test_background_emails import FlakyEmailBackend
from tests.workflow_helpers import approve, approved, citable_article, edit_claim, under_review

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Needs PostgreSQL: the worker shares the queue with other sessions through row locks.",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker():
    """Run `db_worker` until the queue has nothing due, as `--batch` does; keep pytest's signal handlers."""
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0, stdout=StringIO())
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def queue():
    """Each queued task: its function, arguments and status, oldest first."""
    return [
        (result.task_name, result.args_kwargs, result.status)
        for result in DBTaskResult.objects.order_by("enqueued_at", "run_after")
    ]


def email_queue():
    """The queued email tasks, as `queue` lists them (a move also queues the rendering of the pages it changes)."""
    return [task for task in queue() if task[0].startswith("email_")]


class RolledBack(Exception):
    pass


def test_a_moves_email_task_is_written_in_the_moves_own_transaction(editor, managing_editor):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    queued_before = queue()

    with pytest.raises(RolledBack), transaction.atomic():
        sign_off = approve(revision, reviewer)
        queued_with_the_move = queue()[len(queued_before) :]
        raise RolledBack  # anything after the move, before its commit: a crash, a failed check

    decision = {"args": [sign_off.pk], "kwargs": {"approved": True}}
    assert queued_with_the_move == [("email_decision", decision, "READY")]
    assert (queue(), SignOff.objects.filter(revision=revision).count()) == (queued_before, 0)


def test_a_moves_email_waits_in_the_queue_and_the_worker_sends_it_exactly_once(editor, managing_editor):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    run_worker()  # the assignment's email
    mail.outbox.clear()

    sign_off = approve(revision, reviewer)
    waiting = (list(mail.outbox), email_queue()[-1])
    run_worker()
    email_decision.enqueue(sign_off.pk, approved=True)  # a duplicate of the task, by accident or a retry
    run_worker()

    decision = {"args": [sign_off.pk], "kwargs": {"approved": True}}
    assert waiting == ([], ("email_decision", decision, "READY"))
    assert [(message.to, message.subject) for message in mail.outbox] == [
        ([editor.email], f"Approved: “{article.title}” (revision 1)")
    ]
    assert email_queue()[-2:] == [
        ("email_decision", decision, "SUCCESSFUL"),
        ("email_decision", decision, "SUCCESSFUL"),
    ]
    assert SentEmail.objects.filter(key__startswith="sign-off:").count() == 1


def test_the_worker_retries_a_refused_email_later_and_then_sends_it_once(editor, managing_editor, settings):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    run_worker()
    mail.outbox.clear()
    settings.EMAIL_BACKEND = "tests.test_background_emails.FlakyEmailBackend"
    FlakyEmailBackend.refusals = 1

    sign_off = approve(revision, reviewer)
    before = timezone.now()
    run_worker()  # refused: the next attempt is due in a minute
    retry = DBTaskResult.objects.get(status="READY")
    run_worker()  # not due yet: nothing runs
    after_one_failure = (list(mail.outbox), email_queue()[-2:])
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker()

    assert ArticleWorkflow.objects.get(article=article).state == State.APPROVED
    decision = {"args": [sign_off.pk], "kwargs": {"approved": True}}
    assert after_one_failure == (
        [],
        [
            ("email_decision", decision, "FAILED"),
            ("email_decision", decision | {"kwargs": {"approved": True, "attempt": 2}}, "READY"),
        ],
    )
    assert before + datetime.timedelta(seconds=55) < retry.run_after < before + datetime.timedelta(seconds=65)
    assert [message.to for message in mail.outbox] == [[editor.email]]
    assert [status for *_, status in email_queue()[-2:]] == ["FAILED", "SUCCESSFUL"]


def test_the_worker_runs_the_schedule_and_puts_a_due_go_live_live(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    edit_claim(article, "Newer wording.", user=editor)
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    article_schedule(
        article=article,
        user=managing_editor,
        go_live_at=timezone.now() + datetime.timedelta(hours=1),
        expires_at=None,
        review_interval_months=None,
    )
    approve(revision, reviewer)
    # The hour passes.
    ArticleWorkflow.objects.filter(article=article).update(go_live_at=timezone.now() - datetime.timedelta(minutes=1))

    result = run_schedule.enqueue()
    run_worker()

    workflow = ArticleWorkflow.objects.get(article=article)
    assert (workflow.state, workflow.live_revision, workflow.go_live_at) == (State.APPROVED, revision, None)
    finished = DBTaskResult.objects.get(pk=result.id)
    assert (finished.task_name, finished.status, finished.return_value) == (
        "run_schedule",
        "SUCCESSFUL",
        {"went_live": 1, "expired": 0},
    )
