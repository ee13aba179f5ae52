"""Workflow emails are background tasks: each sent once, retried while the mail server fails.

These run with the immediate task backend (test settings), so a task runs as
soon as it is enqueued, once the move commits; `tests/test_task_worker.py`
runs the same tasks through the real database worker on PostgreSQL.
"""

import datetime
import logging
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from editorial.models import ArticleWorkflow, AuditEvent, SignOff
from editorial.notifications import email_decision, email_flagged_evidence
from editorial.services import article_hold, article_submit, review_assign, review_request_changes
from editorial.workflow import State
from jobs.mail import Letter, send_once
from jobs.models import SentEmail
from jobs.retries import retry_delay
from references.models import Reference
from references.retractions import retractions_import
from tests.factories import CitationFactory, ReferenceFactory, ReviewerFactory
from tests.workflow_helpers import approve, approved, citable_article, edit_claim, submitted, under_review


class FlakyEmailBackend(EmailBackend):
    """A mail server that refuses the next `refusals` emails, then delivers (to `mail.outbox`)."""

    refusals = 0

    def send_messages(self, email_messages):
        if FlakyEmailBackend.refusals:
            FlakyEmailBackend.refusals -= 1
            raise ConnectionRefusedError("The mail server refused the connection.")
        return super().send_messages(email_messages)


@pytest.fixture
def flaky_mail_server(settings):
    settings.EMAIL_BACKEND = "tests.test_background_emails.FlakyEmailBackend"
    FlakyEmailBackend.refusals = 0
    yield FlakyEmailBackend
    FlakyEmailBackend.refusals = 0


def sent():
    return [(message.to, message.subject) for message in mail.outbox]


# Each move's email, sent once to the right people


def test_submission_emails_each_assigned_member_once(editor, managing_editor, django_capture_on_commit_callbacks):
    article = citable_article()
    _, board = under_review(article, editor, managing_editor, reviewers=2)
    edit_claim(article, "Corrected wording.", user=editor)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        revision = article_submit(article=article, user=editor)

    subject = f"Revision 2 of “{article.title}” is ready for your review"
    assert sent() == sorted(([member.user.email], subject) for member in board)
    assert list(SentEmail.objects.values_list("key", flat=True)) == [
        f"revision:{revision.pk}:revision_to_review:{email}" for email in sorted(m.user.email for m in board)
    ]


def test_assignment_emails_only_the_members_it_adds(editor, managing_editor, django_capture_on_commit_callbacks):
    article = citable_article()
    _, (first,) = submitted(article, editor, managing_editor)
    second = ReviewerFactory()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        (assignment,) = review_assign(article=article, assigned_by=managing_editor, reviewers=[first, second])

    assert sent() == [([second.user.email], f"You have been asked to review “{article.title}”")]
    assert list(SentEmail.objects.values_list("key", flat=True)) == [
        f"assignment:{assignment.pk}:assigned:{second.user.email}"
    ]


def test_approval_reaching_quorum_emails_the_editor_once(editor, managing_editor, django_capture_on_commit_callbacks):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        sign_off = approve(revision, reviewer)

    assert sent() == [([editor.email], f"Approved: “{article.title}” (revision 1)")]
    assert list(SentEmail.objects.values_list("key", "recipient")) == [
        (f"sign-off:{sign_off.pk}:decision:{editor.email}", editor.email)
    ]


def test_request_for_changes_emails_the_editor_once(editor, managing_editor, django_capture_on_commit_callbacks):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        review_request_changes(
            revision=revision,
            user=reviewer.user,
            content_hash=revision.content_hash,
            conflict="none",
            comment="Check the dose.",
        )

    assert sent() == [([editor.email], f"Changes requested: “{article.title}” (revision 1)")]


def test_a_move_that_does_not_commit_enqueues_nothing(editor, managing_editor, django_capture_on_commit_callbacks):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=False):  # the test's transaction never commits
        approve(revision, reviewer)

    assert (mail.outbox, SentEmail.objects.count()) == ([], 0)


def test_a_hold_emails_managing_editors_and_the_approving_member_once(
    editor, managing_editor, django_capture_on_commit_callbacks
):
    article = citable_article()
    revision, (approver,) = approved(article, editor, managing_editor)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        article_hold(
            article=article,
            user=managing_editor,
            revision=revision,
            reason="A safety notice about the dose.",
            public_reason="We are checking this answer.",
        )

    event = AuditEvent.objects.filter(article=article).latest("pk")
    subject = f"“{article.title}” is held for safety"
    assert sent() == sorted([([approver.user.email], subject), ([managing_editor.email], subject)])
    assert sorted(SentEmail.objects.values_list("key", flat=True)) == sorted(
        f"audit-event:{event.pk}:held:{email}" for email in (approver.user.email, managing_editor.email)
    )


# Idempotency


def test_an_email_task_run_twice_sends_once(editor, managing_editor, django_capture_on_commit_callbacks):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    with django_capture_on_commit_callbacks(execute=True):
        sign_off = approve(revision, reviewer)

    result = email_decision.enqueue(sign_off.pk, approved=True)  # a duplicate of the task the move enqueued

    assert (result.status, result.return_value) == ("SUCCESSFUL", 0)
    assert sent() == [([editor.email], f"Approved: “{article.title}” (revision 1)")]
    assert SentEmail.objects.count() == 1


def test_retraction_email_goes_once_per_import_that_flags(editor, managing_editor, django_capture_on_commit_callbacks):
    managing_editor.email = "managing@example.org"
    managing_editor.save()
    first, second = ReferenceFactory(), ReferenceFactory()
    article = citable_article(title="Magnesium for migraine")
    CitationFactory(claim=article.sections.first().claims.first(), reference=first, order=1)
    CitationFactory(claim=article.sections.first().claims.last(), reference=second, order=1)
    approved(article, editor, managing_editor)
    mail.outbox.clear()

    def import_retraction_of(reference):
        row = {"RetractionNature": "Retraction", "RetractionDate": "3/14/2024 0:00"}
        row |= {"OriginalPaperDOI": reference.doi, "OriginalPaperPubMedID": ""}
        with django_capture_on_commit_callbacks(execute=True):
            retractions_import(rows=[row], source="Retraction Watch")

    import_retraction_of(first)
    flagging = SentEmail.objects.get().key.split(":")[1]
    email_flagged_evidence.enqueue([first.pk], int(flagging))  # the same import's email, enqueued again
    import_retraction_of(second)  # a later import: news again

    subject = "Retracted evidence: 1 live article affected"
    assert sent() == [(["managing@example.org"], subject), (["managing@example.org"], subject)]
    assert Reference.objects.filter(retraction_status=Reference.Retraction.RETRACTED).count() == 2


# Retries


def test_an_smtp_failure_leaves_the_move_recorded_and_the_email_is_retried_then_sent(
    editor, managing_editor, flaky_mail_server, caplog, django_capture_on_commit_callbacks
):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    mail.outbox.clear()
    flaky_mail_server.refusals = 2

    with caplog.at_level(logging.WARNING, logger="jobs.retries"), django_capture_on_commit_callbacks(execute=True):
        sign_off = approve(revision, reviewer)

    assert ArticleWorkflow.objects.get(article=article).state == State.APPROVED
    assert SignOff.objects.get() == sign_off
    assert sent() == [([editor.email], f"Approved: “{article.title}” (revision 1)")]
    call = f"editorial.notifications.email_decision({sign_off.pk}, approved=True)"
    retries = [record for record in caplog.records if record.name == "jobs.retries"]
    assert [(record.levelname, record.getMessage().partition(":")[0]) for record in retries] == [
        ("WARNING", f"{call} failed (attempt 1 of 6), trying again in 0 s"),
        ("WARNING", f"{call} failed (attempt 2 of 6), trying again in 0 s"),
    ]


def test_a_task_sends_the_addresses_the_server_took_and_retries_only_the_others(
    editor, managing_editor, flaky_mail_server, django_capture_on_commit_callbacks
):
    article = citable_article()
    under_review(article, editor, managing_editor, reviewers=2)
    edit_claim(article, "Corrected wording.", user=editor)
    mail.outbox.clear()
    flaky_mail_server.refusals = 1  # the first address fails once

    with django_capture_on_commit_callbacks(execute=True):
        article_submit(article=article, user=editor)

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        SentEmail.objects.values_list("recipient", flat=True)
    )
    assert len(mail.outbox) == 2


def test_a_mail_server_down_for_every_attempt_is_given_up_with_an_error_naming_the_email(
    editor, managing_editor, flaky_mail_server, settings, caplog, django_capture_on_commit_callbacks
):
    settings.TASKS_MAX_ATTEMPTS = 3
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    mail.outbox.clear()
    flaky_mail_server.refusals = 99

    with caplog.at_level(logging.WARNING, logger="jobs.retries"), django_capture_on_commit_callbacks(execute=True):
        sign_off = approve(revision, reviewer)

    assert (ArticleWorkflow.objects.get(article=article).state, mail.outbox, SentEmail.objects.count()) == (
        State.APPROVED,
        [],
        0,
    )
    (gave_up,) = [record for record in caplog.records if (record.name, record.levelname) == ("jobs.retries", "ERROR")]
    assert gave_up.getMessage().startswith(
        f"Gave up on editorial.notifications.email_decision({sign_off.pk}, approved=True) after 3 "
        f"attempts (last error: EmailNotSent: 1 email(s) not sent, 0 sent: {editor.email} "
        f"(sign-off:{sign_off.pk}:decision:{editor.email}): ConnectionRefusedError: The mail server refused"
    )


def test_retries_wait_four_times_longer_each_time(settings):
    settings.TASKS_RETRY_DELAY_SECONDS = 60

    assert [retry_delay(attempt) for attempt in range(1, 6)] == [
        datetime.timedelta(minutes=minutes) for minutes in (1, 4, 16, 64, 256)
    ]


# Periodic jobs


def test_periodic_jobs_are_listed_by_name(db):
    out = StringIO()

    call_command("run_periodic_tasks", "--list", stdout=out)

    assert out.getvalue() == (
        "purge_task_results: Delete results of tasks that finished more than TASKS_RESULTS_KEPT_DAYS ago; "
        "return how many.\n"
        "retry_stalled_tasks: Retry the retried tasks (emails) that a worker started and never finished; "
        "return how many.\n"
        "run_schedule: Put live the approved revisions whose go-live time has come, then expire what is due; "
        "return how many.\n"
        "send_review_reminders: Remind managing editors and assigned members of live articles whose review "
        "is due soon or overdue.\n"
        "take_checkpoint: Seal the history and checkpoint every article's head; return the new checkpoint's id, "
        "None if nothing changed.\n"
    )


def task_result(task, *, status, started=None, finished=None, args=(), kwargs=None):
    return DBTaskResult.objects.create(
        task_path=task.module_path,
        args_kwargs={"args": list(args), "kwargs": kwargs or {}},
        backend_name="default",
        status=status,
        started_at=started,
        finished_at=finished,
        worker_ids=["vanished-worker"] if started else [],
    )


def test_purge_deletes_results_finished_before_the_kept_days(db, settings):
    settings.TASKS_RESULTS_KEPT_DAYS = 30
    now = timezone.now()
    old = now - datetime.timedelta(days=31)
    kept = [
        task_result(email_decision, status="SUCCESSFUL", finished=now - datetime.timedelta(days=29)),
        task_result(email_decision, status="READY"),
        task_result(email_decision, status="RUNNING", started=old),
    ]
    task_result(email_decision, status="SUCCESSFUL", finished=old)
    task_result(email_decision, status="FAILED", finished=old)

    call_command("run_periodic_tasks", "purge_task_results", stdout=StringIO())

    assert sorted(DBTaskResult.objects.values_list("pk", flat=True)) == sorted(result.pk for result in kept)


def test_an_email_task_whose_worker_vanished_is_retried_and_sends_once(
    editor, managing_editor, settings, django_capture_on_commit_callbacks
):
    settings.TASKS_STALLED_AFTER_MINUTES = 30
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    with django_capture_on_commit_callbacks(execute=False):  # the email task a killed worker had claimed
        sign_off = approve(revision, reviewer)
    started = timezone.now() - datetime.timedelta(minutes=31)
    stalled = task_result(
        email_decision, status="RUNNING", started=started, args=[sign_off.pk], kwargs={"approved": True}
    )
    recent = task_result(email_decision, status="RUNNING", started=timezone.now(), args=[sign_off.pk])
    mail.outbox.clear()

    call_command("run_periodic_tasks", "retry_stalled_tasks", stdout=StringIO())
    call_command("run_periodic_tasks", "retry_stalled_tasks", stdout=StringIO())  # an overlapping run

    assert sent() == [([editor.email], f"Approved: “{article.title}” (revision 1)")]
    stalled.refresh_from_db()
    recent.refresh_from_db()
    assert (stalled.status, stalled.exception_class_path, recent.status) == (
        "FAILED",
        "jobs.tasks.WorkerVanished",
        "RUNNING",
    )


def test_unknown_periodic_job_is_refused_by_name(db):
    with pytest.raises(Exception, match="No periodic job named reminders"):
        call_command("run_periodic_tasks", "reminders", stdout=StringIO())


def test_an_email_to_the_longest_address_is_recorded_and_sent_once(db):
    address = "a" * 64 + "@" + ".".join(["b" * 63, "c" * 63, "d" * 57, "org"])  # 254 characters, the most allowed
    letter = Letter(
        key=f"review-reminder:1:2027-01-31:overdue:review_overdue:{address}", to=address, subject="S", body="B"
    )

    sent = [send_once(letter), send_once(letter)]

    assert (len(address), sent, len(mail.outbox), SentEmail.objects.count()) == (254, [True, False], 1, 1)
