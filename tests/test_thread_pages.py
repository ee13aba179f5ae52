"""The threads page, its forms, the decision email's notes and the editors' inbox, for each person who may ask."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from editorial.models import ReviewThread, SignOff, ThreadMessage
from editorial.services import article_submit, review_request_changes, thread_open, thread_resolve
from tests.factories import EditorFactory, ReviewerFactory, article_with_claims
from tests.workflow_helpers import citable_article, edit_claim, under_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_back(editor, managing_editor, django_capture_on_commit_callbacks):
    """An article sent back with a note on its first claim: (article, revision, member, claim thread)."""
    article = citable_article()
    revision, (member,) = under_review(article, editor, managing_editor)
    uid = revision.content["sections"][0]["claims"][0]["uid"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review_request_changes(
            revision=revision,
            user=member.user,
            content_hash=revision.content_hash,
            conflict=SignOff.Conflict.NONE,
            comment="Please check the dose.",
            claim_notes=[{"claim_uid": uid, "flag": "dose", "text": "Should be 4.5 mg."}],
        )
    return article, revision, member, ReviewThread.objects.get(article=article, claim_uid__isnull=False)


def person(request, name, member):
    return {
        "reader": lambda: request.getfixturevalue("reader"),
        "editor": lambda: request.getfixturevalue("editor"),
        "other editor": lambda: EditorFactory(),
        "board member not assigned": lambda: ReviewerFactory().user,
        "assigned board member": lambda: member.user,
        "managing editor": lambda: request.getfixturevalue("managing_editor"),
    }[name]()


LADDER = [
    ("reader", 403),
    ("editor", 200),
    ("other editor", 403),
    ("board member not assigned", 403),
    ("assigned board member", 200),
    ("managing editor", 200),
]
WRITES = {"reply": 302, "resolve": 302, "open": 302}


def ask(client, article, revision, thread, what):
    """GET the page, or POST one of its forms as a real browser fills it in."""
    slug = article.slug
    if what == "page":
        return client.get(reverse("desk:threads", args=[slug]))
    if what == "reply":
        url = reverse("desk:thread_reply", args=[slug, thread.pk])
        return client.post(url, {"revision": revision.number, "flag": "note", "text": "Checked: it is 4.5 mg."})
    if what == "resolve":
        url = reverse("desk:thread_resolve", args=[slug, thread.pk])
        return client.post(url, {"revision": revision.number, "last_seen": thread.messages.get().pk})
    url = reverse("desk:thread_open", args=[slug])
    return client.post(url, {"revision": revision.number, "claim_uid": "", "flag": "note", "text": "The title?"})


def record_of(article):
    return (
        ThreadMessage.objects.filter(thread__article=article).count(),
        ReviewThread.objects.filter(article=article, resolved_at__isnull=False).count(),
    )


@pytest.mark.parametrize("what", ["page", "reply", "resolve", "open"])
def test_anonymous_visitor_is_sent_to_login(client, sent_back, what):
    article, revision, _, thread = sent_back

    response = ask(client, article, revision, thread, what)

    assert (response.status_code, response["Location"].startswith(reverse("admin:login"))) == (302, True)
    assert record_of(article) == (2, 0)


@pytest.mark.parametrize("what", ["page", "reply", "resolve", "open"])
@pytest.mark.parametrize("name, status", LADDER)
def test_threads_ladder(client, request, sent_back, what, name, status):
    article, revision, member, thread = sent_back
    client.force_login(person(request, name, member))

    response = ask(client, article, revision, thread, what)

    allowed = status == 200
    assert response.status_code == (WRITES.get(what, 200) if allowed else 403)
    written = {"reply": (3, 0), "resolve": (2, 1), "open": (3, 0)}.get(what, (2, 0))
    assert record_of(article) == (written if allowed else (2, 0))


@pytest.mark.parametrize("what", ["reply", "resolve", "open"])
def test_threads_forms_refuse_get(client, sent_back, editor, what):
    article, _, _, thread = sent_back
    client.force_login(editor)
    urls = {
        "reply": reverse("desk:thread_reply", args=[article.slug, thread.pk]),
        "resolve": reverse("desk:thread_resolve", args=[article.slug, thread.pk]),
        "open": reverse("desk:thread_open", args=[article.slug]),
    }

    assert client.get(urls[what]).status_code == 405


def test_reopen_ladder_editor_reopens_other_editor_is_refused(client, sent_back, editor):
    article, revision, _, thread = sent_back
    thread_resolve(thread=thread, user=editor, revision=revision, last_seen=thread.messages.get().pk)
    url = reverse("desk:thread_reopen", args=[article.slug, thread.pk])

    client.force_login(EditorFactory())
    refused = client.post(url)
    client.force_login(editor)
    reopened = client.post(url)

    assert (refused.status_code, reopened.status_code) == (403, 302)
    thread.refresh_from_db()
    assert thread.is_resolved is False


def test_page_shows_the_note_beside_its_claim_with_the_claim_s_words(client, sent_back, editor):
    article, revision, _, thread = sent_back
    client.force_login(editor)

    html = client.get(reverse("desk:threads", args=[article.slug])).content.decode()

    assert f'id="thread-{thread.pk}"' in html
    assert revision.content["sections"][0]["claims"][0]["text"] in html
    assert "Should be 4.5 mg." in html and "Dose needs checking" in html


def test_reply_naming_an_unknown_revision_answers_400_and_keeps_the_words(client, sent_back, editor):
    article, _, _, thread = sent_back
    client.force_login(editor)

    response = client.post(
        reverse("desk:thread_reply", args=[article.slug, thread.pk]),
        {"revision": 99, "flag": "note", "text": "My careful answer."},
    )

    assert response.status_code == 400
    assert "My careful answer." in response.content.decode()
    assert record_of(article) == (2, 0)


def test_opening_a_thread_on_an_unknown_claim_answers_400(client, sent_back, editor):
    article, revision, _, _ = sent_back
    client.force_login(editor)

    response = client.post(
        reverse("desk:thread_open", args=[article.slug]),
        {"revision": revision.number, "claim_uid": "00000000-0000-4000-8000-000000000000", "text": "Hm."},
    )

    assert response.status_code == 400
    assert record_of(article) == (2, 0)


def test_resolving_a_resolved_thread_answers_409_with_a_sentence(client, sent_back, editor, managing_editor):
    article, revision, _, thread = sent_back
    thread_resolve(thread=thread, user=managing_editor, revision=revision, last_seen=thread.messages.get().pk)
    client.force_login(editor)

    response = ask(client, article, revision, thread, "resolve")

    assert response.status_code == 409
    assert "before your request arrived. Nothing was recorded." in response.content.decode()
    assert record_of(article) == (2, 1)


def test_resolving_with_a_replaced_revision_answers_409(client, sent_back, editor):
    article, first, _, thread = sent_back
    edit_claim(article, "Give 4.5 mg once a day.", user=editor)
    article_submit(article=article, user=editor)
    client.force_login(editor)

    response = ask(client, article, first, thread, "resolve")

    assert response.status_code == 409
    assert "Revision 2 replaced revision 1 since you opened the page." in response.content.decode()
    assert record_of(article) == (2, 0)


def test_replying_to_a_thread_resolved_meanwhile_answers_409_and_keeps_the_words(client, sent_back, editor):
    article, revision, member, thread = sent_back
    thread_resolve(thread=thread, user=editor, revision=revision, last_seen=thread.messages.get().pk)
    client.force_login(member.user)

    response = ask(client, article, revision, thread, "reply")

    assert response.status_code == 409
    assert record_of(article) == (2, 1)


def test_a_blank_reply_answers_400_with_a_sentence(client, sent_back, editor):
    article, revision, _, thread = sent_back
    client.force_login(editor)

    response = client.post(
        reverse("desk:thread_reply", args=[article.slug, thread.pk]), {"revision": revision.number, "text": " "}
    )

    assert response.status_code == 400
    assert "Write your reply before sending it." in response.content.decode()


def test_decision_email_carries_the_comment_each_note_with_its_claim_and_the_threads_link(sent_back, editor):
    article, revision, member, _ = sent_back
    claim = revision.content["sections"][0]["claims"][0]["text"]

    (letter,) = mail.outbox

    assert letter.to == [editor.email]
    assert letter.body == (
        f"{member} has requested changes to revision 1 of “{article.title}”:\n\n"
        "Please check the dose.\n\n"
        f"{member} left 1 note on claims:\n\n"
        f"1. On the claim “{claim}”\n"
        "   Dose needs checking: Should be 4.5 mg.\n\n\n"
        f"Read and answer the notes here: {settings.SITE_URL}/review/{article.slug}/threads/\n\n"
        f"Open the article here: {settings.SITE_URL}/admin/articles/article/{article.pk}/change/\n"
    )


def test_desk_review_page_shows_the_editor_s_reply_beside_the_claim(client, sent_back, editor):
    article, revision, member, thread = sent_back
    client.force_login(editor)
    ask(client, article, revision, thread, "reply")
    client.force_login(member.user)

    html = client.get(reverse("desk:review", args=[article.slug, revision.number])).content.decode()

    claim_at = html.index(f'id="claim-{revision.content["sections"][0]["claims"][0]["uid"]}"')
    assert html.index("Checked: it is 4.5 mg.", claim_at) > claim_at


def test_admin_change_page_counts_the_threads_beside_each_claim(client, sent_back, editor):
    article, _, _, _ = sent_back
    client.force_login(editor)

    html = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()

    assert "1 open thread" in html
    assert "2 open, 0 resolved." in html


# The editors' inbox


@pytest.mark.parametrize(
    "name, status",
    [
        ("reader", 403),
        ("editor", 200),
        ("other editor", 200),
        ("board member not assigned", 403),
        ("assigned board member", 403),
        ("managing editor", 200),
    ],
)
def test_inbox_ladder(client, request, sent_back, name, status):
    _, _, member, _ = sent_back
    client.force_login(person(request, name, member))

    assert client.get(reverse("desk:inbox")).status_code == status


def test_inbox_lists_changes_requested_with_unresolved_threads(client, sent_back, editor):
    article, _, _, _ = sent_back
    client.force_login(editor)

    html = client.get(reverse("desk:inbox")).content.decode()

    assert f"{article.title}</a>: the board sent back revision 1." in html
    assert "2 unresolved threads" in html


@pytest.mark.parametrize("articles", [1, 6])
def test_inbox_costs_a_bounded_number_of_queries(
    client, editor, managing_editor, articles, django_assert_max_num_queries
):
    for _ in range(articles):
        article = article_with_claims(sections=1, claims_per_section=2)
        under_review(article, editor, managing_editor)
    client.force_login(editor)

    # 9: the session and the user, their permissions, and the five lists.
    with django_assert_max_num_queries(9):
        assert client.get(reverse("desk:inbox")).status_code == 200


@pytest.mark.parametrize("extra_threads", [0, 5])
def test_threads_page_costs_a_bounded_number_of_queries(
    client, sent_back, editor, extra_threads, django_assert_max_num_queries
):
    article, revision, _, _ = sent_back
    for number in range(extra_threads):
        thread_open(article=article, user=editor, revision=revision, text=f"Question {number}.")
    client.force_login(editor)

    # 12: the session and the user, who may read the threads, the threads with their messages and
    # the revisions' numbers, the newest revision, and the form's claims.
    with django_assert_max_num_queries(12):
        assert client.get(reverse("desk:threads", args=[article.slug])).status_code == 200
