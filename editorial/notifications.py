"""Emails the workflow sends. Services call these through `transaction.on_commit(..., robust=True)`.

Nothing is sent for a move that did not commit, and an email that fails after a
move committed is logged, never turned into an error for the move.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse

from editorial.evidence import live_articles_citing_flagged_evidence
from editorial.roles import MANAGING_EDITORS


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


def _send(template: str, recipients, context: dict) -> None:
    addresses = sorted({user.email for user in recipients if user.email})
    if not addresses:
        return
    subject, _, body = render_to_string(template, context).strip().partition("\n")
    messages = [(subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses]
    send_mass_mail(messages, fail_silently=False)


def notify_reviewers_of_revision(revision, reviewers) -> None:
    """Tell assigned board members there is a revision for them to review."""
    _send(
        "editorial/email/revision_to_review.txt",
        [reviewer.user for reviewer in reviewers],
        {"revision": revision, "article": revision.article, "link": review_link(revision)},
    )


def notify_reviewers_of_assignment(article, assignments) -> None:
    _send(
        "editorial/email/assigned.txt",
        [assignment.reviewer.user for assignment in assignments],
        {"article": article, "assignments": assignments, "link": desk_link(article)},
    )


def notify_editors_of_decision(sign_off, *, approved: bool) -> None:
    """Tell the revision's author and editors that changes were requested, or that it was approved."""
    revision = sign_off.revision
    recipients = [revision.created_by, *revision.contributors.all()]
    _send(
        "editorial/email/decision.txt",
        recipients,
        {
            "sign_off": sign_off,
            "revision": revision,
            "article": revision.article,
            "approved": approved,
            "link": article_link(revision.article),
        },
    )


def notify_managing_editors_of_flagged_evidence(reference_ids) -> None:
    """Tell managing editors which live articles cite references just retracted or placed under concern.

    One email per recipient, listing every affected article; nothing is sent if no live article cites them.
    """
    flagged_articles = live_articles_citing_flagged_evidence(reference_ids=reference_ids)
    if not flagged_articles:
        return
    managing_editors = get_user_model().objects.filter(groups__name=MANAGING_EDITORS, is_active=True)
    _send(
        "editorial/email/flagged_evidence.txt",
        managing_editors,
        {
            "entries": [(entry, article_link(entry.article)) for entry in flagged_articles],
            "link": settings.SITE_URL.rstrip("/") + reverse("admin:articles_article_retracted_evidence"),
        },
    )


def notify_of_hold(event, reviewers) -> None:
    """Tell managing editors, the board members reviewing the article and those who approved the held words of a hold."""
    revision = event.revision
    approvers = [sign_off.signed_by for sign_off in revision.sign_offs.filter(decision="approve")]
    managing_editors = get_user_model().objects.filter(groups__name=MANAGING_EDITORS, is_active=True)
    _send(
        "editorial/email/held.txt",
        [*managing_editors, *(reviewer.user for reviewer in reviewers), *approvers],
        {"event": event, "article": revision.article, "revision": revision, "link": article_link(revision.article)},
    )
