"""The desk says what happened: whether an approval put the words live, and who did what, by name."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from articles.models import Citation
from config.history import acting_as
from editorial.selectors import article_timeline
from tests.factories import ReferenceFactory
from tests.test_desk import decision
from tests.workflow_helpers import approve, approved, citable_article, schedule, under_review

pytestmark = pytest.mark.django_db


def approve_on_the_desk(client, revision, reviewer):
    client.force_login(reviewer.user)
    return client.post(reverse("desk:approve", args=[revision.article.slug, revision.number]), decision(revision))


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def review_html(client, user, revision) -> str:
    client.force_login(user)
    return client.get(reverse("desk:review", args=[revision.article.slug, revision.number])).content.decode()


# After a decision


def test_the_approval_that_completes_the_quorum_says_readers_see_the_words_now(client, editor, managing_editor):
    article = citable_article(title="Iron and tea")
    revision, (member,) = under_review(article, editor, managing_editor)

    response = approve_on_the_desk(client, revision, member)

    assert messages_of(response) == [
        "You approved revision 1 of “Iron and tea”. The board's approval is complete: readers see revision 1 now."
    ]


def test_an_approval_short_of_the_quorum_says_how_many_more_are_needed(client, editor, managing_editor):
    article = citable_article(title="Iron and tea")
    revision, (first, _second) = under_review(article, editor, managing_editor, reviewers=2, quorum=2)

    response = approve_on_the_desk(client, revision, first)

    assert messages_of(response) == [
        "You approved revision 1 of “Iron and tea”. 1 more approval is needed before readers see revision 1."
    ]


def test_an_approval_with_a_go_live_ahead_says_when_the_words_go_live(client, editor, managing_editor, settings):
    settings.TIME_ZONE = "UTC"
    article = citable_article(title="Iron and tea")
    revision, (member,) = under_review(article, editor, managing_editor)
    go_live = (timezone.now() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    schedule(article, managing_editor, go_live_at=go_live)

    response = approve_on_the_desk(client, revision, member)

    assert messages_of(response)[0].endswith(
        f"The board's approval is complete: revision 1 goes live on {go_live:%-d %B %Y}, 09:00 UTC."
    )


# The review page of the live words


def test_the_live_revision_says_it_is_live_and_who_approved_it(client, editor, managing_editor):
    article = citable_article()
    revision, (member,) = under_review(article, editor, managing_editor)
    approve(revision, member)

    html = review_html(client, managing_editor, revision)

    assert f"<strong>Live.</strong> Readers see revision 1, approved on {timezone.localdate():%-d %B %Y} by " in html
    assert member.display_name in html.split("live-status", 1)[1].split("</div>", 1)[0]
    assert "none assigned" not in html


# The timeline


def test_the_timeline_names_people_by_their_full_names(editor, managing_editor):
    editor.first_name, editor.last_name = "Ada", "Byrne"
    editor.save()
    article = citable_article()
    approved(article, editor, managing_editor)

    assert "Ada Byrne" in {entry.who_name for entry in article_timeline(article)}


def test_the_timeline_folds_a_run_of_the_same_edit_into_one_counted_entry(editor):
    article = citable_article()
    claim = article.sections.first().claims.first()
    with acting_as(editor):
        for position in range(5):
            Citation.objects.create(claim=claim, reference=ReferenceFactory(), order=position + 10)

    newest = article_timeline(article)[0]
    assert (newest.who_name, newest.summary, newest.count) == ("editor", "5 citations added", 5)


def test_the_timeline_keeps_edits_by_different_people_apart(editor, managing_editor):
    article = citable_article()
    claim = article.sections.first().claims.first()
    for position, person in enumerate([editor, managing_editor, editor]):
        with acting_as(person):
            Citation.objects.create(claim=claim, reference=ReferenceFactory(), order=position + 10)

    newest = [(entry.who_name, entry.summary) for entry in article_timeline(article)[:3]]
    assert newest == [("editor", "Citation added"), ("managing", "Citation added"), ("editor", "Citation added")]
