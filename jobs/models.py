"""The ledger of emails sent by background tasks."""

from django.db import models
from django.utils import timezone


class SentEmail(models.Model):
    """One email that went out, under the idempotency key of what it was about.

    The key names the event (an audit event's revision, sign-off or
    assignment, an import), the email's template and its recipient, so a task
    run twice, or enqueued twice, finds the row and sends nothing.
    """

    key = models.CharField(max_length=200, unique=True)
    recipient = models.EmailField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.key
