"""Records of background work: the emails sent by tasks, and the library-wide jobs people set off."""

from django.conf import settings
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


class LibraryJob(models.Model):
    """Work over the whole library that a person's move set off, done by a task worker, with its progress kept.

    No request does library-wide work: the move records a job and enqueues its
    task with the change it follows (`jobs.outbox.enqueue_with_commit`); the
    task reports its progress here a batch at a time, so the person who made
    the move can watch it end, or see that it failed and why.
    """

    class Kind(models.TextChoices):
        REFRESH_ARTICLE_PAGES = "refresh_article_pages", "Refresh every cached article page"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed; tried again later"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    cause = models.CharField(max_length=200, help_text="The move that set it off, as people will read it.")
    key = models.CharField(max_length=100, db_index=True, help_text="What set it off, for pages to find it by.")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True, help_text="Unknown until the task has counted.")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.cause})"

    @property
    def percent(self) -> int | None:
        """How far it got, 0-100; None until the task has counted its work."""
        if not self.total:
            return 100 if self.state == self.State.FINISHED else None
        return min(100, self.done * 100 // self.total)
