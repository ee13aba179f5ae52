"""Restoring an earlier version: approved words come back as a new revision the board signs off again.

The truth tables (`test_workflow_permissions.py`) say who may restore in every state; these tests
say what a restore writes, what readers see meanwhile, and which revisions it refuses.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from articles.models import Claim
from config.history import acting_as
from editorial.errors import RestoreRefused
from editorial.models import ArticleWorkflow, AuditEvent, Revision
from editorial.revisions import working_copy_document
from editorial.services import article_restore, article_submit
from editorial.workflow import State
from reader.models import PublishedArticle
from references.merge import references_merge
from tests.factories import CitationFactory, ClaimFactory, ReferenceFactory, ReviewerFactory
from tests.test_public_urls import MARKER, page
from tests.workflow_helpers import approved, citable_article, edit_claim

pytestmark = pytest.mark.django_db


def two_approved_revisions(editor, managing_editor, **article_fields):
    """Approve the article as built (revision 1), then approve a reworded first claim (revision 2)."""
    article = citable_article(**article_fields)
    first, _ = approved(article, editor, managing_editor)
    edit_claim(article, f"{MARKER}: take 50 mg.", user=editor)
    second, _ = approved(article, editor, managing_editor)
    return article, first, second


def claim_uids(document):
    return [claim["uid"] for section in document["sections"] for claim in section["claims"]]


def test_restoring_revision_1_after_revision_2_went_live_submits_its_words_as_revision_3(
    client, editor, managing_editor
):
    article, first, second = two_approved_revisions(editor, managing_editor, slug="restored-address")

    restored = article_restore(article=article, user=managing_editor, revision=first)

    workflow = ArticleWorkflow.objects.get(article=article)
    assert (restored.number, restored.content_hash, restored.content) == (3, first.content_hash, first.content)
    assert (workflow.state, workflow.current_revision, workflow.live_revision) == (State.SUBMITTED, restored, second)
    assert list(PublishedArticle.objects.values_list("revision", flat=True)) == [second.pk]
    assert f"{MARKER}: take 50 mg." in client.get(page("restored-address")).content.decode()


def test_a_restore_is_one_audit_event_naming_the_revision_it_restores(editor, managing_editor):
    article, first, _second = two_approved_revisions(editor, managing_editor)

    restored = article_restore(article=article, user=managing_editor, revision=first, note="The dose was right.")

    events = AuditEvent.objects.filter(article=article).order_by("pk")
    assert [(e.action, e.actor, e.from_state, e.to_state, e.revision, e.comment, e.data) for e in events][-1:] == [
        (
            "editorial.restore",
            managing_editor,
            State.APPROVED,
            State.SUBMITTED,
            restored,
            "Restored from revision 1: The dose was right.",
            {"restored_from": 1},
        )
    ]
    cycle = ["editorial.submit", "editorial.assign", "editorial.start_review", "editorial.approve"]
    assert [event.action for event in events] == [*cycle, *cycle, "editorial.restore"]


def test_the_restored_working_copy_has_the_revisions_claim_uids_even_for_a_claim_deleted_since(editor, managing_editor):
    article = citable_article()
    first, _ = approved(article, editor, managing_editor)
    section = article.sections.get()
    with acting_as(editor):
        section.claims.get(order=1).delete()
        CitationFactory(claim=ClaimFactory(section=section, order=1, text="A newer claim."))
    approved(article, editor, managing_editor)

    restored = article_restore(article=article, user=managing_editor, revision=first)

    assert claim_uids(working_copy_document(article)) == claim_uids(first.content)
    assert restored.content_hash == first.content_hash
    assert Claim.objects.filter(text="A newer claim.").count() == 0


def test_a_reference_merged_since_is_cited_as_the_one_that_absorbed_it(editor, managing_editor):
    article = citable_article()
    first, _ = approved(article, editor, managing_editor)
    edit_claim(article, "Reworded.", user=editor)
    approved(article, editor, managing_editor)
    merged = article.sections.get().claims.get(order=0).citations.get().reference
    keeper = ReferenceFactory(title=merged.title, doi="", pmid="")
    with acting_as(editor):
        references_merge(keep=keeper, duplicates=[merged])

    article_restore(article=article, user=managing_editor, revision=first)

    cited = [claim.citations.get().reference for claim in article.sections.get().claims.order_by("order")]
    assert cited[0] == keeper


def test_a_reference_deleted_since_is_refused_by_name(editor, managing_editor):
    article = citable_article()
    first, _ = approved(article, editor, managing_editor)
    citation = article.sections.get().claims.get(order=0).citations.get()
    gone = citation.reference
    with acting_as(editor):
        citation.reference = ReferenceFactory()
        citation.save()
    approved(article, editor, managing_editor)
    gone.delete()

    with pytest.raises(RestoreRefused) as refusal:
        article_restore(article=article, user=managing_editor, revision=first)

    assert refusal.value.message == (
        f"Revision 1 cites references deleted since from the library: “{gone.title}” (2021). "
        "Add them again and cite them in the working copy instead."
    )
    assert Revision.objects.filter(article=article).count() == 2


@pytest.mark.parametrize("role", ["editor", "board member"])
def test_an_editor_or_a_board_member_is_forbidden_and_nothing_changes(role, editor, managing_editor):
    article, first, _second = two_approved_revisions(editor, managing_editor)
    person = editor if role == "editor" else ReviewerFactory().user
    before = (working_copy_document(article), list(AuditEvent.objects.values_list("pk", flat=True)))

    with pytest.raises(PermissionDenied):
        article_restore(article=article, user=person, revision=first)

    assert (working_copy_document(article), list(AuditEvent.objects.values_list("pk", flat=True))) == before
    assert Revision.objects.filter(article=article).count() == 2


def test_a_revision_never_approved_is_refused_with_a_sentence(editor, managing_editor):
    article = citable_article(title="Aspirin after a stroke")
    approved(article, editor, managing_editor)
    edit_claim(article, "Reworded, never approved.", user=editor)
    pending = article_submit(article=article, user=editor)

    with pytest.raises(RestoreRefused) as refusal:
        article_restore(article=article, user=managing_editor, revision=pending)

    assert refusal.value.message == (
        "Revision 2 of “Aspirin after a stroke” was never approved by the board, so it cannot be restored."
    )
    assert AuditEvent.objects.filter(article=article).last().action == "editorial.submit"


def test_a_revision_of_another_article_is_refused_with_a_sentence(editor, managing_editor):
    article = citable_article(title="Aspirin after a stroke")
    approved(article, editor, managing_editor)
    other, _ = approved(citable_article(), editor, managing_editor)

    with pytest.raises(RestoreRefused) as refusal:
        article_restore(article=article, user=managing_editor, revision=other)

    assert refusal.value.message == (
        "Revision 1 is not a revision of “Aspirin after a stroke”, so it cannot be restored."
    )


def test_the_admin_page_lists_the_approved_revisions(client, editor, managing_editor):
    article, first, second = two_approved_revisions(editor, managing_editor)
    approvers = {revision.number: revision.sign_offs.get().reviewer.display_name for revision in (first, second)}
    client.force_login(managing_editor)

    response = client.get(reverse("admin:articles_article_restore", args=[article.pk]))

    text = response.content.decode()
    assert response.status_code == 200
    for revision in (first, second):
        assert f"Revision {revision.number}, approved " in text
        assert f"by {approvers[revision.number]} ({revision.short_hash})" in text


def test_restoring_from_the_admin_submits_the_chosen_revision(client, editor, managing_editor):
    article, first, _second = two_approved_revisions(editor, managing_editor)
    client.force_login(managing_editor)

    response = client.post(reverse("admin:articles_article_restore", args=[article.pk]), {"revision": "1"})

    assert (response.status_code, response["Location"]) == (
        302,
        reverse("admin:articles_article_change", args=[article.pk]),
    )
    workflow = ArticleWorkflow.objects.get(article=article)
    assert (workflow.current_revision.number, workflow.current_revision.content_hash) == (3, first.content_hash)


def test_restoring_from_the_admin_as_an_editor_is_forbidden(client, editor, managing_editor):
    article, _first, _second = two_approved_revisions(editor, managing_editor)
    client.force_login(editor)

    response = client.post(reverse("admin:articles_article_restore", args=[article.pk]), {"revision": "1"})

    assert response.status_code == 403
    assert Revision.objects.filter(article=article).count() == 2


def test_restoring_from_the_admin_the_revision_in_review_unchanged_answers_409(client, editor, managing_editor):
    article, _first, _second = two_approved_revisions(editor, managing_editor)
    client.force_login(managing_editor)

    response = client.post(reverse("admin:articles_article_restore", args=[article.pk]), {"revision": "2"})

    assert response.status_code == 409
    assert (
        "Revision 2 is already approved, and the working copy has not changed since: there is nothing to restore."
        in response.content.decode()
    )


def test_the_status_panel_offers_restore_to_managing_editors_only(client, editor, managing_editor):
    article, _first, _second = two_approved_revisions(editor, managing_editor)
    link = reverse("admin:articles_article_restore", args=[article.pk])

    client.force_login(managing_editor)
    offered_to_managing = (
        link in client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    )
    client.force_login(editor)
    offered_to_editor = link in client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()

    assert (offered_to_managing, offered_to_editor) == (True, False)
