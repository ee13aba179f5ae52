"""Review threads under real concurrency, on PostgreSQL: two people acting on one thread at the same moment.

Each runs in its own thread and database session against the real row locks,
and really commits: exactly one resolution is recorded, the other person is
told who was faster, and nothing of theirs is written.
"""

import threading

import pytest
from django.db import connection

from editorial.errors import ThreadChanged
from editorial.models import ReviewThread, SignOff
from editorial.services import review_request_changes, thread_reply, thread_resolve
from tests.workflow_helpers import citable_article, under_review

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Needs PostgreSQL: concurrent sessions against real row locks.",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def at_the_same_moment(*moves):
    """Run each move in its own thread and session, released together; return what each returned or raised."""
    barrier = threading.Barrier(len(moves))
    results = [None] * len(moves)

    def run(index, move):
        try:
            barrier.wait(timeout=30)
            results[index] = move()
        except Exception as error:  # the refusal under test, or a failure the assertions will show
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, move)) for i, move in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a move never finished"
    return results


@pytest.fixture
def sent_back(editor, managing_editor):
    article = citable_article()
    revision, (member,) = under_review(article, editor, managing_editor)
    review_request_changes(
        revision=revision,
        user=member.user,
        content_hash=revision.content_hash,
        conflict=SignOff.Conflict.NONE,
        comment="Please check the dose.",
    )
    return revision, member, ReviewThread.objects.get(article=article)


def test_two_people_resolving_at_once_record_one_resolution(sent_back, editor, managing_editor):
    revision, _, thread = sent_back
    seen = thread.messages.get().pk

    results = at_the_same_moment(
        lambda: thread_resolve(thread=thread, user=editor, revision=revision, last_seen=seen),
        lambda: thread_resolve(thread=thread, user=managing_editor, revision=revision, last_seen=seen),
    )

    refusals = [type(result) for result in results if isinstance(result, Exception)]
    assert refusals == [ThreadChanged]
    assert thread.history.count() == 2  # opened, then resolved once


def test_a_reply_racing_a_resolution_is_either_read_first_or_refused(sent_back, editor):
    revision, member, thread = sent_back
    seen = thread.messages.get().pk

    resolved, replied = at_the_same_moment(
        lambda: thread_resolve(thread=thread, user=editor, revision=revision, last_seen=seen),
        lambda: thread_reply(thread=thread, user=member.user, revision=revision, text="And the frequency."),
    )

    thread.refresh_from_db()
    outcome = (isinstance(resolved, Exception), isinstance(replied, Exception))
    assert outcome in {(False, True), (True, False)}
    assert (thread.is_resolved, thread.messages.count()) == ((True, 1) if outcome == (False, True) else (False, 2))
