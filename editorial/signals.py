"""Signals the workflow sends for other parts of the site to follow.

`live_revision_changed` is sent inside the transaction of an approval that
reaches quorum and of a withdrawal, with `article_id`: listeners keep their own
derived data (the reader's index, its caches) in step with what readers may see.
They must not change workflow state.
"""

from django.dispatch import Signal

live_revision_changed = Signal()
