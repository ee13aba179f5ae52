"""The workflow follows the reference library: flagged evidence is news for managing editors."""

from django.dispatch import receiver

from editorial import notifications
from jobs.outbox import enqueue_with_commit
from references.signals import references_flagged


@receiver(references_flagged, dispatch_uid="editorial.tell_managing_editors_of_flagged_evidence")
def tell_managing_editors_of_flagged_evidence(sender, reference_ids, **kwargs):
    """With the flagging, enqueue the email telling managing editors which live articles cite them."""
    enqueue_with_commit(lambda: notifications.notify_managing_editors_of_flagged_evidence(reference_ids))
