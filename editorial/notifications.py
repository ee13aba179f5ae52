"""Emails the workflow sends, as background tasks.

Services call the `notify_*` functions once a move commits. Each enqueues a
task with the ids of what the email is about, never model instances, so the
task reads the rows as they are when a worker runs it. A task sends one email
per address, at most once whatever happens to the task (`jobs.mail.send_once`,
keyed by the event, the template and the address), and is retried with
backoff while the mail server fails (`jobs.retries.retried`). Nothing is
enqueued for a move that did not commit.
"""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from config.text import person_name
from editorial.corrections import change_label
from editorial.evidence import live_articles_citing_flagged_evidence
from editorial.experts.tokens import seal, unseal
from editorial.models import (
    ArticleWorkflow,
    AuditEvent,
    ExpertLink,
    ReviewAssignment,
    ReviewThread,
    Revision,
    SignOff,
    ThreadMessage,
)
from editorial.roles import MANAGING_EDITORS
from editorial.rules import may_take_part_in_threads
from jobs.mail import Letter, send_all_once
from jobs.retries import retried
from references.models import Reference


def article_link(article) -> str:
    """Where an editor works on the article: its page in the admin."""
    return settings.SITE_URL.rstrip("/") + reverse("admin:articles_article_change", args=[article.pk])


def review_link(revision) -> str:
    """Where a board member reviews exactly this revision: its page on the review desk."""
    return settings.SITE_URL.rstrip("/") + reverse(
        "desk:review", kwargs={"slug": revision.article.slug, "number": revision.number}
    )


def desk_link(article) -> str:
    """The review desk page for whichever revision of the article is in review."""
    return settings.SITE_URL.rstrip("/") + reverse("desk:current", kwargs={"slug": article.slug})


def threads_link(article, thread=None) -> str:
    """Where the article's editors and reviewers read its review threads and answer them; with `thread`, that one."""
    link = settings.SITE_URL.rstrip("/") + reverse("desk:threads", kwargs={"slug": article.slug})
    return f"{link}#thread-{thread.pk}" if thread is not None else link


def _letters(about: str, template: str, recipients, context: dict) -> list[Letter]:
    """One email per address from `templates/editorial/email/<template>.txt` (subject on its first line).

    `about` names the event the email announces (`sign-off:42`); with the
    template and the address it is the idempotency key of each email.
    """
    addresses = sorted({user.email for user in recipients if user.email})
    if not addresses:
        return []
    subject, _, body = render_to_string(f"editorial/email/{template}.txt", context).strip().partition("\n")
    return [
        Letter(key=f"{about}:{template}:{address}", to=address, subject=subject.strip(), body=body.strip() + "\n")
        for address in addresses
    ]


def _managing_editors():
    """The active managing editors: every workflow email that concerns the whole desk goes to them."""
    return get_user_model().objects.filter(groups__name=MANAGING_EDITORS, is_active=True)


def _users_reviewing(reviewer_ids):
    return get_user_model().objects.filter(reviewer__pk__in=reviewer_ids)


def notify_reviewers_of_revision(revision, reviewers) -> None:
    """Tell assigned board members there is a revision for them to review."""
    if reviewers:
        email_revision_to_review.enqueue(revision.pk, sorted(reviewer.pk for reviewer in reviewers))


@task()
@retried
def email_revision_to_review(revision_id: int, reviewer_ids: list[int]) -> int:
    revision = Revision.objects.select_related("article").get(pk=revision_id)
    context = {"revision": revision, "article": revision.article, "link": review_link(revision)}
    return send_all_once(
        _letters(f"revision:{revision_id}", "revision_to_review", _users_reviewing(reviewer_ids), context)
    )


def notify_reviewers_of_assignment(article, assignments) -> None:
    """Tell newly assigned board members what they are asked to review, and by when."""
    if assignments:
        email_assignments.enqueue(sorted(assignment.pk for assignment in assignments))


@task()
@retried
def email_assignments(assignment_ids: list[int]) -> int:
    assignments = ReviewAssignment.objects.filter(pk__in=assignment_ids).select_related("article", "reviewer__user")
    letters = []
    for assignment in assignments.order_by("pk"):
        context = {"article": assignment.article, "assignments": [assignment], "link": desk_link(assignment.article)}
        letters += _letters(f"assignment:{assignment.pk}", "assigned", [assignment.reviewer.user], context)
    return send_all_once(letters)


def notify_editors_of_decision(sign_off, *, approved: bool) -> None:
    """Tell the revision's author and editors that changes were requested, or that it was approved."""
    email_decision.enqueue(sign_off.pk, approved=approved)


@task()
@retried
def email_decision(sign_off_id: int, approved: bool) -> int:
    sign_off = SignOff.objects.select_related("revision__article", "revision__created_by", "reviewer").get(
        pk=sign_off_id
    )
    revision = sign_off.revision
    notes = ThreadMessage.objects.filter(sign_off=sign_off, thread__claim_uid__isnull=False).select_related("thread")
    context = {
        "sign_off": sign_off,
        "revision": revision,
        "article": revision.article,
        "approved": approved,
        "notes": list(notes.order_by("id")),
        "link": article_link(revision.article),
        "threads_link": threads_link(revision.article),
    }
    recipients = [revision.created_by, *revision.contributors.all()]
    return send_all_once(_letters(f"sign-off:{sign_off_id}", "decision", recipients, context))


def notify_of_thread_message(message) -> None:
    """Tell the other side of a review thread that somebody wrote in it: the editors, or the board members."""
    email_thread_message.enqueue(message.pk)


@task()
@retried
def email_thread_message(message_id: int) -> int:
    """Email a new message to the other side: the article's editors if a reviewer wrote it, else its reviewers.

    A reviewer is a board member ever assigned to the article; the editors are
    the author and contributors of its newest revision. Whoever wrote in the
    thread before hears of it too, on their side; the author never does. An
    outside expert's comment goes to the editors, and to the managing editor
    who invited the expert.
    """
    message = ThreadMessage.objects.select_related(
        "thread__article", "author", "read_revision", "expert_link__created_by"
    ).get(pk=message_id)
    thread, article = message.thread, message.thread.article
    reviewers = set(
        ReviewAssignment.objects.filter(article=article).values_list("reviewer__user_id", flat=True).distinct()
    )
    earlier = {m.author for m in thread.messages.exclude(pk=message.pk).select_related("author") if m.author}
    if message.author_id in reviewers or message.expert_link_id is not None:
        newest = Revision.objects.filter(article=article).select_related("created_by").order_by("-number").first()
        side = [newest.created_by, *newest.contributors.all()]
        side += [user for user in earlier if user.pk not in reviewers]
        side += [message.expert_link.created_by] if message.expert_link_id is not None else []
    else:
        open_members = ReviewAssignment.objects.filter(article=article, is_open=True).values("reviewer__user")
        side = [*get_user_model().objects.filter(pk__in=open_members)]
        side += [user for user in earlier if user.pk in reviewers]
    recipients = [user for user in side if user.pk != message.author_id and user.is_active]
    context = {"message": message, "thread": thread, "article": article, "link": threads_link(article, thread)}
    return send_all_once(_letters(f"thread-message:{message_id}", "thread_message", recipients, context))


def notify_of_thread_move(thread, move_id: int) -> None:
    """Tell those who wrote in a review thread that somebody resolved or reopened it (history row `move_id`)."""
    email_thread_moved.enqueue(thread.pk, move_id)


@task()
@retried
def email_thread_moved(thread_id: int, move_id: int) -> int:
    """Email whoever opened the thread or wrote in it, but the person who moved it, that it was resolved or reopened.

    The thread's history row `move_id` says which move it was and who made it.
    A move undone or superseded before this runs tells nobody: the later move
    sends its own email. Only people who may still take part in the article's
    threads are told; an outside expert is not (their link reaches no thread).
    """
    thread = ReviewThread.objects.select_related("article", "opened_on", "resolved_in").get(pk=thread_id)
    move = thread.history.select_related("history_user").order_by("-history_id").first()
    if move is None or move.history_id != move_id:
        return 0
    mover = move.history_user
    people = {message.author for message in thread.messages.select_related("author") if message.author}
    people |= {thread.opened_by} if thread.opened_by_id else set()
    recipients = [
        user
        for user in people
        if user.pk != getattr(mover, "pk", None) and may_take_part_in_threads(user, thread.article)
    ]
    context = {
        "thread": thread,
        "article": thread.article,
        "mover": person_name(mover) if mover else "Somebody",
        "link": threads_link(thread.article, thread),
    }
    return send_all_once(_letters(f"thread-move:{move_id}", "thread_moved", recipients, context))


def notify_managing_editors_of_flagged_evidence(reference_ids) -> None:
    """Tell managing editors which live articles cite references just retracted or placed under concern.

    The import that flagged them is named by the newest history row it wrote
    for those references: the same import gives the same key, the next one a new key.
    """
    reference_ids = sorted(reference_ids)
    flagging = Reference.history.filter(id__in=reference_ids).aggregate(newest=Max("history_id"))["newest"]
    email_flagged_evidence.enqueue(reference_ids, flagging)


@task()
@retried
def email_flagged_evidence(reference_ids: list[int], flagging: int) -> int:
    """One email per managing editor listing every affected live article; nothing if no live article cites them."""
    flagged_articles = live_articles_citing_flagged_evidence(reference_ids=reference_ids)
    if not flagged_articles:
        return 0
    managing_editors = _managing_editors()
    context = {
        "entries": [(entry, article_link(entry.article)) for entry in flagged_articles],
        "link": settings.SITE_URL.rstrip("/") + reverse("admin:articles_article_retracted_evidence"),
    }
    return send_all_once(_letters(f"reference-history:{flagging}", "flagged_evidence", managing_editors, context))


def notify_of_problem_report(report) -> None:
    """Tell managing editors that a reader reported a problem with a claim."""
    email_problem_report.enqueue(report.pk)


@task()
@retried
def email_problem_report(report_id: int) -> int:
    # Imported here: the reader app (which stores reports) and the services both import this module.
    from editorial.services.threads import claim_words
    from reader.models import ProblemReport

    report = ProblemReport.objects.select_related("article", "revision").get(pk=report_id)
    context = {
        "report": report,
        "article": report.article,
        "claim": claim_words(report.revision, report.claim_uid) or "",
        "link": settings.SITE_URL.rstrip("/") + reverse("desk:problem_report", args=[report.pk]),
    }
    return send_all_once(_letters(f"problem-report:{report_id}", "problem_report", _managing_editors(), context))


def notify_readers_of_fix(reports) -> None:
    """Tell each reader who left an address that the answer they reported a problem with was corrected."""
    email_problem_report_fixed.enqueue(sorted(report.pk for report in reports))


@task()
@retried
def email_problem_report_fixed(report_ids: list[int]) -> int:
    """One email per report still marked fixed when the task runs: a report reopened since is not answered."""
    from reader.models import ProblemReport

    reports = ProblemReport.objects.filter(pk__in=report_ids, state=ProblemReport.State.FIXED).exclude(email="")
    letters = []
    for report in reports.select_related("fixed_in").order_by("pk"):
        revision = report.fixed_in
        site = settings.SITE_URL.rstrip("/")
        context = {
            "report": report,
            "revision": revision,
            "kind": change_label(revision.content.get("change_type")),
            "link": site + reverse("reader:article", args=[revision.content["slug"]]),
            "changes_link": site + reverse("reader:article_changes", args=[revision.content["slug"]]),
        }
        subject, _, body = render_to_string("editorial/email/problem_report_fixed.txt", context).strip().partition("\n")
        key = f"problem-report:{report.pk}:problem_report_fixed:{revision.pk}:{report.email}"
        letters.append(Letter(key=key, to=report.email, subject=subject.strip(), body=body.strip() + "\n"))
    return send_all_once(letters)


def notify_of_hold(event, reviewers) -> None:
    """Tell managing editors, the members reviewing the article and those who approved the held words."""
    email_hold.enqueue(event.pk, sorted(reviewer.pk for reviewer in reviewers))


@task()
@retried
def email_hold(event_id: int, reviewer_ids: list[int]) -> int:
    event = AuditEvent.objects.select_related("actor", "revision__article").get(pk=event_id)
    revision = event.revision
    approvers = [sign_off.signed_by for sign_off in revision.sign_offs.filter(decision="approve")]
    managing_editors = _managing_editors()
    recipients = [*managing_editors, *_users_reviewing(reviewer_ids), *approvers]
    article = revision.article
    context = {"event": event, "article": article, "revision": revision, "link": article_link(article)}
    return send_all_once(_letters(f"audit-event:{event_id}", "held", recipients, context))


def notify_of_expiry(event, reviewers) -> None:
    """Tell managing editors, and any members whose review the expiry closed, that live words expired."""
    email_expired.enqueue(event.pk, sorted(reviewer.pk for reviewer in reviewers))


@task()
@retried
def email_expired(event_id: int, reviewer_ids: list[int]) -> int:
    event = AuditEvent.objects.select_related("revision__article").get(pk=event_id)
    article = event.revision.article
    managing_editors = _managing_editors()
    recipients = [*managing_editors, *_users_reviewing(reviewer_ids)]
    context = {"event": event, "article": article, "revision": event.revision, "link": article_link(article)}
    return send_all_once(_letters(f"audit-event:{event_id}", "expired", recipients, context))


def expert_review_link(link, token: str) -> str:
    """The address an outside expert opens: the revision the link shows, and the token that opens it."""
    revision = link.revision
    kwargs = {"slug": revision.content["slug"], "number": revision.number, "token": token}
    return settings.SITE_URL.rstrip("/") + reverse("experts:review", kwargs=kwargs)


def notify_expert_of_link(link, token: str) -> None:
    """Send the outside expert their link; the task's arguments carry the token sealed, never as it is."""
    email_expert_link.enqueue(link.pk, seal(link.pk, token))


@task()
@retried
def email_expert_link(link_id: int, sealed_token: str) -> int:
    link = ExpertLink.objects.select_related("revision__article", "created_by").get(pk=link_id)
    if link.revoked_at is not None:
        return 0  # revoked before the email left: the link opens nothing, so nothing is sent
    context = {"link": link, "revision": link.revision, "url": expert_review_link(link, unseal(link.pk, sealed_token))}
    subject, _, body = render_to_string("editorial/email/expert_link.txt", context).strip().partition("\n")
    key = f"expert-link:{link_id}:expert_link:{link.email}"
    return send_all_once([Letter(key=key, to=link.email, subject=subject.strip(), body=body.strip() + "\n")])


# The review reminders' stages, in the order an article reaches them, each with its email template.
REVIEW_DUE_SOON, REVIEW_OVERDUE = "due-soon", "overdue"
REMINDER_TEMPLATES = {REVIEW_DUE_SOON: "review_due_soon", REVIEW_OVERDUE: "review_overdue"}


def review_reminder_letters(*, today: date) -> list[Letter]:
    """The reminders for live articles whose review falls due within the reminder window, or is overdue.

    Each goes to the active managing editors and to the members with an open
    assignment on the article. Its key names the article, the due date and the
    stage (`review-reminder:7:2027-03-01:overdue`), so each is sent once; a
    re-certification moves the date, and the reminders for the new date are new.
    A bounded number of queries, whatever the number of articles.
    """
    due = {
        REVIEW_DUE_SOON: ArticleWorkflow.objects.review_due_soon(today),
        REVIEW_OVERDUE: ArticleWorkflow.objects.review_overdue(today),
    }
    workflows = [
        (stage, workflow)
        for stage, queryset in due.items()
        for workflow in queryset.select_related("article", "live_revision").order_by("next_review_due", "article_id")
    ]
    if not workflows:
        return []
    managing_editors = list(_managing_editors())
    assigned = defaultdict(list)
    for assignment in ReviewAssignment.objects.filter(
        article_id__in=[workflow.article_id for _, workflow in workflows], is_open=True, reviewer__user__is_active=True
    ).select_related("reviewer__user"):
        assigned[assignment.article_id].append(assignment.reviewer.user)
    letters = []
    for stage, workflow in workflows:
        article, due_date = workflow.article, workflow.next_review_due
        context = {
            "article": article,
            "workflow": workflow,
            "due": due_date,
            "link": article_link(article),
            "desk_link": desk_link(article),
        }
        about = f"review-reminder:{article.pk}:{due_date.isoformat()}:{stage}"
        recipients = [*managing_editors, *assigned[article.pk]]
        letters += _letters(about, REMINDER_TEMPLATES[stage], recipients, context)
    return letters
