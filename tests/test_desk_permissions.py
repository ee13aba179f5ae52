"""The desk's decision views, posted by each person who may not decide: nothing is ever recorded.

The ladder: a visitor who is not logged in is sent to log in; an account without a
role, an editor, a managing editor who is not on the board, and a board member not
assigned to the article are refused (403). Assigned members deciding is in
`tests/test_desk.py`.
"""

import pytest
from django.urls import reverse

from editorial.models import ArticleWorkflow, AuditEvent, SignOff
from editorial.workflow import State
from tests.factories import ReviewerFactory
from tests.workflow_helpers import citable_article, under_review

pytestmark = pytest.mark.django_db

DECISIONS = {
    "approve": {
        "claims_accurate": "on",
        "citations_support_claims": "on",
        "doses_checked": "on",
        "patient_wording_faithful": "on",
        "comment": "",
    },
    "request_changes": {"comment": "Please cite the 2013 trial for claim 1."},
}


@pytest.fixture
def in_review(editor, managing_editor):
    article = citable_article()
    revision, _ = under_review(article, editor, managing_editor)
    return article, revision


def post_decision(client, revision, decision):
    data = {
        "content_hash": revision.content_hash,
        "conflict": "none",
        "conflict_disclosure": "",
        "notes-TOTAL_FORMS": "0",
        "notes-INITIAL_FORMS": "0",
        "notes-MIN_NUM_FORMS": "0",
        "notes-MAX_NUM_FORMS": "30",
        **DECISIONS[decision],
    }
    return client.post(reverse(f"desk:{decision}", args=[revision.article.slug, revision.number]), data)


def record_of(article):
    """What a decision would change: the workflow's state, its sign-offs and its audit events."""
    return (
        ArticleWorkflow.objects.get(article=article).state,
        SignOff.objects.filter(revision__article=article).count(),
        AuditEvent.objects.filter(article=article).count(),
    )


@pytest.mark.parametrize("decision", DECISIONS)
def test_anonymous_visitor_posting_a_decision_is_sent_to_login(client, in_review, decision):
    article, revision = in_review
    before = record_of(article)
    response = post_decision(client, revision, decision)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert record_of(article) == before == (State.UNDER_REVIEW, 0, 3)


@pytest.mark.parametrize("decision", DECISIONS)
@pytest.mark.parametrize("person", ["reader", "editor", "managing_editor"])
def test_person_off_the_board_posting_a_decision_is_refused(client, in_review, decision, person, request):
    article, revision = in_review
    client.force_login(request.getfixturevalue(person))
    response = post_decision(client, revision, decision)
    assert response.status_code == 403
    assert record_of(article) == (State.UNDER_REVIEW, 0, 3)


@pytest.mark.parametrize("decision", DECISIONS)
def test_board_member_not_assigned_posting_a_decision_is_refused(client, in_review, decision):
    article, revision = in_review
    client.force_login(ReviewerFactory().user)
    response = post_decision(client, revision, decision)
    assert response.status_code == 403
    assert record_of(article) == (State.UNDER_REVIEW, 0, 3)
