"""What the reader site stores of its own: its index of published articles, its pages, readers' questions."""

from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils import timezone

from config.history import tracked_history


class PublishedArticle(models.Model):
    """One row per article readers can find: a search and listing index of its live revision.

    Derived data, rebuilt from the live revision whenever it changes (see
    `reader.index`); the article page itself always renders the revision.
    """

    article = models.OneToOneField("articles.Article", on_delete=models.CASCADE, related_name="published")
    revision = models.ForeignKey("editorial.Revision", on_delete=models.PROTECT, related_name="+")
    slug = models.SlugField(max_length=120, unique=True)
    question = models.CharField(max_length=300)
    title = models.CharField(max_length=200)
    lede = models.TextField()
    plain_lede = models.TextField(blank=True)
    specialty = models.CharField(max_length=100)
    body = models.TextField(help_text="The claims' words as plain text, for search.")
    content_updated_at = models.DateTimeField()
    reviewed_at = models.DateTimeField()
    # Filled on PostgreSQL only, where a GIN index serves full-text search (migration 0002).
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-reviewed_at", "title"]
        # Home and the feed read the first rows in this order; the sitemap index reads the newest date.
        indexes = [models.Index(fields=["-reviewed_at", "title"], name="reader_published_newest")]

    def __str__(self):
        return self.title


class PublicSlug(models.Model):
    """A slug that was public for an article at some time: a page address readers may have kept.

    Written when a revision carrying the slug becomes visible to readers (see
    `reader.index`), never deleted. The article's current slug answers its page;
    its older slugs redirect there permanently, and all of them answer the
    withdrawal notice once it is withdrawn. A slug belongs to one article for
    ever: no other article is ever served under it.
    """

    slug = models.SlugField(max_length=120, unique=True)
    article = models.ForeignKey("articles.Article", on_delete=models.PROTECT, related_name="public_slugs")
    first_public_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["first_public_at", "id"]

    def __str__(self):
        return self.slug


# An editorial page is read by every reader; its Markdown is rendered in bounded time up to this size.
EDITORIAL_PAGE_MAX_CHARS = 20_000


class EditorialPage(models.Model):
    """A page of the site's own words editors keep up to date: the editorial policy, the disclaimer."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField(
        max_length=EDITORIAL_PAGE_MAX_CHARS,
        validators=[MaxLengthValidator(EDITORIAL_PAGE_MAX_CHARS)],
        help_text="Markdown: paragraphs, headings, lists, bold, italic and links.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = tracked_history()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=GreaterThan(Length(Trim("body")), 0), name="editorialpage_body_not_blank"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), EDITORIAL_PAGE_MAX_CHARS),
                name="editorialpage_body_bounded",
                violation_error_message=f"At most {EDITORIAL_PAGE_MAX_CHARS:,} characters.",
            ),
        ]

    def __str__(self):
        return self.title


class FollowUpQuestion(models.Model):
    """A reader's follow-up question about an article, kept for editors to triage."""

    class Audience(models.TextChoices):
        PATIENT = "patient", "Patient or caregiver"
        CLINICIAN = "clinician", "Clinician"
        STUDENT = "student", "Student"

    class Status(models.TextChoices):
        NEW = "new", "New"
        TRIAGED = "triaged", "Triaged"
        ANSWERED = "answered", "Answered"
        DISMISSED = "dismissed", "Dismissed"

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="follow_up_questions")
    question = models.TextField()
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.CLINICIAN)
    email = models.EmailField(blank=True, help_text="Given by the reader if they want an answer.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(auto_now_add=True)

    history = tracked_history()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("question")), 0), name="followupquestion_not_blank"
            )
        ]

    def __str__(self):
        return self.question[:80]


# A problem report is read by a managing editor in one sitting; its words are bounded like a follow-up question.
PROBLEM_REPORT_MAX_CHARS = 2_000
PROBLEM_SOURCE_MAX_CHARS = 500


class ProblemReport(models.Model):
    """A reader's report that one claim of a live answer is wrong, kept for managing editors to triage.

    It names the claim by its `uid` and the exact revision the reader read, so
    the desk shows the words as the reader saw them even after they change.
    Its state moves only through `reader.services` (`REPORT_MOVES` lists
    the legal moves): fixed names the revision that corrects the claim, no
    change needed carries the managing editor's reason.
    """

    class State(models.TextChoices):
        NEW = "new", "New"
        INVESTIGATING = "investigating", "Investigating"
        FIXED = "fixed", "Fixed"
        NO_CHANGE = "no_change", "No change needed"

    article = models.ForeignKey("articles.Article", on_delete=models.PROTECT, related_name="problem_reports")
    revision = models.ForeignKey(
        "editorial.Revision", on_delete=models.PROTECT, related_name="problem_reports", help_text="What readers saw."
    )
    claim_uid = models.UUIDField()
    problem = models.TextField(
        max_length=PROBLEM_REPORT_MAX_CHARS, validators=[MaxLengthValidator(PROBLEM_REPORT_MAX_CHARS)]
    )
    source = models.CharField(max_length=PROBLEM_SOURCE_MAX_CHARS, blank=True)
    email = models.EmailField(blank=True, help_text="Given by the reader if they want to hear back.")
    state = models.CharField(max_length=16, choices=State.choices, default=State.NEW)
    fixed_in = models.ForeignKey(
        "editorial.Revision", on_delete=models.PROTECT, null=True, blank=True, related_name="fixed_problem_reports"
    )
    reason = models.TextField(blank=True, help_text="Why no change is needed.")
    created_at = models.DateTimeField(default=timezone.now)

    history = tracked_history()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "-created_at"], name="reader_problemreport_queue")]
        constraints = [
            models.CheckConstraint(condition=GreaterThan(Length(Trim("problem")), 0), name="problemreport_not_blank"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("problem"), PROBLEM_REPORT_MAX_CHARS),
                name="problemreport_bounded",
                violation_error_message=f"At most {PROBLEM_REPORT_MAX_CHARS:,} characters.",
            ),
            models.CheckConstraint(
                condition=models.Q(state="fixed", fixed_in__isnull=False)
                | (~models.Q(state="fixed") & models.Q(fixed_in__isnull=True)),
                name="problemreport_fixed_names_revision",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="no_change") | GreaterThan(Length(Trim("reason")), 0),
                name="problemreport_no_change_has_reason",
            ),
        ]

    def __str__(self):
        return self.problem[:80]
