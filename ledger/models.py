"""The tamper-evident chain: one link per recorded fact, and checkpoints over every article's head.

Both are append-only: the application never changes or deletes a link or a
checkpoint (the models refuse it, like the workflow's own records).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from editorial.models import AppendOnlyModel


class Link(AppendOnlyModel):
    """One recorded fact (an audit event or a sign-off) in its article's chain.

    `digest` is the SHA-256 of the record's canonical content (`ledger.canonical`)
    in the form `canonical_version` names: links written before sign-offs recorded
    their disclaimer are version 1, and are verified as version 1 for ever;
    `chain` is the SHA-256 of that digest followed by the previous link's `chain`
    (64 zeros for an article's first link). Changing, removing or reordering any
    earlier record of the article changes every `chain` after it.
    """

    class Kind(models.TextChoices):
        AUDIT_EVENT = "audit_event", "Audit event"
        SIGN_OFF = "sign_off", "Sign-off"

    article = models.ForeignKey("articles.Article", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    record_id = models.PositiveBigIntegerField(help_text="The audit event's or the sign-off's id.")
    sequence = models.PositiveIntegerField(help_text="The link's place in its article's chain, from 1.")
    digest = models.CharField(max_length=64)
    chain = models.CharField(max_length=64)
    canonical_version = models.PositiveSmallIntegerField(
        default=1, help_text="The version of the canonical form the digest was computed over (ledger.canonical)."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["article_id", "sequence"]
        constraints = [
            models.CheckConstraint(
                condition=Q(canonical_version__in=[1, 2]), name="ledger_link_canonical_version_known"
            ),
            models.UniqueConstraint(fields=["article", "sequence"], name="ledger_link_one_per_place"),
            models.UniqueConstraint(fields=["kind", "record_id"], name="ledger_link_one_per_record"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="ledger_link_sequence_from_1"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.record_id}, link {self.sequence} of article {self.article_id}"


class Checkpoint(AppendOnlyModel):
    """The head of every article's chain at one moment, chained to the checkpoint before.

    `heads` is `[[article_id, sequence, chain], …]` sorted by article id; `chain`
    is the SHA-256 of the checkpoint's canonical content, which includes the
    previous checkpoint's `chain`. A chain cut short or removed whole no longer
    reaches the head a checkpoint saw.
    """

    previous = models.CharField(
        max_length=64, unique=True, help_text="The previous checkpoint's chain (64 zeros for the first)."
    )
    heads = models.JSONField(default=list)
    chain = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Checkpoint {self.pk} over {len(self.heads)} articles"


class Seal(AppendOnlyModel):
    """A run of rows of one append-only table, fingerprinted row by row, chained to the seal before.

    The rows are those of `runs` (`[[first id, last id], …]`, ascending, gaps
    left by rolled-back inserts skipped); `fingerprints` holds the first 8 bytes
    of each row's SHA-256 (`ledger.canonical.row_fingerprint`) over `columns`,
    the table's columns when it was sealed, in id order.
    `chain` is the SHA-256 of the seal's canonical content, which includes the
    previous seal's `chain` (every table's seals form one chain). A row changed,
    removed or slipped into a sealed range no longer matches its seal.
    """

    previous = models.CharField(
        max_length=64, unique=True, help_text="The previous seal's chain (64 zeros for the first)."
    )
    table = models.CharField(max_length=100)
    columns = models.JSONField(
        help_text="The columns fingerprinted, in order: a column added later is not sealed here."
    )
    first_id = models.PositiveBigIntegerField()
    last_id = models.PositiveBigIntegerField()
    runs = models.JSONField()
    fingerprints = models.BinaryField()
    chain = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["table", "last_id"], name="ledger_seal_table_last")]
        constraints = [
            models.CheckConstraint(condition=Q(last_id__gte=models.F("first_id")), name="ledger_seal_run_forwards"),
        ]

    def __str__(self):
        return f"Seal {self.pk} of {self.table} rows {self.first_id} to {self.last_id}"
