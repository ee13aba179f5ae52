"""Review threads: open one, answer it, resolve it, reopen it.

Each runs in one transaction with the article's row locked (the lock every move
on it takes, so a submission cannot slip a newer revision in meanwhile) and then
the thread's; checks who (`may_take_part_in_threads`, else 403), then when (a
thread resolved or answered since the form was shown: `ThreadChanged`, 409),
then the input (a revision or claim the article does not have: 400). None of
them moves the workflow, so none writes an audit event: the messages are
append-only records and the thread's history names who resolved or reopened it
and when. Emails to the other side go out once the transaction commits.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from config.history import acting_as
from config.text import person_name
from editorial import notifications
from editorial.errors import StaleRevision, ThreadChanged, UnknownClaim, UnknownRevision
from editorial.models import ClaimNote, ReviewThread, Revision, SignOff, ThreadMessage
from editorial.rules import may_take_part_in_threads
from editorial.services.moves import workflow_lock
from jobs.outbox import enqueue_with_commit

REFUSAL = "Only the article's editors, managing editors and the board members reviewing it take part in its threads."


def claim_words(revision: Revision, claim_uid) -> str | None:
    """The claim's words in `revision` (its lead-in, then its clinician wording), or None if it has no such claim."""
    for section in revision.content["sections"]:
        for claim in section["claims"]:
            if claim["uid"] == str(claim_uid):
                return f"{claim['lead_in']}: {claim['text']}" if claim.get("lead_in") else claim["text"]
    return None


@transaction.atomic
def thread_open(
    *, article: Article, user, revision: Revision, text: str, claim_uid=None, flag: str = ClaimNote.Flag.NOTE
) -> ReviewThread:
    """Open a thread about a claim of `revision` (or, without a claim, the whole article) with its first message."""
    workflow_lock(article.pk)
    _refuse_outsider(user, article)
    _refuse_unknown_revision(article, revision)
    thread = _open(article=article, user=user, revision=revision, claim_uid=claim_uid)
    message = _write(thread, author=user, revision=revision, text=text, flag=flag)
    enqueue_with_commit(lambda: notifications.notify_of_thread_message(message))
    return thread


def thread_open_by_expert(*, link, claim_uid, flag: str, text: str) -> ThreadMessage:
    """Open a thread with an outside expert's comment, written through their link; return the message.

    Called by `expert_comment_add` inside its transaction, once it has locked
    the article and checked the link: the expert has no account, so the thread
    names no opener and its history no person; the message names the link.
    """
    revision = link.revision
    thread = _open(article=revision.article, user=None, revision=revision, claim_uid=claim_uid)
    message = _write(thread, author=None, expert_link=link, revision=revision, text=text, flag=flag)
    enqueue_with_commit(lambda: notifications.notify_of_thread_message(message))
    return message


def open_threads_for_sign_off(sign_off: SignOff, notes: list[ClaimNote]) -> list[ReviewThread]:
    """Open a thread for each note signed with `sign_off`, and one about the article for its comment.

    Called by the sign-off services inside their transaction, once they have
    checked the signer: each note stays the sealed record of what was signed,
    and the thread's first message links to it. The decision's email tells the
    editors, so nothing more is sent here.
    """
    revision, user = sign_off.revision, sign_off.signed_by
    threads = []
    with acting_as(user):
        if sign_off.comment.strip():
            thread = _open(article=revision.article, user=user, revision=revision, claim_uid=None)
            _write(thread, author=user, revision=revision, text=sign_off.comment, sign_off=sign_off)
            threads.append(thread)
        for note in notes:
            thread = _open(article=revision.article, user=user, revision=revision, claim_uid=note.claim_uid)
            _write(
                thread,
                author=user,
                revision=revision,
                text=note.text,
                flag=note.flag,
                sign_off=sign_off,
                claim_note=note,
            )
            threads.append(thread)
    return threads


@transaction.atomic
def thread_reply(
    *, thread: ReviewThread, user, revision: Revision, text: str, flag: str = ClaimNote.Flag.NOTE
) -> ThreadMessage:
    """Answer an open thread, as the reader of `revision`; the answer stays on the claim whatever revision it is.

    A reply from a page of a revision since replaced still lands: the thread
    follows its claim, and the message records the revision its author read.
    """
    thread = _lock(thread)
    _refuse_outsider(user, thread.article)
    if thread.is_resolved:
        raise ThreadChanged(
            f"{_resolution(thread)}, so it takes no more replies. Nothing was recorded; reopen it to reply."
        )
    _refuse_unknown_revision(thread.article, revision)
    message = _write(thread, author=user, revision=revision, text=text, flag=flag)
    enqueue_with_commit(lambda: notifications.notify_of_thread_message(message))
    return message


@transaction.atomic
def thread_resolve(*, thread: ReviewThread, user, revision: Revision, last_seen: int | None) -> ReviewThread:
    """Mark the thread resolved in `revision`, the newest revision, which the person read with the thread's messages.

    `last_seen` is the id of the newest message on their page: a reply since,
    or a newer revision since, means they resolve what they have not read, and
    nothing is recorded (409).
    """
    thread = _lock(thread)
    _refuse_outsider(user, thread.article)
    if thread.is_resolved:
        raise ThreadChanged(f"{_resolution(thread)} before your request arrived. Nothing was recorded.")
    newest = thread.messages.order_by("-id").values_list("id", flat=True).first()
    if last_seen != newest:
        raise ThreadChanged(
            "Somebody answered this thread since you opened the page. Nothing was recorded; "
            "read the new reply, then resolve it if it is settled."
        )
    _refuse_unknown_revision(thread.article, revision)
    latest = Revision.objects.filter(article_id=thread.article_id).order_by("-number").first()
    if revision.pk != latest.pk:
        raise StaleRevision(
            f"Revision {latest.number} replaced revision {revision.number} since you opened the page. "
            f"Nothing was recorded; read the claim in revision {latest.number}, then resolve the thread."
        )
    thread.resolved_in, thread.resolved_by, thread.resolved_at = revision, user, timezone.now()
    _save(thread, user)
    _tell_of_move(thread)
    return thread


@transaction.atomic
def thread_reopen(*, thread: ReviewThread, user) -> ReviewThread:
    """Open a resolved thread again; its history keeps the resolution it had."""
    thread = _lock(thread)
    _refuse_outsider(user, thread.article)
    if not thread.is_resolved:
        raise ThreadChanged("This thread is open already: somebody reopened it before you. Nothing was recorded.")
    thread.resolved_in, thread.resolved_by, thread.resolved_at = None, None, None
    _save(thread, user)
    _tell_of_move(thread)
    return thread


def _tell_of_move(thread: ReviewThread) -> None:
    """Once the move commits, tell the thread's people; the history row just written names the move and who made it."""
    move_id = thread.history.order_by("-history_id").values_list("history_id", flat=True).first()
    enqueue_with_commit(lambda: notifications.notify_of_thread_move(thread, move_id))


def _lock(thread: ReviewThread) -> ReviewThread:
    """Lock the article's row, then the thread's, and return the thread as it is now."""
    workflow_lock(thread.article_id)
    return (
        ReviewThread.objects.select_for_update(of=("self",))
        .select_related("article", "resolved_in", "resolved_by")
        .get(pk=thread.pk)
    )


def _refuse_outsider(user, article: Article) -> None:
    if not may_take_part_in_threads(user, article):
        raise PermissionDenied(REFUSAL)


def _refuse_unknown_revision(article: Article, revision: Revision) -> None:
    if revision is None or revision.article_id != article.pk:
        raise UnknownRevision(f"The form names a revision that “{article}” does not have. Nothing was recorded.")


def _resolution(thread: ReviewThread) -> str:
    who = person_name(thread.resolved_by)
    return (
        f"This thread was resolved in revision {thread.resolved_in.number} by {who} "
        f"on {timezone.localtime(thread.resolved_at):%d %b %Y at %H:%M}"
    )


def _open(*, article: Article, user, revision: Revision, claim_uid) -> ReviewThread:
    """A new thread, quoting the claim as `revision` words it; a claim `revision` does not have is refused (400)."""
    quote = ""
    if claim_uid is not None:
        quote = claim_words(revision, claim_uid)
        if quote is None:
            raise UnknownClaim(f"A note names a claim that is not in revision {revision.number}. Nothing was recorded.")
    thread = ReviewThread(article=article, claim_uid=claim_uid, opened_on=revision, quote=quote, opened_by=user)
    _save(thread, user)
    return thread


def _write(
    thread, *, author, revision, text, flag=ClaimNote.Flag.NOTE, sign_off=None, claim_note=None, expert_link=None
):
    message = ThreadMessage(
        thread=thread,
        author=author,
        expert_link=expert_link,
        read_revision=revision,
        text=text.strip(),
        flag=flag or ClaimNote.Flag.NOTE,
        sign_off=sign_off,
        claim_note=claim_note,
    )
    message.full_clean()
    message.save()
    return message


def _save(thread: ReviewThread, user) -> None:
    if user is None:  # an outside expert's: no person to name, not even the one whose browser sent it
        thread._history_user = None
    with acting_as(user):  # the history names who opened, resolved or reopened it
        thread.full_clean()
        thread.save()
