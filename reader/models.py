"""What the reader site stores of its own: its index of published articles, its pages, readers' questions."""

import hashlib
import json

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils import timezone

from config.history import tracked_history
from editorial.models import AppendOnlyModel


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
    generation = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Counts the changes to what the article's page says; a page rendered before the last one is stale.",
    )

    class Meta:
        ordering = ["-reviewed_at", "title"]
        # Home and the feed read the first rows in this order; the sitemap index reads the newest date.
        indexes = [models.Index(fields=["-reviewed_at", "title"], name="reader_published_newest")]

    def __str__(self):
        return self.title


class RenderedPage(models.Model):
    """A live article's page as readers get it, rendered once for an audience.

    Derived data, like the index row it hangs from: a revision never changes,
    so its page is rendered once (when it goes live, by `reader.tasks`, or by
    the first request that finds none) and a reader's cache miss is one indexed
    read instead of a render (see `reader.prerendered`). A row serves only
    while its `generation` is its article's: every change to what the page
    says (a move, a site text going live, a reviewer's profile, see
    `reader.prerendered.pages_changed`) counts one more generation, inside the
    change's own transaction.
    """

    published = models.ForeignKey(PublishedArticle, on_delete=models.CASCADE, related_name="rendered_pages")
    audience = models.CharField(max_length=16)
    renderer = models.CharField(max_length=16, help_text="What rendered it: see `reader.prerendered.renderer`.")
    generation = models.PositiveIntegerField()
    gzip = models.BinaryField(help_text="The page's bytes, gzipped: the plain bytes are a decompression away.")
    etag = models.CharField(max_length=40)
    last_modified = models.CharField(max_length=40)
    reads_the_same_until = models.DateField(null=True, blank=True)
    rendered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["published", "audience"], name="reader_rendered_page_once")]

    def __str__(self):
        return f"{self.published.slug} ({self.audience})"


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
    """A page of the site's own words under sign-off: the editorial policy, the disclaimer, when to get urgent help.

    Readers see `live_version`, the newest version a managing editor and a board
    member approved (see `reader.page_versions`); it changes only there, with the
    row locked. `title` names the page for editors; `body` keeps the words as they
    stood before versions were kept, and is never shown to readers.
    """

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField(
        max_length=EDITORIAL_PAGE_MAX_CHARS,
        validators=[MaxLengthValidator(EDITORIAL_PAGE_MAX_CHARS)],
        help_text="The words before versions were kept; readers see the approved version.",
    )
    live_version = models.ForeignKey(
        "reader.EditorialPageVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The version readers see: the newest approved one.",
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

    @property
    def has_patient_text(self) -> bool:
        """Whether the page is worded for patients apart from professionals (the disclaimer)."""
        return self.slug in PAGES_WITH_PATIENT_TEXT


# The disclaimer speaks to patients and to professionals in different words; the other pages to everyone.
PAGES_WITH_PATIENT_TEXT = frozenset({"disclaimer"})


class EditorialPageVersion(AppendOnlyModel):
    """One immutable version of an editorial page, identified by the hash of its words.

    Drafted by an editor; it reaches readers only once a managing editor and an
    active board member, two people other than the drafter, approved it
    (`EditorialPageDecision`). `content_hash` is the SHA-256 of the canonical
    JSON of `content()`. A version with no drafter holds the words carried over
    from before versions were kept.
    """

    page = models.ForeignKey(EditorialPage, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(
        max_length=EDITORIAL_PAGE_MAX_CHARS,
        validators=[MaxLengthValidator(EDITORIAL_PAGE_MAX_CHARS)],
        help_text="Markdown: paragraphs, headings, lists, bold, italic and links. Professionals read this.",
    )
    patient_body = models.TextField(
        blank=True,
        max_length=EDITORIAL_PAGE_MAX_CHARS,
        validators=[MaxLengthValidator(EDITORIAL_PAGE_MAX_CHARS)],
        help_text="What patients and caregivers read instead, where the page speaks to them apart.",
    )
    content_hash = models.CharField(max_length=64)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the words carried over from before versions were kept.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["page", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="editorialpageversion_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="editorialpageversion_number_from_1"),
            models.CheckConstraint(
                condition=Q(content_hash__regex=r"^[0-9a-f]{64}$"), name="editorialpageversion_hash_is_sha256"
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("body")), 0), name="editorialpageversion_body_not_blank"
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("title")), 0), name="editorialpageversion_title_not_blank"
            ),
        ]

    def __str__(self):
        return f"{self.title}, version {self.number}"

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]

    def content(self) -> dict:
        """The words the hash covers, with the page they belong to."""
        return page_version_content(
            slug=self.page.slug, title=self.title, body=self.body, patient_body=self.patient_body
        )

    def text_for(self, audience: str) -> str:
        """The words `audience` reads: patients their own, where the page has them."""
        return self.patient_body if audience == "patient" and self.patient_body.strip() else self.body


def page_version_content(*, slug: str, title: str, body: str, patient_body: str) -> dict:
    return {"v": 1, "page": slug, "title": title, "body": body, "patient_body": patient_body}


def page_version_hash(content: dict) -> str:
    """The SHA-256 of `content` as canonical JSON (sorted keys, no spaces, UTF-8 kept), like a revision's."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EditorialPageDecision(AppendOnlyModel):
    """A managing editor's or a board member's decision on one exact version of an editorial page.

    A version goes live with one approval in each role, from two people, neither
    of whom drafted it; a person decides a version once, in one role. It names
    the version's hash as well as its id, like a sign-off.
    """

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        REJECT = "reject", "Reject"

    class Role(models.TextChoices):
        MANAGING_EDITOR = "managing_editor", "Managing editor"
        BOARD_MEMBER = "board_member", "Board member"

    version = models.ForeignKey(EditorialPageVersion, on_delete=models.PROTECT, related_name="decisions")
    content_hash = models.CharField(max_length=64)
    decision = models.CharField(max_length=16, choices=Decision.choices)
    role = models.CharField(max_length=16, choices=Role.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        "editorial.Reviewer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The board profile a board member decided with.",
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "decided_by"],
                name="editorialpagedecision_once_per_person",
                violation_error_message="You have already decided on this version.",
            ),
            models.UniqueConstraint(
                fields=["version", "role"],
                condition=Q(decision="approve"),
                name="editorialpagedecision_one_approval_per_role",
            ),
            models.CheckConstraint(
                condition=~Q(decision="reject") | GreaterThan(Length(Trim("comment")), 0),
                name="editorialpagedecision_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(role="board_member") | Q(reviewer__isnull=False),
                name="editorialpagedecision_board_member_named",
            ),
            models.CheckConstraint(
                condition=Q(content_hash__regex=r"^[0-9a-f]{64}$"), name="editorialpagedecision_hash_is_sha256"
            ),
        ]

    def __str__(self):
        return f"{self.get_decision_display()} by {self.decided_by} as {self.get_role_display().lower()}"


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
