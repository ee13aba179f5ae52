"""The workflow follows the reference library: flagged evidence is news for managing editors."""

from django.db import transaction
from django.dispatch import receiver

from editorial import notifications
from references.signals import references_flagged


@receiver(references_flagged, dispatch_uid="editorial.tell_managing_editors_of_flagged_evidence")
def tell_managing_editors_of_flagged_evidence(sender, reference_ids, **kwargs):
    """Once the flagging commits, enqueue the email telling managing editors which live articles cite them."""
    transaction.on_commit(
        lambda: notifications.notify_managing_editors_of_flagged_evidence(reference_ids), robust=True
    )  # the flags are committed; a queue that cannot take the task is logged, never an error page
