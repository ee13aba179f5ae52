"""The review desk: who sees which review, and decisions bound to the words on screen."""

import pytest
from django.urls import reverse

from editorial.models import ArticleWorkflow, AuditEvent, ClaimNote, ReviewAssignment, SignOff
from editorial.services import article_submit
from editorial.workflow import State
from tests.factories import ReviewerFactory
from tests.workflow_helpers import citable_article, edit_claim, submitted, under_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def review_setup(editor, managing_editor):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    return article, revision, reviewer


def desk_urls(article, revision):
    slug, number = article.slug, revision.number
    return {
        "queue": reverse("desk:queue"),
        "current": reverse("desk:current", args=[slug]),
        "review": reverse("desk:review", args=[slug, number]),
    }


def decision(revision, **fields):
    data = {
        "content_hash": revision.content_hash,
        "claims_accurate": "on",
        "citations_support_claims": "on",
        "doses_checked": "on",
        "patient_wording_faithful": "on",
        "conflict": "none",
        "conflict_disclosure": "",
        "comment": "",
        "notes-TOTAL_FORMS": "0",
        "notes-INITIAL_FORMS": "0",
        "notes-MIN_NUM_FORMS": "0",
        "notes-MAX_NUM_FORMS": "30",
    }
    return data | fields


# The permission ladder, for every desk page.


@pytest.mark.parametrize("page", ["queue", "current", "review"])
def test_anonymous_visitor_is_sent_to_login(client, review_setup, page):
    article, revision, _ = review_setup
    response = client.get(desk_urls(article, revision)[page])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("page", ["queue", "current", "review"])
def test_editor_is_refused_the_desk(client, review_setup, editor, page):
    article, revision, _ = review_setup
    client.force_login(editor)
    assert client.get(desk_urls(article, revision)[page]).status_code == 403


@pytest.mark.parametrize("page", ["current", "review"])
def test_board_member_not_assigned_cannot_read_the_review(client, review_setup, page):
    article, revision, _ = review_setup
    client.force_login(ReviewerFactory().user)
    assert client.get(desk_urls(article, revision)[page], follow=True).status_code == 403


def test_board_member_not_assigned_sees_an_empty_queue(client, review_setup):
    article, _, _ = review_setup
    client.force_login(ReviewerFactory().user)
    response = client.get(reverse("desk:queue"))
    assert response.status_code == 200
    assert article.question not in response.content.decode()


@pytest.mark.parametrize("page", ["queue", "review"])
def test_assigned_board_member_opens_the_desk(client, review_setup, page):
    article, revision, reviewer = review_setup
    client.force_login(reviewer.user)
    response = client.get(desk_urls(article, revision)[page])
    assert response.status_code == 200
    assert article.question in response.content.decode()


def test_email_link_leads_to_the_revision_in_review(client, review_setup):
    article, revision, reviewer = review_setup
    client.force_login(reviewer.user)
    response = client.get(reverse("desk:current", args=[article.slug]))
    assert response["Location"] == reverse("desk:review", args=[article.slug, revision.number])


def test_managing_editor_sees_every_review_and_the_assignment_form(client, review_setup, managing_editor):
    article, revision, _ = review_setup
    client.force_login(managing_editor)
    assert client.get(desk_urls(article, revision)["review"]).status_code == 200
    assert client.get(reverse("desk:assign", args=[article.slug])).status_code == 200


def test_board_member_cannot_assign(client, review_setup):
    article, _, reviewer = review_setup
    client.force_login(reviewer.user)
    assert client.get(reverse("desk:assign", args=[article.slug])).status_code == 403


# The review page


def test_review_page_shows_the_exact_revision_with_its_hash_and_both_audiences(client, review_setup):
    article, revision, reviewer = review_setup
    claim = article.sections.first().claims.first()
    client.force_login(reviewer.user)
    html = client.get(desk_urls(article, revision)["review"]).content.decode()
    assert revision.content_hash in html
    assert claim.text in html and claim.plain_text in html
    assert "https://doi.org/" in html and "https://pubmed.ncbi.nlm.nih.gov/" in html


def test_review_page_shows_what_changed_since_the_previous_revision(client, editor, managing_editor):
    article = citable_article()
    _, (reviewer,) = submitted(article, editor, managing_editor)
    edit_claim(article, "Reworded for clarity.", user=editor)
    second = article_submit(article=article, user=editor)
    client.force_login(reviewer.user)
    html = client.get(reverse("desk:review", args=[article.slug, second.number])).content.decode()
    assert "<ins>" in html and "Reworded" in html and "<del>" in html


def test_review_page_lists_approval_blockers(client, editor, managing_editor):
    article = citable_article()
    article.sections.first().claims.last().citations.all().delete()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    client.force_login(reviewer.user)
    html = client.get(reverse("desk:review", args=[article.slug, revision.number])).content.decode()
    assert "cannot be approved yet" in html and "cites no reference" in html


def test_review_page_costs_a_bounded_number_of_queries(client, review_setup, django_assert_max_num_queries):
    article, revision, reviewer = review_setup
    client.force_login(reviewer.user)
    # 26: the page, what `available_actions` asks once (the member's assignment, authorship, sign-off),
    # the member's own profile for their standing disclosures, and the review threads beside the claims
    # (the revisions' numbers, the newest revision, the threads; their messages are one more when there are any),
    # and the disclaimer in force, which the sign-off records.
    with django_assert_max_num_queries(29):
        assert client.get(desk_urls(article, revision)["review"]).status_code == 200


# Decisions


def test_assigned_member_starts_the_review(client, editor, managing_editor):
    article = citable_article()
    revision, (reviewer,) = submitted(article, editor, managing_editor)
    client.force_login(reviewer.user)
    response = client.post(reverse("desk:start", args=[article.slug, revision.number]))
    assert response.status_code == 302
    assert ArticleWorkflow.objects.get(article=article).state == State.UNDER_REVIEW


def test_approving_from_the_desk_records_the_sign_off_and_notes(client, review_setup):
    article, revision, reviewer = review_setup
    uid = revision.content["sections"][0]["claims"][0]["uid"]
    client.force_login(reviewer.user)
    data = decision(
        revision,
        **{
            "notes-TOTAL_FORMS": "1",
            "notes-0-claim_uid": uid,
            "notes-0-flag": "note",
            "notes-0-text": "Nicely put.",
        },
    )
    response = client.post(reverse("desk:approve", args=[article.slug, revision.number]), data)
    assert response.status_code == 302
    sign_off = SignOff.objects.get()
    assert (sign_off.decision, sign_off.content_hash) == ("approve", revision.content_hash)
    assert list(ClaimNote.objects.values_list("text", flat=True)) == ["Nicely put."]
    assert ArticleWorkflow.objects.get(article=article).state == State.APPROVED


def test_approving_without_the_attestations_is_refused_and_keeps_the_input(client, review_setup):
    article, revision, reviewer = review_setup
    client.force_login(reviewer.user)
    data = decision(revision, doses_checked="", comment="Looks right otherwise.")
    data.pop("doses_checked")
    response = client.post(reverse("desk:approve", args=[article.slug, revision.number]), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Attest this before approving." in html and "Looks right otherwise." in html
    assert SignOff.objects.count() == 0


def test_requesting_changes_needs_a_comment(client, review_setup):
    article, revision, reviewer = review_setup
    client.force_login(reviewer.user)
    response = client.post(reverse("desk:request_changes", args=[article.slug, revision.number]), decision(revision))
    assert response.status_code == 400
    assert "Say what needs to change" in response.content.decode()
    assert ArticleWorkflow.objects.get(article=article).state == State.UNDER_REVIEW


def test_requesting_changes_from_the_desk_sends_it_back(client, review_setup):
    article, revision, reviewer = review_setup
    client.force_login(reviewer.user)
    data = decision(revision, comment="The dose in claim 1 is wrong.")
    response = client.post(reverse("desk:request_changes", args=[article.slug, revision.number]), data)
    assert response.status_code == 302
    assert ArticleWorkflow.objects.get(article=article).state == State.CHANGES_REQUESTED


def test_stale_form_changes_nothing_and_says_why(client, review_setup, editor):
    article, revision, reviewer = review_setup
    client.force_login(reviewer.user)
    stale = decision(revision)  # the page as it was loaded
    edit_claim(article, "Changed while the reviewer was reading.", user=editor)
    article_submit(article=article, user=editor)
    events = AuditEvent.objects.count()
    response = client.post(reverse("desk:approve", args=[article.slug, revision.number]), stale)
    assert response.status_code == 409
    assert "revision 2 replaced it" in response.content.decode()
    assert (SignOff.objects.count(), AuditEvent.objects.count()) == (0, events)


def test_tampered_hash_changes_nothing(client, review_setup):
    article, revision, reviewer = review_setup
    client.force_login(reviewer.user)
    response = client.post(
        reverse("desk:approve", args=[article.slug, revision.number]), decision(revision, content_hash="0" * 64)
    )
    assert response.status_code == 409
    assert SignOff.objects.count() == 0


def test_decision_by_a_member_not_assigned_is_forbidden(client, review_setup):
    article, revision, _ = review_setup
    client.force_login(ReviewerFactory().user)
    response = client.post(reverse("desk:approve", args=[article.slug, revision.number]), decision(revision))
    assert response.status_code == 403
    assert SignOff.objects.count() == 0


# Assignment


def test_managing_editor_assigns_two_members_with_a_quorum(client, editor, managing_editor):
    article = citable_article()
    article_submit(article=article, user=editor)
    first, second = ReviewerFactory(), ReviewerFactory()
    client.force_login(managing_editor)
    response = client.post(
        reverse("desk:assign", args=[article.slug]),
        {"reviewers": [first.pk, second.pk], "due_date": "2030-01-31", "quorum": "2"},
    )
    assert response.status_code == 302
    assert set(ReviewAssignment.objects.values_list("reviewer", flat=True)) == {first.pk, second.pk}
    assert ArticleWorkflow.objects.get(article=article).quorum == 2


def test_assigning_an_impossible_quorum_answers_409_with_the_reason(client, editor, managing_editor):
    article = citable_article()
    article_submit(article=article, user=editor)
    client.force_login(managing_editor)
    response = client.post(
        reverse("desk:assign", args=[article.slug]), {"reviewers": [ReviewerFactory().pk], "quorum": "2"}
    )
    assert response.status_code == 409
    assert "A quorum of 2 approvals needs at least 2" in response.content.decode()
    assert ReviewAssignment.objects.count() == 0


def test_queue_lists_unassigned_submissions_for_managing_editors(client, editor, managing_editor):
    article = citable_article()
    article_submit(article=article, user=editor)
    client.force_login(managing_editor)
    html = client.get(reverse("desk:queue")).content.decode()
    assert article.question in html and reverse("desk:assign", args=[article.slug]) in html
