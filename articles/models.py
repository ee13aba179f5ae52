"""An article's working copy: the tree editors change.

Article → ordered Sections → ordered Claims → ordered Citations of References.
Readers never see this tree directly; the workflow freezes it into revisions.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan, LessThanOrEqual

from config.history import tracked_history
from references.models import Reference


def _not_blank(field: str, model: str, message: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=GreaterThan(Length(Trim(field)), 0),
        name=f"{model}_{field}_not_blank",
        violation_error_message=message,
    )


def _at_most(field: str, model: str, limit: int) -> models.CheckConstraint:
    """The database keeps the same length limit as the form, so no route stores a longer text."""
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), limit),
        name=f"{model}_{field}_at_most_{limit}",
        violation_error_message=f"At most {limit:,} characters.",
    )


def _unique_order(parent: str, model: str) -> models.UniqueConstraint:
    """Positions count from 0 within the parent, as the admin's sortable inlines number them."""
    return models.UniqueConstraint(
        fields=[parent, "order"],
        name=f"{model}_unique_order_per_{parent}",
        violation_error_message=f"Two {model}s cannot share a position.",
    )


# The longest text each field takes. Claims are bullet points and ledes a few sentences; the
# limits are far above real content and keep every page, diff and hash cheap whatever is typed.
LEDE_MAX_CHARS = 1_000
INTRO_MAX_CHARS = 2_000
CLAIM_MAX_CHARS = 1_500


class Article(models.Model):
    """A short answer to one question a clinician or patient asked.

    `version` counts saves of the article or any of its parts through the editor; a save based
    on an older version is refused (see `articles.admin`), so two editors never overwrite each
    other unseen.
    """

    question = models.CharField(max_length=300, help_text="The reader's question, as asked.")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    lede = models.TextField(
        max_length=LEDE_MAX_CHARS,
        validators=[MaxLengthValidator(LEDE_MAX_CHARS)],
        help_text="A short answer for clinicians, shown under the title.",
    )
    plain_lede = models.TextField(
        "plain-language lede",
        max_length=LEDE_MAX_CHARS,
        validators=[MaxLengthValidator(LEDE_MAX_CHARS)],
        blank=True,
        help_text="The same short answer in words a patient would use.",
    )
    specialty = models.CharField(max_length=100, help_text="The specialty or topic, for example “Pain medicine”.")
    pending_display = models.CharField(
        "before approval",
        max_length=16,
        blank=True,
        choices=[("", "Follow the site setting"), ("hide", "Not public"), ("caution", "Public, with a caution")],
        help_text="Whether readers may see the submitted revision, with a caution, before it is first approved.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = tracked_history(excluded_fields=["version"])

    class Meta:
        ordering = ["title"]
        # The admin's list, a page at a time: it orders by title, then newest first (`-pk`, which it adds).
        indexes = [
            models.Index(fields=["title", "-id"], name="article_title_id"),
            # The admin's specialty filter reads each distinct specialty with one probe (`article_specialties`).
            models.Index(fields=["specialty"], name="article_specialty"),
        ]
        constraints = [
            _not_blank("question", "article", "An article needs its question."),
            _not_blank("title", "article", "An article needs a title."),
            _at_most("lede", "article", LEDE_MAX_CHARS),
            _at_most("plain_lede", "article", LEDE_MAX_CHARS),
        ]

    def __str__(self):
        return self.title


class Section(models.Model):
    """A headed part of an article; level 3 sections sit under the level 2 before them."""

    class Level(models.IntegerChoices):
        H2 = 2, "Heading (H2)"
        H3 = 3, "Subheading (H3)"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField(default=0)
    heading = models.CharField(max_length=200)
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.H2)
    intro = models.TextField(
        max_length=INTRO_MAX_CHARS,
        validators=[MaxLengthValidator(INTRO_MAX_CHARS)],
        blank=True,
        help_text="An optional paragraph before the section's claims.",
    )

    history = tracked_history()

    class Meta:
        ordering = ["article", "order"]
        constraints = [
            _unique_order("article", "section"),
            _not_blank("heading", "section", "A section needs a heading."),
            _at_most("intro", "section", INTRO_MAX_CHARS),
            models.CheckConstraint(
                condition=Q(level__in=[2, 3]),
                name="section_level_h2_or_h3",
                violation_error_message="A section heading is level 2 or 3.",
            ),
        ]

    def __str__(self):
        return self.heading


class Certainty(models.TextChoices):
    """GRADE's certainty of the evidence behind a claim: how sure we are that the true effect is as stated."""

    HIGH = "high", "High"
    MODERATE = "moderate", "Moderate"
    LOW = "low", "Low"
    VERY_LOW = "very_low", "Very low"


class Strength(models.TextChoices):
    """GRADE's strength of a recommendation: whether nearly everyone, or only most people, would follow it."""

    STRONG = "strong", "Strong"
    CONDITIONAL = "conditional", "Conditional"


class Claim(models.Model):
    """One statement reviewers check, with the references that support it.

    `uid` stays the same across edits so that reviews can say which claims
    changed between revisions. A claim may carry its evidence grade (GRADE's
    certainty and, when the claim is a recommendation, its strength); both are
    part of the revision document, so the board approves them with the words.
    """

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="claims")
    order = models.PositiveIntegerField(default=0)
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    lead_in = models.CharField(
        max_length=120, blank=True, help_text="Optional bold lead-in shown before the claim, e.g. “Target dose”."
    )
    text = models.TextField(
        "clinician wording",
        max_length=CLAIM_MAX_CHARS,
        validators=[MaxLengthValidator(CLAIM_MAX_CHARS)],
        help_text="Bold (**…**), italic (*…*) and [links](https://…) only.",
        error_messages={"blank": "A claim cannot be empty."},
    )
    plain_text = models.TextField(
        "plain-language wording",
        max_length=CLAIM_MAX_CHARS,
        validators=[MaxLengthValidator(CLAIM_MAX_CHARS)],
        blank=True,
        help_text="Optional wording for patients and caregivers.",
    )
    certainty = models.CharField(
        "certainty of evidence",
        max_length=16,
        blank=True,
        choices=[("", "Not graded"), *Certainty.choices],
        help_text="GRADE certainty of the evidence behind the claim, if it has been graded.",
    )
    strength = models.CharField(
        "strength of recommendation",
        max_length=16,
        blank=True,
        choices=[("", "Not a recommendation"), *Strength.choices],
        help_text="GRADE strength, for a claim that recommends; it needs a certainty.",
    )

    history = tracked_history()

    class Meta:
        ordering = ["section", "order"]
        constraints = [
            _unique_order("section", "claim"),
            _not_blank("text", "claim", "A claim cannot be empty."),
            _at_most("text", "claim", CLAIM_MAX_CHARS),
            _at_most("plain_text", "claim", CLAIM_MAX_CHARS),
            models.CheckConstraint(
                condition=Q(certainty__in=["", *Certainty.values]),
                name="claim_certainty_known",
                violation_error_message="Choose a GRADE certainty: high, moderate, low or very low.",
            ),
            models.CheckConstraint(
                condition=Q(strength__in=["", *Strength.values]),
                name="claim_strength_known",
                violation_error_message="Choose a GRADE strength: strong or conditional.",
            ),
            # GRADE rates a recommendation together with the certainty of the evidence it rests on.
            models.CheckConstraint(
                condition=Q(strength="") | ~Q(certainty=""),
                name="claim_strength_needs_certainty",
                violation_error_message="A recommendation's strength needs the certainty of its evidence too.",
            ),
        ]

    def __str__(self):
        text = f"{self.lead_in}: {self.text}" if self.lead_in else self.text
        return text if len(text) <= 80 else text[:79] + "…"

    def clean(self):
        if self.text and not self.text.strip():
            raise ValidationError({"text": ValidationError("A claim cannot be empty.", code="blank")})


class Citation(models.Model):
    """A claim's pointer to a reference; its number on the page is computed, never stored."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="citations")
    reference = models.ForeignKey(Reference, on_delete=models.PROTECT, related_name="citations")
    order = models.PositiveIntegerField(default=0)

    history = tracked_history()

    class Meta:
        ordering = ["claim", "order"]
        constraints = [
            _unique_order("claim", "citation"),
            models.UniqueConstraint(
                fields=["claim", "reference"],
                name="citation_unique_reference_per_claim",
                violation_error_message="A claim cites each reference once.",
            ),
        ]

    def __str__(self):
        return str(self.reference)
