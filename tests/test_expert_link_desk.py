"""The managing editors' page of outside experts' links: make, list and revoke, and who may.

The ladder: a visitor who is not logged in is sent to log in; an account with
no role, the article's editor, another editor, a board member not assigned and
the assigned board member are refused (403) and nothing is made or revoked;
managing editors may.
"""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from editorial.experts.models import ExpertLink, ExpertLinkUse
from editorial.experts.services import expert_link_create, expert_link_revoke
from editorial.experts.tokens import token_hash
from editorial.services import article_submit
from tests.factories import EditorFactory, ReviewerFactory
from tests.workflow_helpers import citable_article, edit_claim, under_review

pytestmark = pytest.mark.django_db

LADDER_REFUSED = ["reader", "editor", "other_editor", "board_member_not_assigned", "assigned_board_member"]


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def in_review(editor, managing_editor):
    article = citable_article(slug="statins-over-75")
    revision, board = under_review(article, editor, managing_editor)
    return article, revision, board[0]


@pytest.fixture
def person(request, in_review, reader, editor, managing_editor):
    """The person on the ladder's rung named by the test's parameter (None: not logged in)."""
    people = {
        "anonymous": lambda: None,
        "reader": lambda: reader,
        "editor": lambda: editor,
        "other_editor": lambda: EditorFactory(username="other-editor"),
        "board_member_not_assigned": lambda: ReviewerFactory().user,
        "assigned_board_member": lambda: in_review[2].user,
        "managing_editor": lambda: managing_editor,
    }
    return people[request.param]()


def link_for(revision, managing_editor, **overrides):
    values = {
        "revision": revision,
        "user": managing_editor,
        "name": "Prof Ada Lind",
        "credentials": "MD",
        "email": "ada.lind@example.org",
        "conflict_statement": "None declared.",
    }
    return expert_link_create(**(values | overrides))


def invitation(revision, **fields):
    return {
        "revision": str(revision.number),
        "name": "Prof Ada Lind",
        "credentials": "MD, geriatrician",
        "email": "ada.lind@example.org",
        "conflict_statement": "Advisory board of a statin maker until 2024.",
        "days": "10",
        "current_seen": str(revision.number),
        **fields,
    }


def experts_url(article):
    return reverse("desk:experts", args=[article.slug])


def revoke_url(article, link):
    return reverse("desk:expert_revoke", args=[article.slug, link.pk])


# The ladder


@pytest.mark.parametrize("person", ["anonymous"], indirect=True)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_is_sent_to_log_in(client, in_review, person, method):
    article, revision, _ = in_review

    response = getattr(client, method)(experts_url(article), invitation(revision) if method == "post" else None)

    assert (response.status_code, response["Location"].startswith(reverse("admin:login"))) == (302, True)
    assert ExpertLink.objects.count() == 0


@pytest.mark.parametrize("person", LADDER_REFUSED, indirect=True)
@pytest.mark.parametrize("method", ["get", "post"])
def test_everyone_but_a_managing_editor_is_refused_the_page_and_makes_nothing(client, in_review, person, method):
    article, revision, _ = in_review
    client.force_login(person)

    response = getattr(client, method)(experts_url(article), invitation(revision) if method == "post" else None)

    assert response.status_code == 403
    assert ExpertLink.objects.count() == 0


@pytest.mark.parametrize("person", ["anonymous", *LADDER_REFUSED], indirect=True)
def test_everyone_but_a_managing_editor_is_refused_a_revocation(client, in_review, managing_editor, person):
    article, revision, _ = in_review
    link, _ = link_for(revision, managing_editor)
    if person is not None:
        client.force_login(person)

    response = client.post(revoke_url(article, link))

    assert response.status_code == (302 if person is None else 403)
    link.refresh_from_db()
    assert (link.revoked_at, link.revoked_by) == (None, None)


@pytest.mark.parametrize("person", ["managing_editor"], indirect=True)
def test_a_managing_editor_reads_the_page(client, in_review, person):
    article, _, _ = in_review
    client.force_login(person)

    response = client.get(experts_url(article))

    assert response.status_code == 200
    assert "Invite an outside expert" in response.content.decode()


def test_a_revocation_asked_with_get_changes_nothing(client, in_review, managing_editor):
    article, revision, _ = in_review
    link, _ = link_for(revision, managing_editor)
    client.force_login(managing_editor)

    response = client.get(revoke_url(article, link))

    assert response.status_code == 405
    assert ExpertLink.objects.get().revoked_at is None


# Making a link


def test_a_managing_editor_makes_a_link_and_sees_it_once(client, in_review, managing_editor):
    article, revision, _ = in_review
    client.force_login(managing_editor)

    response = client.post(experts_url(article), invitation(revision))

    html = response.content.decode()
    link = ExpertLink.objects.get()
    (url,) = re.findall(r'id="created-url"[^>]*value="([^"]+)"', html)
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert response.status_code == 200
    assert (link.revision, link.name, link.credentials, link.email, link.conflict_statement, link.created_by) == (
        revision,
        "Prof Ada Lind",
        "MD, geriatrician",
        "ada.lind@example.org",
        "Advisory board of a statin maker until 2024.",
        managing_editor,
    )
    assert link.expires_at - link.created_at == timedelta(days=10)
    assert link.token_hash == token_hash(token)
    assert token not in client.get(experts_url(article)).content.decode()


def test_an_invitation_without_a_conflict_statement_is_a_400_that_keeps_what_was_typed(
    client, in_review, managing_editor
):
    article, revision, _ = in_review
    client.force_login(managing_editor)

    response = client.post(experts_url(article), invitation(revision, conflict_statement="  "))

    html = response.content.decode()
    assert response.status_code == 400
    assert "Record the expert&#x27;s own declaration of interests, or that they declared none." in html
    assert 'value="Prof Ada Lind"' in html
    assert ExpertLink.objects.count() == 0


def test_an_invitation_for_too_many_days_is_a_400(client, in_review, managing_editor):
    article, revision, _ = in_review
    client.force_login(managing_editor)

    response = client.post(experts_url(article), invitation(revision, days="91"))

    assert response.status_code == 400
    assert ExpertLink.objects.count() == 0


def test_an_invitation_drawn_before_another_revision_was_submitted_is_stale_409_and_makes_nothing(
    client, in_review, editor, managing_editor
):
    article, revision, _ = in_review
    client.force_login(managing_editor)
    edit_claim(article, "Statins after 75 need a fresh look at the evidence.", user=editor)
    article_submit(article=article, user=editor)

    response = client.post(experts_url(article), invitation(revision))

    assert response.status_code == 409
    assert "Revision 2 replaced revision 1 while you filled in the form. Nothing was made" in response.content.decode()
    assert ExpertLink.objects.count() == 0


def test_a_revision_of_another_article_cannot_be_chosen(client, in_review, editor, managing_editor):
    article, revision, _ = in_review
    other_article = citable_article(slug="another-answer")
    for _ in range(2):  # revisions 1 and 2 of another article
        edit_claim(other_article, f"Another wording {_}.", user=editor)
        article_submit(article=other_article, user=editor)
    client.force_login(managing_editor)

    response = client.post(experts_url(article), {**invitation(revision), "revision": "2"})

    assert response.status_code == 400
    assert ExpertLink.objects.count() == 0


def test_a_draft_article_has_nothing_to_share(client, managing_editor):
    article = citable_article(slug="only-a-draft")
    client.force_login(managing_editor)

    response = client.get(experts_url(article))

    assert "This article has no submitted revision yet" in response.content.decode()


# The list


def test_the_list_shows_each_link_s_state_uses_and_last_use(client, in_review, managing_editor):
    article, revision, _ = in_review
    active, token = link_for(revision, managing_editor, name="Dr Active")
    revoked, _ = link_for(revision, managing_editor, name="Dr Revoked")
    expired, _ = link_for(revision, managing_editor, name="Dr Expired")
    expert_link_revoke(link=revoked, user=managing_editor)
    ExpertLink.objects.filter(pk=expired.pk).update(
        created_at=timezone.now() - timedelta(days=20), expires_at=timezone.now() - timedelta(days=6)
    )
    client.get(reverse("experts:review", args=[revision.content["slug"], revision.number, token]))
    client.get(reverse("experts:review", args=[revision.content["slug"], revision.number, token]))
    client.force_login(managing_editor)

    html = client.get(experts_url(article)).content.decode()

    rows = {
        name: re.search(rf'{name}, MD.*?class="link-state">([^<]+)<.*?class="link-uses">(\d+)<', html, re.S).groups()
        for name in ("Dr Active", "Dr Revoked", "Dr Expired")
    }
    assert rows["Dr Active"][0].startswith("Active until ") and rows["Dr Active"][1] == "2"
    assert rows["Dr Revoked"][0].startswith("Revoked on ") and rows["Dr Revoked"][1] == "0"
    assert rows["Dr Expired"][0].startswith("Expired on ") and rows["Dr Expired"][1] == "0"
    assert html.count("Revoke the link for") == 1
    assert ExpertLinkUse.objects.filter(link=active).count() == 2


def test_the_list_costs_the_same_queries_however_many_links(
    client, in_review, managing_editor, django_assert_max_num_queries
):
    article, revision, _ = in_review
    for number in range(12):
        link_for(revision, managing_editor, name=f"Dr Expert {number}")
    client.force_login(managing_editor)

    with django_assert_max_num_queries(14):
        assert client.get(experts_url(article)).status_code == 200


# Revoking


def test_a_managing_editor_revokes_a_link_and_it_opens_nothing_from_then(client, in_review, managing_editor):
    article, revision, _ = in_review
    link, token = link_for(revision, managing_editor)
    client.force_login(managing_editor)

    response = client.post(revoke_url(article, link))

    link.refresh_from_db()
    assert (response.status_code, response["Location"]) == (302, experts_url(article))
    assert (link.revoked_by, link.state_at(timezone.now())) == (managing_editor, ExpertLink.State.REVOKED)
    expert = client.get(reverse("experts:review", args=[revision.content["slug"], revision.number, token]))
    assert expert.status_code == 410


def test_revoking_a_link_already_revoked_is_a_stale_409_that_changes_nothing(client, in_review, managing_editor):
    article, revision, _ = in_review
    link, _ = link_for(revision, managing_editor)
    expert_link_revoke(link=link, user=managing_editor)
    link.refresh_from_db()
    revoked_at = link.revoked_at
    client.force_login(managing_editor)

    response = client.post(revoke_url(article, link))

    link.refresh_from_db()
    assert response.status_code == 409
    assert "already revoked the link for Prof Ada Lind, MD" in response.content.decode()
    assert link.revoked_at == revoked_at
    assert link.history.count() == 2


def test_revoking_an_expired_link_is_a_409_that_changes_nothing(client, in_review, managing_editor):
    article, revision, _ = in_review
    link, _ = link_for(revision, managing_editor)
    ExpertLink.objects.filter(pk=link.pk).update(
        created_at=timezone.now() - timedelta(days=20), expires_at=timezone.now() - timedelta(days=6)
    )
    client.force_login(managing_editor)

    response = client.post(revoke_url(article, link))

    assert response.status_code == 409
    assert "opens nothing already. Nothing changed." in response.content.decode()
    assert ExpertLink.objects.get().revoked_at is None


def test_a_link_of_another_article_is_not_found_through_this_one(client, in_review, editor, managing_editor):
    article, _, _ = in_review
    other, _ = under_review(citable_article(slug="another-answer"), editor, managing_editor)
    link, _ = link_for(other, managing_editor)
    client.force_login(managing_editor)

    response = client.post(revoke_url(article, link))

    assert response.status_code == 404
    assert ExpertLink.objects.get().revoked_at is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_expert_s_browser_with_a_good_link_is_sent_to_log_in(client, in_review, managing_editor, method):
    article, revision, _ = in_review
    link, token = link_for(revision, managing_editor)
    assert client.get(reverse("experts:review", args=[revision.content["slug"], 1, token])).status_code == 200

    response = getattr(client, method)(experts_url(article))
    revocation = client.post(revoke_url(article, link))

    assert (response.status_code, revocation.status_code) == (302, 302)
    assert (ExpertLink.objects.count(), ExpertLink.objects.get().revoked_at) == (1, None)


@pytest.mark.parametrize(("person", "offered"), [("editor", False), ("managing_editor", True)], indirect=["person"])
def test_the_article_s_admin_page_offers_its_outside_experts_to_managing_editors_only(
    client, in_review, person, offered
):
    article, _, _ = in_review
    client.force_login(person)

    html = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()

    assert (f'href="{experts_url(article)}"' in html) == offered
