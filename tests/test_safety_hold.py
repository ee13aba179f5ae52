"""A safety hold: live words taken from readers at once, a notice in their place, and the way back.

The truth tables (`test_workflow_permissions.py`) say who may hold and release in every state;
these tests say what a hold and a release do, for readers and for the record.
"""

import pytest
from django.core import mail
from django.urls import reverse

from editorial.errors import InvalidTransition, ReasonRequired
from editorial.models import ArticleWorkflow, AuditEvent, ReviewAssignment
from editorial.services import article_hold, article_release, article_submit, article_withdraw
from editorial.workflow import State
from reader.models import PublishedArticle
from tests.factories import ReviewerFactory
from tests.test_public_urls import MARKER, everything_public, page, references
from tests.workflow_helpers import approve, approved, citable_article, edit_claim, under_review

pytestmark = pytest.mark.django_db

REASON = "A reader reported that the dose in claim 1 is ten times too high."
PUBLIC_REASON = "We are checking a dose in this answer."


def hold(article, user, **overrides):
    live = ArticleWorkflow.objects.get(article=article).live_revision
    values = {"article": article, "user": user, "revision": live, "reason": REASON, "public_reason": PUBLIC_REASON}
    return article_hold(**(values | overrides))


def events_of(article):
    return list(
        AuditEvent.objects.filter(article=article).values_list("action", "actor__username", "from_state", "to_state")
    )


def test_any_board_member_holds_a_live_article_and_readers_see_only_a_notice(
    client, editor, managing_editor, django_capture_on_commit_callbacks
):
    article = citable_article(slug="held-address")
    edit_claim(article, f"{MARKER}: take 50 mg.", user=editor)
    revision, (approver,) = approved(article, editor, managing_editor)
    physician = ReviewerFactory(user__username="physician")  # on the board, never assigned to this article
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        hold(article, physician.user)

    workflow = ArticleWorkflow.objects.get(article=article)
    assert (workflow.state, workflow.live_revision, workflow.held_revision) == (State.HELD, None, revision)
    event = AuditEvent.objects.filter(article=article).last()
    assert (event.action, event.actor, event.comment, event.data, event.revision) == (
        "editorial.hold",
        physician.user,
        REASON,
        {"public_reason": PUBLIC_REASON},
        revision,
    )
    response = client.get(page("held-address"))
    assert (response.status_code, response["Retry-After"], response["X-Robots-Tag"]) == (503, "86400", "noindex")
    text = response.content.decode()
    assert '<meta name="robots" content="noindex">' in text
    assert PUBLIC_REASON in text
    assert REASON not in text
    assert client.get(references("held-address")).status_code == 503
    assert MARKER not in everything_public(client, ["held-address"])
    assert PublishedArticle.objects.filter(article=article).count() == 0  # out of search, feed and sitemap
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [managing_editor.email, approver.user.email]  # the managing editors and who approved the held words
    )


def test_holding_an_article_readers_do_not_see_is_refused_with_a_sentence(editor, managing_editor):
    article = citable_article(title="Aspirin after a stroke")
    revision, _ = under_review(article, editor, managing_editor)

    with pytest.raises(InvalidTransition) as refusal:
        hold(article, managing_editor, revision=revision)

    assert refusal.value.message == "“Aspirin after a stroke” is under review, so it cannot be held now."
    assert events_of(article)[-1][0] == "editorial.start_review"


def test_a_hold_needs_an_internal_and_a_public_reason(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)

    with pytest.raises(ReasonRequired, match="Say why: a reason is required to hold for safety"):
        hold(article, managing_editor, reason=" ")
    with pytest.raises(ReasonRequired, match="Say why in words for readers"):
        hold(article, managing_editor, public_reason="")

    assert ArticleWorkflow.objects.get(article=article).state == State.APPROVED


def test_releasing_restores_the_held_revision_to_readers(client, editor, managing_editor):
    article = citable_article(slug="released-address")
    revision, _ = approved(article, editor, managing_editor)
    hold(article, managing_editor)

    assert article_release(article=article, user=managing_editor, reason="The dose was right.") == revision

    workflow = ArticleWorkflow.objects.get(article=article)
    assert (workflow.state, workflow.live_revision, workflow.held_revision, workflow.public_reason) == (
        State.APPROVED,
        revision,
        None,
        "",
    )
    assert events_of(article)[-2:] == [
        ("editorial.hold", "managing", "approved", "held"),
        ("editorial.release", "managing", "held", "approved"),
    ]
    assert client.get(page("released-address")).status_code == 200
    assert list(PublishedArticle.objects.values_list("revision", flat=True)) == [revision.pk]


def test_a_held_article_stays_held_while_its_correction_is_reviewed_and_its_approval_ends_the_hold(
    client, editor, managing_editor, settings
):
    settings.READER_PENDING_POLICY = "caution"  # a hold is never shown as pending, whatever the policy
    article = citable_article(slug="corrected-address")
    approved(article, editor, managing_editor)
    hold(article, managing_editor)
    edit_claim(article, f"{MARKER}: take 5 mg.", user=editor)

    correction, (member,) = under_review(article, editor, managing_editor)

    assert client.get(page("corrected-address")).status_code == 503
    assert MARKER not in everything_public(client, ["corrected-address"])
    approve(correction, member)
    workflow = ArticleWorkflow.objects.get(article=article)
    assert (workflow.state, workflow.live_revision, workflow.held_revision) == (State.APPROVED, correction, None)
    assert client.get(page("corrected-address")).status_code == 200


def test_releasing_an_article_not_held_answers_409_with_a_sentence(client, editor, managing_editor):
    article = citable_article(title="Aspirin after a stroke")
    approved(article, editor, managing_editor)
    client.force_login(managing_editor)

    response = client.post(reverse("admin:articles_article_release", args=[article.pk]), {"reason": "Fine."})

    assert response.status_code == 409
    assert "“Aspirin after a stroke” is approved, so it cannot be released now." in response.content.decode()


def test_holding_from_the_admin_an_article_not_live_answers_409_with_a_sentence(client, editor, managing_editor):
    article = citable_article(title="Aspirin after a stroke")
    article_submit(article=article, user=editor)
    client.force_login(managing_editor)
    form = {"revision": "1", "reason": REASON, "public_reason": PUBLIC_REASON}

    response = client.post(reverse("admin:articles_article_hold", args=[article.pk]), form)

    assert response.status_code == 409
    assert "“Aspirin after a stroke” is submitted, so it cannot be held now." in response.content.decode()


def test_the_status_panel_offers_hold_to_board_members_and_release_to_managing_editors(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    change = reverse("admin:articles_article_change", args=[article.pk])
    hold_url = reverse("admin:articles_article_hold", args=[article.pk])
    release_url = reverse("admin:articles_article_release", args=[article.pk])
    physician = ReviewerFactory().user

    client.force_login(physician)
    assert (hold_url in client.get(change).content.decode(), release_url in client.get(change).content.decode()) == (
        True,
        False,
    )
    client.force_login(editor)
    assert hold_url not in client.get(change).content.decode()
    hold(article, physician)
    client.force_login(managing_editor)
    text = client.get(change).content.decode()
    assert (hold_url in text, release_url in text, PUBLIC_REASON in text) == (False, True, True)
    desk = client.get(reverse("desk:queue")).content.decode()
    assert "Held for safety" in desk and article.title in desk


def test_closing_a_review_records_who_closed_each_assignment(editor, managing_editor):
    article = citable_article()
    revision, board = under_review(article, editor, managing_editor, reviewers=2, quorum=1)

    approve(revision, board[0])

    closing = [
        (row.reviewer_id, row.is_open, row.history_user)
        for row in ReviewAssignment.history.filter(article=article).order_by("history_id")
        if not row.is_open
    ]
    assert sorted(closing, key=lambda row: row[0]) == [
        (board[0].pk, False, board[0].user),
        (board[1].pk, False, board[0].user),
    ]


def test_a_held_article_is_withdrawn_for_good_without_showing_its_words_again(client, editor, managing_editor):
    article = citable_article(slug="withdrawn-while-held")
    revision, _ = approved(article, editor, managing_editor)
    hold(article, managing_editor)

    article_withdraw(
        article=article, user=managing_editor, reason="The dose advice was wrong.", public_reason="Withdrawn for good."
    )

    workflow = ArticleWorkflow.objects.get(article=article)
    assert (workflow.state, workflow.live_revision, workflow.held_revision) == (State.WITHDRAWN, None, None)
    assert AuditEvent.objects.filter(article=article).last().revision == revision
    response = client.get(page("withdrawn-while-held"))
    assert (response.status_code, "Withdrawn for good." in response.content.decode()) == (410, True)
