"""Submitting and withdrawing from the admin: the same services, refusals shown as clear messages."""

import pytest
from django.urls import reverse

from editorial.models import ArticleWorkflow, AuditEvent, Revision
from editorial.workflow import State
from tests.workflow_helpers import approved, citable_article

pytestmark = pytest.mark.django_db


EDITORIAL = {"change_type": "editorial", "change_summary": "", "note": ""}


def submit_url(article):
    return reverse("admin:articles_article_submit", args=[article.pk])


def withdraw_url(article):
    return reverse("admin:articles_article_withdraw", args=[article.pk])


def test_anonymous_visitor_is_sent_to_login_from_submit(client):
    response = client.get(submit_url(citable_article()))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_board_member_cannot_submit_from_the_admin(client, board_member):
    article = citable_article()
    client.force_login(board_member)
    assert client.post(submit_url(article), EDITORIAL).status_code == 403
    assert Revision.objects.count() == 0


def test_editor_submits_from_the_admin_and_sees_the_revision_number(client, editor):
    article = citable_article()
    client.force_login(editor)
    assert (
        "Submit for review" in client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    )
    response = client.post(submit_url(article), {**EDITORIAL, "note": "First version."}, follow=True)
    assert "Revision 1 of" in response.content.decode()
    assert ArticleWorkflow.objects.get(article=article).state == State.SUBMITTED
    assert AuditEvent.objects.get().comment == "First version."


def test_resubmitting_unchanged_words_from_the_admin_answers_409_with_the_reason(client, editor):
    article = citable_article()
    client.force_login(editor)
    client.post(submit_url(article), EDITORIAL)
    response = client.post(submit_url(article), EDITORIAL)
    assert response.status_code == 409
    assert "Nothing has changed since revision 1" in response.content.decode()
    assert Revision.objects.count() == 1


def test_editor_cannot_withdraw_from_the_admin(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    client.force_login(editor)
    assert client.post(withdraw_url(article), {"reason": "No.", "public_reason": "No."}).status_code == 403
    assert ArticleWorkflow.objects.get(article=article).state == State.APPROVED


def test_managing_editor_withdraws_with_a_reason(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    client.force_login(managing_editor)
    response = client.post(
        withdraw_url(article),
        {"reason": "Superseded guidance.", "public_reason": "Newer guidance replaces this answer."},
        follow=True,
    )
    assert "readers no longer see it" in response.content.decode()
    assert ArticleWorkflow.objects.get(article=article).state == State.WITHDRAWN


def test_withdrawing_without_a_reason_keeps_the_article_live(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    client.force_login(managing_editor)
    response = client.post(withdraw_url(article), {"reason": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert ArticleWorkflow.objects.get(article=article).state == State.APPROVED


def test_workflow_records_are_read_only_in_the_admin(client, managing_editor, editor):
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)
    client.force_login(managing_editor)
    url = reverse("admin:editorial_revision_change", args=[revision.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, {"content": "{}"}).status_code == 403
    assert client.get(reverse("admin:editorial_auditevent_add")).status_code == 403


def test_article_history_shows_the_workflow_timeline(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    summaries = [entry.summary for entry in page.context["timeline"] if entry.kind == "workflow"]
    assert summaries == [
        "Approve: Under review → Approved",
        "Start review: Submitted → Under review",
        "Assign reviewers",
        "Submit for review: Draft → Submitted",
    ]


def test_change_list_shows_each_articles_state(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_changelist"))
    assert "Approved" in page.content.decode()


def test_submit_page_lists_the_claims_changed_since_the_revision_in_review(client, editor):
    from tests.workflow_helpers import edit_claim

    article = citable_article()
    client.force_login(editor)
    client.post(submit_url(article), EDITORIAL)
    edit_claim(article, "A corrected wording.", user=editor)
    html = client.get(submit_url(article)).content.decode()
    assert "What changed since revision 1" in html
    assert "<strong>Changed:</strong> A corrected wording." in html
