"""The medical advisory board."""

import calendar
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q, TextField, Value
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils import timezone

from articles.search import document_text, plain_text, weighted_search_vector
from config.history import tracked_history
from editorial.workflow import Action, State


class Reviewer(models.Model):
    """A physician on the advisory board, as readers and editors see them.

    A profile belongs to one account for good: its sign-offs name that person.
    To give a member a new account, make a new profile (the old one keeps its
    history) that `succeeds` the old one: the two are one member, who counts
    once towards any quorum and signs a revision once (`member_key`). The
    database refuses a change of `user` too (migration 0007). A professional
    registration names one member: two active profiles never share one, and a new
    profile with the registration of an earlier one must say it succeeds it.
    """

    ACCOUNT_FIXED = (
        "A board profile stays with the account it was made for. To give a member another account, add a new profile."
    )
    SUCCESSION_FIXED = "Which profile this one succeeds is fixed once it is saved."

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviewer",
        help_text="The member's own account. It cannot be changed once the profile is saved.",
    )
    slug = models.SlugField(max_length=80, unique=True, help_text="Used in the board member's public page address.")
    display_name = models.CharField(max_length=120, help_text="As readers see it, for example “Dr Amara Okafor”.")
    credentials = models.CharField(max_length=80, help_text="Post-nominals, for example “MD, MPH” or “PharmD”.")
    registration = models.CharField(
        "professional registration",
        max_length=80,
        blank=True,
        help_text="The regulator and number, for example “GMC 7654321”. Sign-off reports show it as it was then.",
    )
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
    succeeds = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successor",
        verbose_name="earlier profile of this member",
        help_text="When a member gets a new account, their earlier profile (made inactive first). "
        "The two count as one person in every review.",
    )
    member = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="The member's first profile, on each later one; empty on a first profile.",
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
            models.UniqueConstraint(
                fields=["registration"],
                condition=models.Q(is_active=True) & ~models.Q(registration=""),
                name="reviewer_registration_once_among_active",
                violation_error_message="An active board profile already has this registration: "
                "one member has one active profile.",
            ),
            models.CheckConstraint(
                condition=~models.Q(succeeds=models.F("id")),
                name="reviewer_does_not_succeed_itself",
                violation_error_message="A profile cannot succeed itself.",
            ),
        ]

    def __str__(self):
        return f"{self.display_name}, {self.credentials}" if self.credentials else self.display_name

    def save(self, *args, **kwargs):
        self._refuse_account_change()
        self.member_id = (self.succeeds.member_id or self.succeeds_id) if self.succeeds_id else None
        super().save(*args, **kwargs)
        self._saved_user_id, self._saved_succeeds_id = self.user_id, self.succeeds_id

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._saved_user_id = instance.__dict__.get("user_id")  # the account it was saved with
        instance._saved_succeeds_id = instance.__dict__.get("succeeds_id")
        return instance

    def clean(self):
        super().clean()
        self._refuse_account_change()
        self._refuse_bad_succession()
        self._refuse_unlinked_registration()

    @property
    def member_key(self) -> int:
        """The id that stands for the member whichever of their profiles this is: their first profile's."""
        return self.member_id or self.pk

    def _refuse_account_change(self):
        saved = getattr(self, "_saved_user_id", None)
        if saved is not None and self.user_id != saved:
            raise ValidationError({"user": self.ACCOUNT_FIXED}, code="account_fixed")

    def _refuse_bad_succession(self):
        if self.pk and getattr(self, "_saved_succeeds_id", self.succeeds_id) != self.succeeds_id:
            raise ValidationError({"succeeds": self.SUCCESSION_FIXED}, code="succession_fixed")
        if self.succeeds_id and self.succeeds.is_active:
            raise ValidationError(
                {
                    "succeeds": f"Make {self.succeeds.display_name}'s earlier profile inactive first: a member has "
                    "one active profile."
                },
                code="earlier_profile_active",
            )

    def _refuse_unlinked_registration(self):
        """A registration already on another member's profile means this is that member: say which profile it
        succeeds, so the two count as one person."""
        if not self.registration:
            return
        others = Reviewer.objects.filter(registration=self.registration).exclude(pk=self.pk)
        mine = {self.member_key} if self.pk else set()
        if self.succeeds_id:
            mine.add(self.succeeds.member_key)
        strangers = [other for other in others if other.member_key not in mine]
        if strangers:
            raise ValidationError(
                {
                    "registration": f"{strangers[0].display_name}'s profile has this registration. If this is the same "
                    "member with a new account, choose that profile as the earlier profile of this member."
                },
                code="registration_of_another_profile",
            )

    @property
    def conflict_statement(self) -> str:
        return self.conflict_of_interest or "No conflicts of interest declared."


class AppendOnlyModel(models.Model):
    """A record that is written once and never changed or deleted by the application.

    The database refuses it too (see migration `0004_append_only_triggers`).
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} records are never changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} records are never deleted.")


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a revision, a sign-off or an audit event."""


class Revision(AppendOnlyModel):
    """An immutable snapshot of an article's whole tree, identified by the hash of its content.

    `content` is the article document (see `articles.documents`) including the
    cited references' metadata; `content_hash` is the SHA-256 of its canonical
    JSON. Sign-offs name a revision and its hash, so an approval covers exactly
    these words.
    """

    class Source(models.TextChoices):
        EDITOR = "editor", "Submitted by an editor"
        INTAKE = "intake", "Arrived through programmatic intake"

    article = models.ForeignKey("articles.Article", on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.EDITOR)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="contributed_revisions",
        help_text=(
            "Everyone whose edits since the live revision are in these words, the cited references' details "
            "included; none of them may review it. Written once with the revision, never changed."
        ),
    )

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_unique_number_per_article"),
            models.CheckConstraint(condition=Q(number__gte=1), name="revision_number_from_1"),
            models.CheckConstraint(condition=Q(content_hash__regex=r"^[0-9a-f]{64}$"), name="revision_hash_is_sha256"),
        ]
        indexes = [
            # The reader's feed and changes pages ask which revisions are corrections or clinical updates:
            # without it, each request read every revision's whole document to find the few that are.
            models.Index(KeyTransform("change_type", "content"), name="revision_change_type"),
        ]

    def __str__(self):
        return f"{self.article_id} r{self.number} ({self.short_hash})"

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]


@receiver(m2m_changed, sender=Revision.contributors.through, dispatch_uid="editorial.contributors_written_once")
def refuse_contributor_changes(sender, instance, action, reverse, **kwargs):
    """Refuse any change to a revision's contributors after `revision_create` wrote them (the database does too)."""
    written = action == "pre_add" and (reverse or sender.objects.filter(revision=instance).exists())
    if written or action in ("pre_remove", "pre_clear"):
        raise AppendOnlyError("A revision's contributors are written once, with the revision, and never changed.")


class CitedReference(models.Model):
    """One reference a revision cites, by the id the revision froze: an index over revisions' content.

    "Which live articles cite these retracted references?" would otherwise scan
    every live revision's JSON, once per flagged reference. These rows are
    derived from `Revision.content`, written with the revision
    (`revision_create`) and never changed, so the question is an indexed join.
    Ids merged away stay as frozen; `editorial.evidence` maps them through
    `MergedReference`. The content stays the truth: the audit checks that each
    live revision's rows list exactly the references its content cites.
    """

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="cited_references")
    reference_id = models.PositiveIntegerField(db_index=True, help_text="The id the revision's content froze.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["revision", "reference_id"], name="cited_reference_once_per_revision"),
        ]

    def __str__(self):
        return f"revision {self.revision_id} cites reference {self.reference_id}"


class LiveEvidenceFlag(models.Model):
    """A live article whose live revision cites retracted evidence, kept in step so that its list is an index range.

    One row per live article whose live revision cites a reference now
    retracted or under an expression of concern (or one merged into such a
    reference), with what the list of such articles is ordered by: the worst
    standing, the notice date of the worst reference (newest first), the title. Without it,
    a page of that list, or its length, joined and grouped the citation index
    rows of every flagged article (eight thousand at a hundred thousand
    articles). `editorial.evidence_flags` rewrites an article's row in the
    transaction that changes its live revision, its title, or the standing of
    a reference it cites; the audit compares the rows with a computation from
    scratch.
    """

    class Rank(models.IntegerChoices):
        RETRACTED = 0, "Retracted"
        EXPRESSION_OF_CONCERN = 1, "Expression of concern"

    article = models.OneToOneField(
        "articles.Article", on_delete=models.CASCADE, primary_key=True, related_name="evidence_flag"
    )
    revision = models.ForeignKey(
        Revision, on_delete=models.CASCADE, related_name="+", help_text="The live revision the row was computed from."
    )
    rank = models.PositiveSmallIntegerField(choices=Rank.choices, help_text="The worst standing of what it cites.")
    cites_concern = models.BooleanField(help_text="Whether it cites a reference under an expression of concern.")
    notice_order = models.DateField(
        help_text="The worst reference's notice date; for an undated notice the earliest date, so that it sorts last."
    )
    title_key = models.CharField(max_length=200, help_text="The article's title in lower case, for the list's order.")
    cited = models.JSONField(
        default=list,
        help_text="[the id the revision froze, the flagged reference's id now, its number in the revision] "
        "for each flagged reference the revision cites.",
    )

    class Meta:
        indexes = [
            models.Index(fields=["rank", "-notice_order", "title_key", "article"], name="evidence_flag_list_order")
        ]

    def __str__(self):
        return f"article {self.article_id} cites {self.get_rank_display().lower()} evidence"


def cited_references_of(revision: Revision) -> list[CitedReference]:
    """The index rows for `revision`, one per reference its content cites (unsaved)."""
    return [
        CitedReference(revision=revision, reference_id=reference_id)
        for reference_id in sorted({reference["id"] for reference in revision.content.get("references", ())})
    ]


class RevisionSearchText(models.Model):
    """A revision's words as plain text and as a search vector, for the reader's index: derived once, when frozen.

    Turning every claim's Markdown into plain words, then those words into a
    search vector, was most of the time a rebuild of the reader's index took;
    a revision never changes, so its words are read out once, with the
    revision (`revision_create`), and the index copies them. Like
    `CitedReference` these rows are derived from `Revision.content` and never
    changed by the application, but the database does not guard them as it
    guards the record: the content and its hash stay the truth, the audit
    checks that each live revision's row still says what its content says,
    and a change to how words are read out (a new Markdown renderer, another
    weighting) must be able to write them again.
    """

    revision = models.OneToOneField(Revision, on_delete=models.CASCADE, primary_key=True, related_name="search_text")
    lede = models.TextField()
    plain_lede = models.TextField(blank=True)
    body = models.TextField(help_text="The sections' and claims' words as plain text (`document_text`).")
    # Filled on PostgreSQL only, as the reader's index row's is (`weighted_search_vector`).
    search_vector = SearchVectorField(null=True, editable=False)

    def __str__(self):
        return f"search text of revision {self.revision_id}"


def search_text_of(revision: Revision) -> RevisionSearchText:
    """The words of `revision`'s content as search reads them (unsaved); the vector is computed as it is saved."""
    content = revision.content
    words = RevisionSearchText(
        revision=revision,
        lede=plain_text(content["lede"]),
        plain_lede=plain_text(content["plain_lede"]),
        body=document_text(content),
    )
    if connection.vendor == "postgresql":
        texts = (content["question"], content["title"], words.lede, words.plain_lede, content["specialty"], words.body)
        words.search_vector = weighted_search_vector(*(Value(text, output_field=TextField()) for text in texts))
    return words


MAX_REVIEW_INTERVAL_MONTHS = 60


def add_months(day: date, months: int) -> date:
    """`day` moved on by whole `months`, on the month's last day where it is shorter (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class ArticleWorkflowQuerySet(models.QuerySet):
    def live(self):
        """The articles whose approved words readers see now (`ArticleWorkflow.is_live`)."""
        return self.filter(live_revision__isnull=False)

    def held(self):
        """The articles held for safety, including those whose correction is in review (`is_held`)."""
        return self.filter(held_revision__isnull=False)

    def review_overdue(self, today: date):
        """Live articles whose next review date has passed."""
        return self.live().filter(next_review_due__lt=today)

    def review_due_soon(self, today: date):
        """Live articles whose next review falls within the reminder window, from today."""
        horizon = today + timedelta(days=settings.EDITORIAL_REVIEW_REMINDER_DAYS)
        return self.live().filter(next_review_due__gte=today, next_review_due__lte=horizon)

    def scheduled(self):
        """Articles whose approved revision waits for its go-live time (`is_scheduled`)."""
        return self.filter(state=State.SCHEDULED)

    def go_live_due(self, now: datetime):
        """Approved revisions whose scheduled go-live time has come."""
        return self.scheduled().filter(go_live_at__lte=now)

    def expiring(self):
        """Live articles with an expiry set."""
        return self.live().filter(expires_at__isnull=False)

    def expiry_due(self, now: datetime):
        """Live articles whose scheduled expiry has come."""
        return self.expiring().filter(expires_at__lte=now)


class ArticleWorkflow(models.Model):
    """An article's place in the workflow: its state, the revision in review, the live one and a held one.

    Changed only by `editorial.services`, with the article's row locked. Readers
    see the live revision; a hold moves it to `held_revision`, out of their sight,
    until a release puts it back or a newer revision is approved.
    """

    article = models.OneToOneField("articles.Article", on_delete=models.PROTECT, related_name="workflow")
    state = models.CharField(max_length=32, choices=State.choices, default=State.DRAFT)
    current_revision = models.ForeignKey(
        Revision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The newest submitted revision: the one reviewers sign off.",
    )
    live_revision = models.ForeignKey(
        Revision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The approved revision readers see.",
    )
    held_revision = models.ForeignKey(
        Revision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The approved revision taken from readers by a safety hold, until it is released or replaced.",
    )
    public_reason = models.TextField(
        blank=True, help_text="Why readers see a notice instead of the article (held or withdrawn), in public words."
    )
    quorum = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Approvals needed; empty means the site default."
    )
    approved_at = models.DateTimeField(
        null=True, blank=True, help_text="When the live revision last reached quorum: approved, or re-certified."
    )
    first_approved_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a revision of this article first reached quorum, whether it went live at once or waited.",
    )
    next_review_due = models.DateField(null=True, blank=True)
    review_round = models.PositiveSmallIntegerField(
        default=1, help_text="Which review of the revision in review this is: 1 its first, 2 its first re-review, …"
    )
    certified_round = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The review round whose approvals certified the live (or held) revision."
    )
    review_interval_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Months between reviews of the live words; empty means the site default."
    )
    go_live_at = models.DateTimeField(
        null=True, blank=True, help_text="When the revision in review goes live once approved (empty: at approval)."
    )
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="When the live words leave public pages unless the board reviews them first."
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The managing editor who last set the schedule; the schedule's moves are recorded in their name.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = tracked_history()

    objects = ArticleWorkflowQuerySet.as_manager()

    class Meta:
        permissions = [
            ("assign_reviewers", "Can assign board members to review articles"),
            ("withdraw_article", "Can withdraw an article from readers"),
            ("sign_off", "Can sign off revisions as a board member"),
        ]
        # The desk's lists, each a few rows out of the whole library: without these, each head is a scan.
        indexes = [
            models.Index(fields=["state"], name="workflow_state"),
            models.Index(fields=["next_review_due"], name="workflow_next_review_due"),
            models.Index(fields=["expires_at"], name="workflow_expires_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=State.values), name="workflow_state_known"),
            models.CheckConstraint(
                condition=~Q(state=State.APPROVED) | Q(live_revision__isnull=False, current_revision__isnull=False),
                name="workflow_approved_has_live_revision",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.HELD) | Q(held_revision__isnull=False),
                name="workflow_held_has_held_revision",
            ),
            models.CheckConstraint(
                condition=Q(held_revision__isnull=True) | Q(live_revision__isnull=True),
                name="workflow_held_is_not_live",
            ),
            models.CheckConstraint(
                condition=Q(state=State.DRAFT) | Q(current_revision__isnull=False),
                name="workflow_submitted_has_revision",
            ),
            models.CheckConstraint(
                condition=Q(quorum__isnull=True) | Q(quorum__gte=1, quorum__lte=10),
                name="workflow_quorum_1_to_10",
            ),
            models.CheckConstraint(
                condition=Q(review_interval_months__isnull=True)
                | Q(review_interval_months__gte=1, review_interval_months__lte=MAX_REVIEW_INTERVAL_MONTHS),
                name="workflow_review_interval_1_to_60_months",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.SCHEDULED) | Q(go_live_at__isnull=False),
                name="workflow_scheduled_has_go_live",
            ),
            models.CheckConstraint(condition=Q(review_round__gte=1), name="workflow_review_round_from_1"),
        ]

    def __str__(self):
        return f"{self.article} — {self.get_state_display()}"

    @property
    def required_approvals(self) -> int:
        return self.quorum or settings.EDITORIAL_DEFAULT_QUORUM

    @property
    def is_live(self) -> bool:
        """Whether readers see approved words of this article now: the one answer editorial code uses."""
        return self.live_revision_id is not None

    @property
    def was_approved(self) -> bool:
        """Whether some revision of this article once reached quorum: live, waiting to go live, or since withdrawn.

        Such an article is never again shown under the pending caution, whatever happened to those words.
        """
        return self.first_approved_at is not None

    @property
    def is_held(self) -> bool:
        """Whether a safety hold keeps the approved words from readers (even while a correction is in review)."""
        return self.held_revision_id is not None

    @property
    def is_scheduled(self) -> bool:
        """Whether an approved revision waits for its go-live time."""
        return self.state == State.SCHEDULED

    @property
    def is_rereview(self) -> bool:
        """Whether the revision in review is the live one, under review again unchanged (a re-certification)."""
        return self.review_round > 1

    @property
    def review_interval(self) -> int:
        """Months between reviews: the article's own interval, else the site default."""
        return self.review_interval_months or settings.EDITORIAL_REVIEW_INTERVAL_MONTHS

    def review_due_after(self, reviewed: datetime) -> date:
        """The date the next review falls due after words were reviewed at `reviewed`."""
        return add_months(timezone.localdate(reviewed), self.review_interval)

    def review_overdue_on(self, today: date) -> bool:
        """Whether readers see live words whose review date passed before `today`."""
        return self.is_live and self.next_review_due is not None and self.next_review_due < today


class ReviewAssignment(models.Model):
    """A board member asked to review an article, until the review cycle closes."""

    article = models.ForeignKey("articles.Article", on_delete=models.PROTECT, related_name="assignments")
    reviewer = models.ForeignKey(Reviewer, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    due_date = models.DateField(null=True, blank=True)
    started_revision = models.ForeignKey(
        Revision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The revision this member last started reviewing.",
    )
    is_open = models.BooleanField(default=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    history = tracked_history()

    class Meta:
        ordering = ["assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "reviewer"],
                condition=Q(is_open=True),
                name="assignment_one_open_per_reviewer",
                violation_error_message="This board member is already assigned to this article.",
            ),
        ]
        indexes = [
            # A member's open assignments in their desk's order (`desk_lists._open_assignments`), so that the
            # head of each list reads its first rows instead of sorting every open assignment of theirs.
            models.Index(
                fields=["reviewer", "due_date", "assigned_at", "id"],
                condition=Q(is_open=True),
                name="assignment_open_by_due",
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} on {self.article}"


class SignOffQuerySet(models.QuerySet):
    def of_review(self, workflow: "ArticleWorkflow"):
        """The sign-offs of the review in progress: the revision in review, in its current round."""
        return self.filter(revision_id=workflow.current_revision_id, round=workflow.review_round)

    def certifying(self, workflow: "ArticleWorkflow"):
        """The approvals that certified the live revision, in the round that reached quorum."""
        return self.filter(
            revision_id=workflow.live_revision_id, round=workflow.certified_round or 1, decision="approve"
        )


class SignOff(AppendOnlyModel):
    """A board member's decision on one exact revision, with their attestations.

    It records the revision's hash as well as its id: the proof, years later,
    of which words were approved. It names the person who signed (`signed_by`,
    their account at the time) as well as their board profile; a quorum counts
    people, and a person signs a revision at most once in each review round,
    whatever roles or profiles they hold. Round 1 is the revision's first
    review; each re-review of the same words (a re-certification) is the next.
    """

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        REQUEST_CHANGES = "request_changes", "Request changes"

    class Conflict(models.TextChoices):
        NONE = "none", "I have no conflict of interest to declare for this article"
        DISCLOSED = "disclosed", "I declare a conflict of interest"

    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="sign_offs")
    round = models.PositiveSmallIntegerField(
        default=1, help_text="Which review of the revision: 1 its first, 2 its first re-review, …"
    )
    content_hash = models.CharField(max_length=64)
    reviewer = models.ForeignKey(Reviewer, on_delete=models.PROTECT, related_name="sign_offs")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sign_offs",
        help_text="The person who signed: the board profile's account when they signed.",
    )
    decision = models.CharField(max_length=16, choices=Decision.choices)
    comment = models.TextField(blank=True)
    conflict = models.CharField(max_length=16, choices=Conflict.choices, default=Conflict.NONE)
    conflict_disclosure = models.TextField(blank=True)
    claims_accurate = models.BooleanField(default=False)
    citations_support_claims = models.BooleanField(default=False)
    doses_checked = models.BooleanField(default=False)
    patient_wording_faithful = models.BooleanField(default=False)
    disclaimer_version = models.ForeignKey(
        "reader.EditorialPageVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=(
            "The disclaimer version in force when it was signed, recorded by the review service; "
            "empty for sign-offs made before the disclaimer was versioned."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = tracked_history()

    objects = SignOffQuerySet.as_manager()

    CHECKLIST = ("claims_accurate", "citations_support_claims", "doses_checked", "patient_wording_faithful")

    class Meta:
        ordering = ["created_at"]
        # A member's latest sign-offs, for their desk: read newest first, not sorted from all they ever signed.
        indexes = [models.Index(fields=["reviewer", "-created_at"], name="signoff_reviewer_newest")]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "round", "reviewer"],
                name="signoff_once_per_reviewer_and_round",
                violation_error_message="You have already signed off this revision in this review.",
            ),
            models.UniqueConstraint(
                fields=["revision", "round", "signed_by"],
                name="signoff_once_per_person_and_round",
                violation_error_message="You have already signed off this revision in this review.",
            ),
            models.CheckConstraint(condition=Q(round__gte=1), name="signoff_round_from_1"),
            models.CheckConstraint(
                condition=~Q(decision="request_changes") | GreaterThan(Length(Trim("comment")), 0),
                name="signoff_changes_need_a_comment",
            ),
            models.CheckConstraint(
                condition=~Q(decision="approve")
                | Q(
                    claims_accurate=True,
                    citations_support_claims=True,
                    doses_checked=True,
                    patient_wording_faithful=True,
                ),
                name="signoff_approval_attests_the_checklist",
            ),
            models.CheckConstraint(
                condition=~Q(conflict="disclosed") | GreaterThan(Length(Trim("conflict_disclosure")), 0),
                name="signoff_disclosure_has_text",
            ),
            models.CheckConstraint(condition=Q(content_hash__regex=r"^[0-9a-f]{64}$"), name="signoff_hash_is_sha256"),
        ]

    def __str__(self):
        return f"{self.get_decision_display()} by {self.reviewer} on r{self.revision.number}"

    def clean(self):
        super().clean()
        if self.reviewer_id and self.signed_by_id and self.reviewer.user_id != self.signed_by_id:
            raise ValidationError("A sign-off names the account of the board profile that signed it.")


class ClaimNote(AppendOnlyModel):
    """A reviewer's note or flag on one claim of the revision they signed off."""

    class Flag(models.TextChoices):
        NOTE = "note", "Note"
        INACCURATE = "inaccurate", "Inaccurate"
        UNSUPPORTED = "unsupported", "Not supported by its citations"
        DOSE = "dose", "Dose needs checking"
        WORDING = "wording", "Patient wording is not faithful"

    sign_off = models.ForeignKey(SignOff, on_delete=models.PROTECT, related_name="claim_notes")
    claim_uid = models.UUIDField()
    flag = models.CharField(max_length=16, choices=Flag.choices, default=Flag.NOTE)
    text = models.TextField()

    class Meta:
        ordering = ["sign_off", "id"]
        constraints = [
            models.CheckConstraint(condition=GreaterThan(Length(Trim("text")), 0), name="claimnote_text_not_blank"),
        ]

    def __str__(self):
        return f"{self.get_flag_display()}: {self.text[:60]}"


class ClaimAttestation(AppendOnlyModel):
    """A reviewer's attestation, with an approval, of one claim exactly as the revision words it.

    On a new revision of a live article each claim changed since the live words
    is attested on its own; `claim_hash` is the SHA-256 of the claim's canonical
    JSON in the revision document, so the record names the words, not only the
    claim they belong to.
    """

    sign_off = models.ForeignKey(SignOff, on_delete=models.PROTECT, related_name="claim_attestations")
    claim_uid = models.UUIDField()
    claim_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["sign_off", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sign_off", "claim_uid"], name="claimattestation_once_per_sign_off"),
            models.CheckConstraint(
                condition=models.Q(claim_hash__regex=r"^[0-9a-f]{64}$"), name="claimattestation_hash_hex"
            ),
        ]

    def __str__(self):
        return f"Claim {self.claim_uid} attested ({self.claim_hash[:12]})"


class AuditEvent(AppendOnlyModel):
    """One entry in the append-only log: every workflow action writes exactly one."""

    article = models.ForeignKey("articles.Article", on_delete=models.PROTECT, related_name="audit_events")
    action = models.CharField(max_length=64, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_state = models.CharField(max_length=32, choices=State.choices)
    to_state = models.CharField(max_length=32, choices=State.choices)
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["article", "created_at"], name="auditevent_article_time")]

    def __str__(self):
        return f"{self.action} by {self.actor} ({self.from_state} → {self.to_state})"


# Review threads, and outside experts' review links, build on the records above: importing them here
# registers them with the app.
from editorial.experts.models import ExpertLink, ExpertLinkUse  # noqa: E402, F401
from editorial.threads.models import ReviewThread, ThreadMessage  # noqa: E402, F401
