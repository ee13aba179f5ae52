"""Signals the workflow sends for other parts of the site to follow.

`public_status_changed` is sent, with `article_id`, inside the transaction of
every move that changes what the public page may say: a submission (the
pending view of an article never approved, or "an update is being reviewed"),
an approval that reaches quorum (new live words, perhaps under a new slug) and
a withdrawal. Listeners keep their own derived data (the reader's public
slugs, index and caches) in step, and send anything outside the database
(cache purges) with `transaction.on_commit(..., robust=True)`, so that a move
that committed is never reported as failed.

Listeners must not change workflow state. A listener may refuse a submission
or an approval by raising an `editorial.errors.WorkflowError` (the move is
then rolled back and shown as a 409, like any other refusal): the reader
refuses a revision whose slug another article has already made public. A
withdrawal is never refused.

`revision_went_live` is sent, with `revision` and `approver`, inside the
transaction in which an approved revision replaces the words readers saw: at
quorum, or at its go-live time if it waited for one (`approver` is then the
member whose approval reached quorum). A re-review, which certifies the live
words again unchanged, and a release, which shows them again, do not send it.
Listeners follow it with their own records (the reader marks the problem
reports the revision answers) and must neither refuse it nor change workflow
state.
"""

from django.dispatch import Signal

public_status_changed = Signal()
revision_went_live = Signal()
