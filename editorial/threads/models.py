"""Review threads and their messages.

A thread's state (open, or resolved in revision N by someone at some time) is
on the thread itself, a tracked model: each resolution and each reopening is
one history row naming the person, so "who resolved it, when, and who reopened
it" is read from the history, and the current state is one column to filter on
(the inbox counts unresolved threads of many articles in one query). The words
exchanged are messages, append-only records like the claim notes they start
from: nobody edits or deletes what was said.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from config.history import tracked_history
from config.text import person_name
from editorial.models import AppendOnlyModel, ClaimNote, Revision, SignOff


class ReviewThread(models.Model):
    """A conversation about one claim (by `uid`, across revisions) or, without a claim, the article as a whole.

    It remembers the revision it was opened on and quotes the claim's words as
    that revision had them, so it still reads right once the claim changes or
    is removed. Resolving names the revision that settles it (the newest one
    when it was resolved); reopening clears the resolution, which the history
    keeps. Changed only by `editorial.services.threads`, with the thread's row locked.
    """

    article = models.ForeignKey("articles.Article", on_delete=models.PROTECT, related_name="review_threads")
    claim_uid = models.UUIDField(null=True, blank=True, help_text="The claim it is about; empty: the whole article.")
    opened_on = models.ForeignKey(
        Revision, on_delete=models.PROTECT, related_name="+", help_text="The revision the thread was opened on."
    )
    quote = models.TextField(
        blank=True, help_text="The claim's words in the revision the thread was opened on, quoted as they were."
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who opened it; empty for an outside expert's thread (its first message names their link).",
    )
    opened_at = models.DateTimeField(default=timezone.now)
    resolved_in = models.ForeignKey(
        Revision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The revision whose words settle the thread: the newest one when it was resolved.",
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    history = tracked_history()

    class Meta:
        ordering = ["opened_at", "id"]
        indexes = [models.Index(fields=["article", "resolved_at"], name="reviewthread_article_state")]
        constraints = [
            models.CheckConstraint(
                condition=Q(claim_uid__isnull=True) | GreaterThan(Length(Trim("quote")), 0),
                name="reviewthread_claim_is_quoted",
                violation_error_message="A thread about a claim quotes the claim's words.",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, resolved_in__isnull=True, resolved_by__isnull=True)
                | Q(resolved_at__isnull=False, resolved_in__isnull=False, resolved_by__isnull=False),
                name="reviewthread_resolution_is_whole",
                violation_error_message="A resolution names its revision, its person and its time.",
            ),
        ]

    def __str__(self):
        about = f"claim {self.claim_uid}" if self.claim_uid else "the article"
        return f"Thread on {about} ({'resolved' if self.is_resolved else 'open'})"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None

    @property
    def is_about_a_claim(self) -> bool:
        return self.claim_uid is not None

    @property
    def state_token(self) -> str:
        """What a form shows the thread as ("open", "resolved"): a form naming another state is stale."""
        return "resolved" if self.is_resolved else "open"


class ThreadMessage(AppendOnlyModel):
    """One message in a thread: who wrote it, what they flag, their words, and the revision they were reading.

    A message that came with a sign-off links to it (and, for a note on a
    claim, to the sealed `ClaimNote`), so the thread shows what was signed.
    A message has one author: a person's account (`author`), or an outside
    expert's review link (`expert_link`) for someone with no account.
    """

    thread = models.ForeignKey(ReviewThread, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expert_link = models.ForeignKey(
        "editorial.ExpertLink",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="thread_messages",
        help_text="The outside expert's link the message was written through, for an author with no account.",
    )
    flag = models.CharField(max_length=16, choices=ClaimNote.Flag.choices, default=ClaimNote.Flag.NOTE)
    text = models.TextField()
    read_revision = models.ForeignKey(
        Revision,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The revision the author was reading when they wrote.",
    )
    sign_off = models.ForeignKey(
        SignOff, on_delete=models.PROTECT, null=True, blank=True, related_name="thread_messages"
    )
    claim_note = models.OneToOneField(
        ClaimNote, on_delete=models.PROTECT, null=True, blank=True, related_name="thread_message"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=GreaterThan(Length(Trim("text")), 0), name="threadmessage_text_not_blank"),
            models.CheckConstraint(
                condition=Q(author__isnull=False, expert_link__isnull=True)
                | Q(author__isnull=True, expert_link__isnull=False),
                name="threadmessage_has_one_author",
                violation_error_message="A message is written by one person, or through one expert's link.",
            ),
            models.CheckConstraint(
                condition=Q(claim_note__isnull=True) | Q(sign_off__isnull=False),
                name="threadmessage_note_names_its_sign_off",
            ),
        ]

    def __str__(self):
        return f"{self.get_flag_display()}: {self.text[:60]}"

    @property
    def author_name(self) -> str:
        """Who wrote it, as a thread shows them: the person's name, or the outside expert's."""
        if self.expert_link_id is not None:
            return f"{self.expert_link.expert} (outside expert)"
        return person_name(self.author)

    @property
    def is_flagged(self) -> bool:
        return self.flag != ClaimNote.Flag.NOTE
