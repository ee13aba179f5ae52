"""Outside experts' review links: who was invited to read which revision, and every use of the link.

The expert's comments are messages of the review threads (`ThreadMessage.expert_link`).

Imported by `editorial.models`, so Django finds these models in the `editorial` app.
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from config.history import tracked_history
from editorial.models import AppendOnlyModel, Revision


class ExpertLink(models.Model):
    """A link that lets one named outside expert read one revision and comment on it, without an account.

    Only the SHA-256 of the link's token is stored: the token itself is shown
    once, to the managing editor who made the link, and emailed to the expert.
    The link opens nothing after `expires_at` or once revoked; a revocation is
    recorded here (and in the link's history), never by deleting the row.
    """

    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="expert_links")
    name = models.CharField(max_length=120, help_text="The expert's name as editors and the audit trail see it.")
    credentials = models.CharField(
        max_length=120, blank=True, help_text="For example “MD, PhD, consultant nephrologist”."
    )
    email = models.EmailField(help_text="Where the link is sent. Only this person should open it.")
    conflict_statement = models.TextField(
        help_text="The expert's own declaration of interests, or their statement that they have none."
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = tracked_history()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(token_hash__regex=r"^[0-9a-f]{64}$"),  # noqa: S106 (a hash's shape, not a password)
                name="expertlink_token_hash_is_sha256",
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("name")), 0),
                name="expertlink_name_not_blank",
                violation_error_message="An expert link names the expert.",
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("conflict_statement")), 0),
                name="expertlink_conflict_statement_not_blank",
                violation_error_message="An expert link records the expert's conflict-of-interest statement.",
            ),
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="expertlink_expires_after_made"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True)
                | Q(revoked_at__isnull=False, revoked_by__isnull=False),
                name="expertlink_revocation_names_who",
            ),
        ]

    def __str__(self):
        return f"{self.expert} on revision {self.revision.number}"

    @property
    def expert(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    def state_at(self, now: datetime) -> "ExpertLink.State":
        """Revoked, expired or active at `now`: a revoked link reads as revoked even after it would have expired."""
        if self.revoked_at is not None:
            return self.State.REVOKED
        if now >= self.expires_at:
            return self.State.EXPIRED
        return self.State.ACTIVE


class ExpertLinkUse(AppendOnlyModel):
    """One request made with an expert link's token, whatever it was answered: the link's audit trail.

    It records which link, when, which page and which revision the address
    named (never the token), what the request got, and the client's address as
    the site's trusted proxies report it (`TRUSTED_PROXY_COUNT`).
    """

    class Page(models.TextChoices):
        READ = "read", "The revision"
        COMMENT = "comment", "The comment form"

    class Outcome(models.TextChoices):
        SHOWN = "shown", "Shown the revision"
        COMMENTED = "commented", "Comment recorded"
        COMMENT_REFUSED = "comment_refused", "Comment refused: incomplete or stale"
        EXPIRED = "expired", "Refused: the link had expired"
        REVOKED = "revoked", "Refused: the link was revoked"
        OTHER_REVISION = "other_revision", "Refused: the address named another revision"

    link = models.ForeignKey(ExpertLink, on_delete=models.PROTECT, related_name="uses")
    at = models.DateTimeField(default=timezone.now)
    page = models.CharField(max_length=16, choices=Page.choices)
    asked_for = models.CharField(max_length=200, help_text="The article and revision the address named.")
    outcome = models.CharField(max_length=24, choices=Outcome.choices)
    status_code = models.PositiveSmallIntegerField()
    client_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["link", "at"], name="expertlinkuse_link_time")]

    def __str__(self):
        return f"{self.get_outcome_display()} ({self.at:%Y-%m-%d %H:%M})"
