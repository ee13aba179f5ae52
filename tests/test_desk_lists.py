"""The review desk's lists: the desk shows the head of each, a page of its own serves the rest, at a fixed cost."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from editorial.services import article_submit, review_assign, review_start
from tests.factories import ReviewerFactory
from tests.workflow_helpers import approve, citable_article

SIGNED_BY_ALL = "Nothing is waiting for you. Thank you."


def list_url(key, **query):
    return reverse("desk:list", args=[key]), query


@pytest.fixture
def member(db):
    return ReviewerFactory()


def assigned_to(member, editor, managing_editor, count, *, due_in_days=None):
    """`count` submitted articles, each assigned to `member` (and nobody else); return them, oldest first."""
    articles = []
    for _ in range(count):
        article = citable_article()
        article_submit(article=article, user=editor)
        due = timezone.localdate() + timedelta(days=due_in_days) if due_in_days is not None else None
        review_assign(article=article, assigned_by=managing_editor, reviewers=[member], due_date=due)
        articles.append(article)
    return articles


@pytest.fixture
def shown_three(monkeypatch):
    """The desk shows three entries of each list, and a whole list's page holds two."""
    monkeypatch.setattr("editorial.desk_lists.SHOWN", 3)
    monkeypatch.setattr("editorial.views.PAGE_SIZE", 2)


# The head of each list on the desk


def test_desk_shows_the_head_of_a_long_list_and_links_to_the_rest(client, editor, managing_editor, member, shown_three):
    assign = assigned_to(member, editor, managing_editor, 4)
    client.force_login(member.user)

    response = client.get(reverse("desk:queue"))

    awaiting = response.context["member_lists"][0]
    assert [entry.assignment.article for entry in awaiting.entries] == assign[:3]
    assert f'href="{reverse("desk:list", args=["awaiting"])}"' in response.content.decode()


def test_desk_gives_no_link_when_the_whole_list_is_shown(client, editor, managing_editor, member, shown_three):
    assigned_to(member, editor, managing_editor, 3)
    client.force_login(member.user)

    html = client.get(reverse("desk:queue")).content.decode()

    assert reverse("desk:list", args=["awaiting"]) not in html


def test_a_signature_before_the_quorum_leaves_awaiting_but_stays_assigned(client, editor, managing_editor, member):
    (article,) = assigned_to(member, editor, managing_editor, 1)
    review_assign(article=article, assigned_by=managing_editor, reviewers=[member, ReviewerFactory()], quorum=2)
    review_start(article=article, user=member.user)
    approve(article.workflow.current_revision, member)
    client.force_login(member.user)

    awaiting, due, assigned = client.get(reverse("desk:queue")).context["member_lists"]

    assert (awaiting.entries, due.entries) == ([], [])
    assert [entry.has_signed_current for entry in assigned.entries] == [True]


def test_due_lists_reviews_overdue_or_due_within_three_days_soonest_first(client, editor, managing_editor, member):
    later = assigned_to(member, editor, managing_editor, 1, due_in_days=4)
    soon = assigned_to(member, editor, managing_editor, 1, due_in_days=3)
    overdue = assigned_to(member, editor, managing_editor, 1, due_in_days=-1)
    client.force_login(member.user)

    _, due, _ = client.get(reverse("desk:queue")).context["member_lists"]

    assert [entry.assignment.article for entry in due.entries] == [*overdue, *soon]
    assert [(entry.is_overdue, entry.is_due_soon) for entry in due.entries] == [(True, False), (False, True)]
    assert later[0] not in [entry.assignment.article for entry in due.entries]


# A whole list, a page at a time


def test_a_whole_list_pages_through_every_entry_in_the_desks_order(
    client, editor, managing_editor, member, shown_three
):
    assign = assigned_to(member, editor, managing_editor, 3)
    client.force_login(member.user)

    pages = [client.get(*list_url("assigned", page=number)) for number in (1, 2)]

    assert [entry.assignment.article for page in pages for entry in page.context["entries"]] == assign
    assert "3 in all; 1\N{EN DASH}2 below." in pages[0].content.decode()


def test_managing_editors_page_through_submissions_without_reviewers(client, editor, managing_editor, shown_three):
    waiting = [citable_article() for _ in range(3)]
    for article in waiting:
        article_submit(article=article, user=editor)
    client.force_login(managing_editor)

    pages = [client.get(*list_url("unassigned", page=number)) for number in (1, 2)]

    assert [workflow.article for page in pages for workflow in page.context["entries"]] == waiting


def test_an_empty_list_says_so(client, member):
    client.force_login(member.user)

    response = client.get(*list_url("awaiting"))

    assert SIGNED_BY_ALL in response.content.decode()


# Who may open which list


def test_board_member_is_refused_the_managing_editors_lists(client, member):
    client.force_login(member.user)

    assert client.get(*list_url("unassigned")).status_code == 403


def test_managing_editor_who_is_not_a_member_is_refused_a_members_list(client, managing_editor):
    client.force_login(managing_editor)

    assert client.get(*list_url("awaiting")).status_code == 403


def test_editor_is_refused_every_list(client, editor):
    client.force_login(editor)

    assert client.get(*list_url("unassigned")).status_code == 403


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(*list_url("unassigned"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_unknown_list_is_not_found(client, managing_editor):
    client.force_login(managing_editor)

    assert client.get(*list_url("everything")).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_a_list_takes_no_writes(client, managing_editor, method):
    client.force_login(managing_editor)

    assert getattr(client, method)(reverse("desk:list", args=["unassigned"])).status_code == 405


# Bounded whatever the size


def test_members_desk_costs_the_same_queries_for_2_and_14_assignments(
    client, editor, managing_editor, member, django_assert_max_num_queries
):
    assigned_to(member, editor, managing_editor, 2, due_in_days=1)
    client.force_login(member.user)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("desk:queue")).status_code == 200

    assigned_to(member, editor, managing_editor, 12, due_in_days=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("desk:queue")).status_code == 200


def test_members_list_page_costs_the_same_queries_for_5_and_15_assignments(
    client, editor, managing_editor, member, shown_three, django_assert_max_num_queries
):
    assigned_to(member, editor, managing_editor, 5, due_in_days=1)
    client.force_login(member.user)
    with CaptureQueriesContext(connection) as few:
        assert client.get(*list_url("assigned", page=2)).status_code == 200

    assigned_to(member, editor, managing_editor, 10, due_in_days=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(*list_url("assigned", page=2)).status_code == 200


def test_desk_reads_no_revisions_content(client, editor, managing_editor, member):
    assigned_to(member, editor, managing_editor, 2)
    member.user.groups.add(*managing_editor.groups.all())
    client.force_login(member.user)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("desk:queue"))

    assert not [query["sql"] for query in queries.captured_queries if '"content"' in query["sql"]]
