"""Review threads: a sign-off's notes open them, the editors answer and resolve them, a claim is followed by uid."""

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied

from editorial.errors import StaleRevision, ThreadChanged, UnknownClaim, UnknownRevision
from editorial.models import ClaimNote, ReviewThread, SignOff, ThreadMessage
from editorial.notifications import email_thread_moved
from editorial.services import (
    article_submit,
    review_request_changes,
    thread_open,
    thread_reopen,
    thread_reply,
    thread_resolve,
)
from editorial.threads.selectors import article_threads
from tests.factories import EditorFactory, ReviewerFactory
from tests.workflow_helpers import approve, citable_article, edit_claim, under_review

pytestmark = pytest.mark.django_db


def first_uid(revision) -> str:
    return revision.content["sections"][0]["claims"][0]["uid"]


def claim_text(revision, index=0) -> str:
    return revision.content["sections"][0]["claims"][index]["text"]


def request_changes(revision, member, *, notes=(), comment="Please check the dose."):
    return review_request_changes(
        revision=revision,
        user=member.user,
        content_hash=revision.content_hash,
        conflict=SignOff.Conflict.NONE,
        comment=comment,
        claim_notes=list(notes),
    )


@pytest.fixture
def sent_back(editor, managing_editor):
    """An article sent back with a dose note on its first claim: (article, revision, member, claim thread)."""
    article = citable_article()
    revision, (member,) = under_review(article, editor, managing_editor)
    request_changes(revision, member, notes=[{"claim_uid": first_uid(revision), "flag": "dose", "text": "4.5 mg?"}])
    thread = ReviewThread.objects.get(article=article, claim_uid__isnull=False)
    return article, revision, member, thread


def messages_of(thread) -> list[tuple]:
    return [
        (m.author.username, m.flag, m.text, m.read_revision.number)
        for m in ThreadMessage.objects.filter(thread=thread).select_related("author", "read_revision")
    ]


def test_request_changes_opens_a_thread_per_note_and_one_for_the_comment(sent_back):
    article, revision, member, _ = sent_back

    threads = ReviewThread.objects.filter(article=article).order_by("id")

    assert [(t.claim_uid and str(t.claim_uid), t.quote, t.opened_on.number, t.is_resolved) for t in threads] == [
        (None, "", 1, False),
        (first_uid(revision), claim_text(revision), 1, False),
    ]
    assert [messages_of(t) for t in threads] == [
        [(member.user.username, "note", "Please check the dose.", 1)],
        [(member.user.username, "dose", "4.5 mg?", 1)],
    ]


def test_a_note_s_thread_message_links_to_the_signed_claim_note(sent_back):
    _, _, _, thread = sent_back

    message = thread.messages.get()

    assert message.claim_note == ClaimNote.objects.get()
    assert message.sign_off == ClaimNote.objects.get().sign_off


def test_approval_without_comment_or_notes_opens_no_thread(editor, managing_editor):
    article = citable_article()
    revision, (member,) = under_review(article, editor, managing_editor)

    approve(revision, member)

    assert ReviewThread.objects.filter(article=article).count() == 0


def test_a_note_naming_an_unknown_claim_is_refused_and_nothing_is_signed(editor, managing_editor):
    article = citable_article()
    revision, (member,) = under_review(article, editor, managing_editor)
    unknown = "00000000-0000-4000-8000-000000000000"

    with pytest.raises(UnknownClaim) as refusal:
        request_changes(revision, member, notes=[{"claim_uid": unknown, "flag": "note", "text": "Hm."}])

    assert refusal.value.message == "A note names a claim that is not in revision 1. Nothing was recorded."


def test_editor_of_the_article_replies(sent_back, editor):
    _, revision, member, thread = sent_back

    thread_reply(thread=thread, user=editor, revision=revision, text="Checked: 4.5 mg is right.")

    assert messages_of(thread) == [
        (member.user.username, "dose", "4.5 mg?", 1),
        ("editor", "note", "Checked: 4.5 mg is right.", 1),
    ]


def test_reply_notifies_the_assigned_reviewer(sent_back, editor, django_capture_on_commit_callbacks):
    _, revision, member, thread = sent_back
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        thread_reply(thread=thread, user=editor, revision=revision, text="Checked: 4.5 mg is right.")

    assert [m.to for m in mail.outbox] == [[member.user.email]]
    assert mail.outbox[0].subject == f"New reply on “{revision.article.title}”: a note on a claim"
    assert mail.outbox[0].body == (
        "editor wrote, reading revision 1:\n\n"
        "Checked: 4.5 mg is right.\n\n"
        f"The thread is about the claim “{claim_text(revision)}”, as revision 1 worded it.\n\n"
        f"Read the thread and answer here: {settings.SITE_URL}/review/{revision.article.slug}/threads/"
        f"#thread-{thread.pk}\n"
    )


def test_reviewer_s_reply_notifies_the_editors(sent_back, editor, django_capture_on_commit_callbacks):
    _, revision, member, thread = sent_back
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        thread_reply(thread=thread, user=member.user, revision=revision, text="Also the frequency.", flag="dose")

    assert [m.to for m in mail.outbox] == [[editor.email]]


def test_reply_from_a_replaced_revision_still_lands_on_the_claim(sent_back, editor):
    article, first, member, thread = sent_back
    edit_claim(article, "Give 4.5 mg once a day.", user=editor)
    second = article_submit(article=article, user=editor)

    thread_reply(thread=thread, user=member.user, revision=first, text="Seen on the old page.")

    assert messages_of(thread)[-1] == (member.user.username, "note", "Seen on the old page.", 1)
    view = article_threads(article).by_claim[str(thread.claim_uid)][0]
    assert (view.thread.pk, view.latest.number, view.words_now, view.thread.quote) == (
        thread.pk,
        second.number,
        "Give 4.5 mg once a day.",
        claim_text(first),
    )


def test_reply_naming_a_revision_of_another_article_is_refused(sent_back, editor, managing_editor):
    _, _, _, thread = sent_back
    other_revision, _ = under_review(citable_article(), editor, managing_editor)

    with pytest.raises(UnknownRevision):
        thread_reply(thread=thread, user=editor, revision=other_revision, text="Wrong page.")

    assert thread.messages.count() == 1


def test_reply_to_a_resolved_thread_is_refused_and_says_who_resolved_it(sent_back, editor):
    _, revision, member, thread = sent_back
    thread_resolve(thread=thread, user=editor, revision=revision, last_seen=thread.messages.get().pk)

    with pytest.raises(ThreadChanged) as refusal:
        thread_reply(thread=thread, user=member.user, revision=revision, text="One more thing.")

    assert refusal.value.message.startswith("This thread was resolved in revision 1 by editor on ")
    assert refusal.value.message.endswith("so it takes no more replies. Nothing was recorded; reopen it to reply.")
    assert thread.messages.count() == 1


def test_resolve_records_the_revision_the_person_and_the_time(sent_back, editor):
    _, revision, _, thread = sent_back

    thread_resolve(thread=thread, user=editor, revision=revision, last_seen=thread.messages.get().pk)

    thread.refresh_from_db()
    assert (thread.is_resolved, thread.resolved_in, thread.resolved_by) == (True, revision, editor)
    assert [(row.history_user, row.resolved_in_id) for row in thread.history.order_by("history_id")] == [
        (revision.article.revisions.get().sign_offs.get().signed_by, None),
        (editor, revision.pk),
    ]


def test_resolving_an_already_resolved_thread_records_nothing(sent_back, editor, managing_editor):
    _, revision, _, thread = sent_back
    seen = thread.messages.get().pk
    thread_resolve(thread=thread, user=editor, revision=revision, last_seen=seen)

    with pytest.raises(ThreadChanged):
        thread_resolve(thread=thread, user=managing_editor, revision=revision, last_seen=seen)

    assert thread.history.count() == 2


def test_resolving_past_an_unread_reply_records_nothing(sent_back, editor):
    _, revision, member, thread = sent_back
    seen = thread.messages.get().pk
    thread_reply(thread=thread, user=member.user, revision=revision, text="And the frequency.")

    with pytest.raises(ThreadChanged) as refusal:
        thread_resolve(thread=thread, user=editor, revision=revision, last_seen=seen)

    assert refusal.value.message == (
        "Somebody answered this thread since you opened the page. Nothing was recorded; "
        "read the new reply, then resolve it if it is settled."
    )
    thread.refresh_from_db()
    assert thread.is_resolved is False


def test_resolving_in_a_replaced_revision_records_nothing(sent_back, editor):
    article, first, _, thread = sent_back
    edit_claim(article, "Give 4.5 mg once a day.", user=editor)
    article_submit(article=article, user=editor)

    with pytest.raises(StaleRevision) as refusal:
        thread_resolve(thread=thread, user=editor, revision=first, last_seen=thread.messages.get().pk)

    assert refusal.value.message == (
        "Revision 2 replaced revision 1 since you opened the page. "
        "Nothing was recorded; read the claim in revision 2, then resolve the thread."
    )


def test_resolving_tells_the_thread_s_other_people_once_it_commits(
    sent_back, editor, django_capture_on_commit_callbacks
):
    _, revision, member, thread = sent_back
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        thread_resolve(thread=thread, user=editor, revision=revision, last_seen=thread.messages.get().pk)

    assert [m.to for m in mail.outbox] == [[member.user.email]]
    assert mail.outbox[0].subject == f"Thread resolved on “{revision.article.title}”: a note on a claim"
    assert mail.outbox[0].body == (
        "editor marked the thread resolved in revision 1: its words settle it.\n\n"
        f"The thread is about the claim “{claim_text(revision)}”, as revision 1 worded it.\n\n"
        f"Read the thread here: {settings.SITE_URL}/review/{revision.article.slug}/threads/#thread-{thread.pk}\n"
    )


def test_reopening_tells_whoever_wrote_in_the_thread_but_the_person_who_reopened_it(
    sent_back, editor, django_capture_on_commit_callbacks
):
    _, revision, member, thread = sent_back
    thread_reply(thread=thread, user=editor, revision=revision, text="Checked: 4.5 mg is right.")
    thread_resolve(thread=thread, user=editor, revision=revision, last_seen=thread.messages.last().pk)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        thread_reopen(thread=thread, user=member.user)

    assert [m.to for m in mail.outbox] == [[editor.email]]
    assert mail.outbox[0].subject == f"Thread reopened on “{revision.article.title}”: a note on a claim"
    assert mail.outbox[0].body.startswith(f"{member.user.get_username()} reopened the thread: it takes replies again.")


def test_a_thread_move_emails_nobody_before_it_commits(sent_back, editor, django_capture_on_commit_callbacks):
    _, revision, _, thread = sent_back
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=False):
        thread_resolve(thread=thread, user=editor, revision=revision, last_seen=thread.messages.get().pk)

    assert mail.outbox == []


def test_a_resolution_undone_before_its_email_leaves_tells_nobody(sent_back, editor, managing_editor):
    _, revision, _, thread = sent_back
    thread_reply(thread=thread, user=editor, revision=revision, text="Checked: 4.5 mg is right.")
    thread_resolve(thread=thread, user=editor, revision=revision, last_seen=thread.messages.last().pk)
    resolved = thread.history.order_by("-history_id").first().history_id
    thread_reopen(thread=thread, user=managing_editor)
    mail.outbox.clear()

    assert email_thread_moved.call(thread.pk, resolved) == 0
    assert mail.outbox == []


def test_a_thread_move_is_emailed_once_however_often_the_task_runs(sent_back, editor):
    _, revision, _, thread = sent_back
    thread_resolve(thread=thread, user=editor, revision=revision, last_seen=thread.messages.get().pk)
    resolved = thread.history.order_by("-history_id").first().history_id
    mail.outbox.clear()

    assert [email_thread_moved.call(thread.pk, resolved) for _ in range(2)] == [1, 0]


def test_reopen_clears_the_resolution_and_history_keeps_it(sent_back, editor):
    _, revision, member, thread = sent_back
    thread_resolve(thread=thread, user=editor, revision=revision, last_seen=thread.messages.get().pk)

    thread_reopen(thread=thread, user=member.user)

    thread.refresh_from_db()
    assert (thread.is_resolved, thread.resolved_in, thread.resolved_by) == (False, None, None)
    assert [row.history_user for row in thread.history.order_by("history_id")] == [
        member.user,
        editor,
        member.user,
    ]


def test_reopening_an_open_thread_records_nothing(sent_back, editor):
    _, _, _, thread = sent_back

    with pytest.raises(ThreadChanged):
        thread_reopen(thread=thread, user=editor)

    assert thread.history.count() == 1


@pytest.mark.parametrize(
    "person, may",
    [
        ("reader", False),
        ("editor of the article", True),
        ("other editor", False),
        ("board member not assigned", False),
        ("assigned board member", True),
        ("managing editor", True),
    ],
)
def test_who_may_reply(sent_back, request, person, may):
    _, revision, member, thread = sent_back
    user = {
        "reader": lambda: request.getfixturevalue("reader"),
        "editor of the article": lambda: request.getfixturevalue("editor"),
        "other editor": lambda: EditorFactory(),
        "board member not assigned": lambda: ReviewerFactory().user,
        "assigned board member": lambda: member.user,
        "managing editor": lambda: request.getfixturevalue("managing_editor"),
    }[person]()

    if may:
        thread_reply(thread=thread, user=user, revision=revision, text="Agreed.")
    else:
        with pytest.raises(PermissionDenied):
            thread_reply(thread=thread, user=user, revision=revision, text="Agreed.")

    assert thread.messages.count() == (2 if may else 1)


@pytest.mark.parametrize("service", ["resolve", "reopen"])
def test_other_editor_may_not_change_a_thread_s_state(sent_back, editor, service):
    _, revision, _, thread = sent_back
    if service == "reopen":
        thread_resolve(thread=thread, user=editor, revision=revision, last_seen=thread.messages.get().pk)

    with pytest.raises(PermissionDenied):
        if service == "resolve":
            thread_resolve(thread=thread, user=EditorFactory(), revision=revision, last_seen=thread.messages.get().pk)
        else:
            thread_reopen(thread=thread, user=EditorFactory())


def test_editor_opens_a_thread_on_a_claim_quoting_it(sent_back, editor):
    article, revision, _, _ = sent_back
    uid = revision.content["sections"][0]["claims"][1]["uid"]

    thread = thread_open(article=article, user=editor, revision=revision, claim_uid=uid, text="Is this still true?")

    assert (str(thread.claim_uid), thread.quote, thread.opened_by) == (uid, claim_text(revision, 1), editor)
    assert messages_of(thread) == [("editor", "note", "Is this still true?", 1)]


def test_a_thread_on_a_claim_since_removed_says_so(sent_back, editor):
    article, _, _, thread = sent_back
    article.sections.first().claims.first().delete()
    article_submit(article=article, user=editor)

    threads = article_threads(article)

    assert [view.thread.pk for view in threads.on_gone_claims] == [thread.pk]
    assert threads.on_gone_claims[0].is_claim_gone is True


def test_messages_are_never_changed(sent_back):
    _, _, _, thread = sent_back
    message = thread.messages.get()
    message.text = "Rewritten."

    with pytest.raises(Exception, match="never changed"):
        message.save()
