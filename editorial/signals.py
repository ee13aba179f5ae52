"""Signals the workflow sends for other parts of the site to follow.

`public_status_changed` is sent, with `article_id`, inside the transaction of
every move that changes what the public page may say: a submission (the
pending status, "an update is being reviewed"), an approval that reaches
quorum (new live words) and a withdrawal. Listeners keep their own derived
data (the reader's index, its caches) in step. They must not change workflow
state.
"""

from django.dispatch import Signal

public_status_changed = Signal()
