"""History pages in the admin only read, and child rows are changed only on their article's page."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from articles.models import Citation, Claim, Section
from reader.models import FollowUpQuestion
from references.models import Reference
from tests.admin_forms import admin_form_data
from tests.factories import ArticleFactory, CitationFactory, ClaimFactory, ReferenceFactory, UserFactory

pytestmark = pytest.mark.django_db


def version_url(obj, history_id):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, history_id])


def retracted_reference():
    return ReferenceFactory(
        title="A retracted trial",
        retraction_status=Reference.Retraction.RETRACTED,
        retraction_date=datetime.date(2024, 5, 1),
        retraction_source="Journal notice",
    )


def form_with_retraction_cleared(client, reference):
    """The reference's change form as an editor's browser would submit it, with the retraction cleared."""
    data = admin_form_data(client.get(reverse("admin:references_reference_change", args=[reference.pk])))
    return data | {"retraction_status": Reference.Retraction.STANDS, "retraction_date": "", "retraction_source": ""}


# The version page: read-only for everyone.


def test_board_member_posting_a_reference_version_form_changes_nothing(client, editor, board_member):
    reference = retracted_reference()
    client.force_login(editor)
    data = form_with_retraction_cleared(client, reference)
    history_id = reference.history.get().history_id
    client.force_login(board_member)

    response = client.post(version_url(reference, history_id), data)

    reference.refresh_from_db()
    assert response.status_code == 405
    assert (reference.retraction_status, reference.history.count()) == (Reference.Retraction.RETRACTED, 1)


def test_editor_posting_a_version_form_changes_nothing_either(client, editor):
    reference = retracted_reference()
    client.force_login(editor)
    data = form_with_retraction_cleared(client, reference)

    response = client.post(version_url(reference, reference.history.get().history_id), data)

    reference.refresh_from_db()
    assert response.status_code == 405
    assert (reference.retraction_status, reference.history.count()) == (Reference.Retraction.RETRACTED, 1)


def test_version_page_shows_the_old_version_read_only(client, board_member):
    reference = retracted_reference()
    first_version = reference.history.get().history_id
    reference.title = "A retracted trial, retitled"
    reference.save()
    client.force_login(board_member)

    page = client.get(version_url(reference, first_version))

    html = page.content.decode()
    assert page.status_code == 200
    assert "A retracted trial" in html
    assert "A retracted trial, retitled" not in html
    assert (' name="title"' in html, ' name="_save"' in html, "Revert" in html) == (False, False, False)


@pytest.mark.parametrize("history_id", ["None", "abc", "-1", "99999999999999999999", "2147483648"])
def test_malformed_version_id_is_not_found(client, editor, history_id):
    reference = ReferenceFactory()
    client.force_login(editor)

    assert client.get(version_url(reference, history_id)).status_code == 404


def test_malformed_object_id_is_not_found(client, editor):
    reference = ReferenceFactory()
    client.force_login(editor)
    url = reverse("admin:references_reference_simple_history", args=["None", reference.history.get().history_id])

    assert client.get(url).status_code == 404


def test_version_of_another_object_is_not_found(client, editor):
    reference, other = ReferenceFactory(), ReferenceFactory()
    client.force_login(editor)

    assert client.get(version_url(reference, other.history.get().history_id)).status_code == 404


def test_version_page_needs_permission_to_view_the_object(client):
    reference = ReferenceFactory()
    client.force_login(UserFactory(is_staff=True))

    assert client.get(version_url(reference, reference.history.get().history_id)).status_code == 403


def test_anonymous_visitor_is_sent_to_login_from_a_version_page():
    reference = ReferenceFactory()

    response = Client().get(version_url(reference, reference.history.get().history_id))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_history_list_offers_no_revert(client, editor):
    reference = ReferenceFactory()
    client.force_login(editor)

    page = client.get(reverse("admin:references_reference_history", args=[reference.pk]))

    assert page.status_code == 200
    assert "Revert" not in page.content.decode()


# Sections, claims and citations: history pages yes, their own add, change and delete pages no.


def test_editor_cannot_change_a_claim_through_its_own_admin_page(client, editor):
    claim = ClaimFactory(text="The original wording.")
    client.force_login(editor)
    url = reverse("admin:articles_claim_change", args=[claim.pk])
    data = {"section": claim.section_id, "order": claim.order, "lead_in": "", "text": "Changed behind the article."}

    response = client.post(url, data)

    claim.refresh_from_db()
    assert response.status_code == 403
    assert (claim.text, claim.history.count()) == ("The original wording.", 1)


def test_superuser_cannot_add_a_section_outside_its_article(client):
    article = ArticleFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    data = {"article": article.pk, "heading": "Added on the side", "level": 2, "intro": "", "order": 5}

    response = client.post(reverse("admin:articles_section_add"), data)

    assert (response.status_code, Section.objects.count()) == (403, 0)


def test_editor_cannot_delete_a_citation_outside_its_article(client, editor):
    citation = CitationFactory()
    client.force_login(editor)

    response = client.post(reverse("admin:articles_citation_delete", args=[citation.pk]), {"post": "yes"})

    assert (response.status_code, Citation.objects.count()) == (403, 1)


def test_editor_cannot_bulk_delete_claims_from_their_list(client, editor):
    claim = ClaimFactory()
    client.force_login(editor)
    data = {"action": "delete_selected", "_selected_action": [claim.pk], "index": 0, "post": "yes"}

    client.post(reverse("admin:articles_claim_changelist"), data)

    assert Claim.objects.count() == 1


def test_a_claim_keeps_its_history_page(client, editor):
    claim = ClaimFactory()
    client.force_login(editor)

    history = client.get(reverse("admin:articles_claim_history", args=[claim.pk]))
    version = client.get(version_url(claim, claim.history.get().history_id))

    assert (history.status_code, version.status_code) == (200, 200)


def test_the_article_page_still_saves_its_claims(client, editor):
    claim = ClaimFactory(text="The original wording.")
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[claim.section.article_id])
    data = admin_form_data(client.get(url))
    data["sections-0-claims-0-text"] = "Changed on the article page."

    response = client.post(url, data)

    claim.refresh_from_db()
    assert response.status_code == 302
    assert claim.text == "Changed on the article page."


# Actions and autocomplete: only for those with the right permission.


def test_board_member_cannot_delete_references_with_the_list_action(client, board_member):
    reference = ReferenceFactory()
    client.force_login(board_member)
    data = {"action": "delete_selected", "_selected_action": [reference.pk], "index": 0, "post": "yes"}

    client.post(reverse("admin:references_reference_changelist"), data)

    assert Reference.objects.filter(pk=reference.pk).exists()


def test_board_member_cannot_start_a_merge(client, board_member):
    first, second = ReferenceFactory(), ReferenceFactory()
    client.force_login(board_member)
    data = {"action": "merge_selected", "_selected_action": [first.pk, second.pk], "index": 0}

    listed = client.post(reverse("admin:references_reference_changelist"), data)
    merged = client.post(
        f"{reverse('admin:references_reference_merge')}?ids={first.pk},{second.pk}", {"keep": first.pk}
    )

    assert "/merge/" not in listed.get("Location", "")
    assert merged.status_code == 403
    assert Reference.objects.count() == 2


def test_board_member_cannot_triage_readers_questions_with_an_action(client, board_member):
    question = FollowUpQuestion.objects.create(article=ArticleFactory(), question="Is it safe with ibuprofen?")
    client.force_login(board_member)
    data = {"action": "mark_answered", "_selected_action": [question.pk], "index": 0}

    client.post(reverse("admin:reader_followupquestion_changelist"), data)

    question.refresh_from_db()
    assert question.status == FollowUpQuestion.Status.NEW


def autocomplete(client, term):
    params = {"app_label": "articles", "model_name": "citation", "field_name": "reference", "term": term}
    return client.get(reverse("admin:autocomplete"), params)


def test_reference_autocomplete_answers_those_who_may_view_references(client, board_member):
    ReferenceFactory(title="Naltrexone for fibromyalgia")
    client.force_login(board_member)

    response = autocomplete(client, "naltrexone")

    assert response.status_code == 200
    texts = [result["text"] for result in response.json()["results"]]
    assert texts == ["Naltrexone for fibromyalgia — Journal of Clinical Examples, 2021"]


def test_reference_autocomplete_refuses_staff_who_may_not_view_references(client):
    ReferenceFactory(title="Naltrexone for fibromyalgia")
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="change_citation"))
    client.force_login(staff)

    assert autocomplete(client, "naltrexone").status_code == 403


def test_editor_can_still_delete_a_whole_article(client, editor):
    claim = ClaimFactory()
    CitationFactory(claim=claim)
    client.force_login(editor)

    response = client.post(reverse("admin:articles_article_delete", args=[claim.section.article_id]), {"post": "yes"})

    assert response.status_code == 302
    assert (Section.objects.count(), Claim.objects.count(), Citation.objects.count()) == (0, 0, 0)
