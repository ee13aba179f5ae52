"""The medical advisory board."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan

from config.history import tracked_history


class Reviewer(models.Model):
    """A physician on the advisory board, as readers and editors see them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviewer")
    slug = models.SlugField(max_length=80, unique=True, help_text="Used in the board member's public page address.")
    display_name = models.CharField(max_length=120, help_text="As readers see it, for example “Dr Amara Okafor”.")
    credentials = models.CharField(max_length=80, help_text="Post-nominals, for example “MD, MPH” or “PharmD”.")
    specialty = models.CharField(max_length=120)
    bio = models.TextField(blank=True)
    conflict_of_interest = models.TextField(
        "conflict-of-interest statement",
        blank=True,
        help_text="Standing disclosures, shown publicly. Leave empty only if there is nothing to declare.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive members keep their past sign-offs but receive no new reviews."
    )

    history = tracked_history()

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("display_name")), 0),
                name="reviewer_display_name_not_blank",
                violation_error_message="A board member needs a display name.",
            ),
        ]

    def __str__(self):
        return f"{self.display_name}, {self.credentials}" if self.credentials else self.display_name

    @property
    def conflict_statement(self) -> str:
        return self.conflict_of_interest or "No conflicts of interest declared."
