"""Signals the reference library sends for other parts of the site to follow.

`references_flagged` is sent, with `reference_ids`, inside the transaction that
newly marks references retracted or under an expression of concern (today the
retraction import). Listeners may tell people about it once the transaction
commits; they must not change the references.
"""

from django.dispatch import Signal

references_flagged = Signal()
