"""The desk's decision views, posted by each person who may not decide: nothing is ever recorded; and the hold ladder.

The ladder: a visitor who is not logged in is sent to log in; an account without a
role, an editor, a managing editor who is not on the board, and a board member not
assigned to the article are refused (403). Assigned members deciding is in
`tests/test_desk.py`.
"""

import pytest
from django.urls import reverse

from editorial.models import ArticleWorkflow, AuditEvent, SignOff
from editorial.workflow import Action, State
from tests.factories import ReviewerFactory
from tests.workflow_helpers import approved, citable_article, under_review

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


# Hold for safety from the desk: any active board member, assigned or not, and managing editors.
# Holding asks no fresh password (see `editorial.views.hold`), so each step is one request.

HOLD_REASONS = {"reason": "Claim 2 gives an adult dose for children.", "public_reason": "We are checking a dose."}


@pytest.fixture
def live(editor, managing_editor):
    """A live article, approved by one board member (assigned to it, their assignment now closed)."""
    article = citable_article()
    revision, (member,) = approved(article, editor, managing_editor)
    return article, revision, member


def hold_on_desk(client, revision, method):
    url = reverse("desk:hold", args=[revision.article.slug, revision.number])
    if method == "get":
        return client.get(url)
    return client.post(url, {"content_hash": revision.content_hash, **HOLD_REASONS})


def desk_person(request, person, member):
    """Log in as `person`, named as the ladder names them; return nothing for an anonymous visitor."""
    users = {
        "reader": lambda: request.getfixturevalue("reader"),
        "editor": lambda: request.getfixturevalue("editor"),
        "assigned board member": lambda: member.user,
        "board member not assigned": lambda: ReviewerFactory().user,
        "managing editor": lambda: request.getfixturevalue("managing_editor"),
    }
    return users[person]() if person in users else None


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitor_asking_to_hold_is_sent_to_login(client, live, method):
    article, revision, _ = live
    before = record_of(article)
    response = hold_on_desk(client, revision, method)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert record_of(article) == before == (State.APPROVED, 1, 4)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("person", ["reader", "editor"])
def test_person_off_the_board_asking_to_hold_is_refused(client, live, method, person, request):
    article, revision, member = live
    client.force_login(desk_person(request, person, member))
    response = hold_on_desk(client, revision, method)
    assert response.status_code == 403
    assert record_of(article) == (State.APPROVED, 1, 4)


@pytest.mark.parametrize("person", ["assigned board member", "board member not assigned", "managing editor"])
def test_person_who_may_hold_is_shown_the_hold_form(client, live, person, request):
    article, revision, member = live
    client.force_login(desk_person(request, person, member))
    response = hold_on_desk(client, revision, "get")
    assert response.status_code == 200
    assert 'class="hold-form"' in response.content.decode()
    assert record_of(article) == (State.APPROVED, 1, 4)


@pytest.mark.parametrize("person", ["assigned board member", "board member not assigned", "managing editor"])
def test_person_who_may_hold_holds_the_live_words(client, live, person, request):
    article, revision, member = live
    user = desk_person(request, person, member)
    client.force_login(user)
    response = hold_on_desk(client, revision, "post")
    assert response.status_code == 302
    assert record_of(article) == (State.HELD, 1, 5)
    event = AuditEvent.objects.filter(article=article).latest("pk")
    assert (event.action, event.actor, event.revision) == (Action.HOLD, user, revision)
