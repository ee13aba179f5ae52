"""Append to the chain, take checkpoints, and verify both against the records as they are now.

Appending is serialised per article by the article's row lock, which every
workflow move already holds (`workflow_lock`) when it writes an audit event or
a sign-off: unrelated articles never wait on one another. The unique
(article, sequence) constraint makes a writer that forgot the lock fail instead
of forking the chain.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from articles.models import Article
from editorial.models import AuditEvent, SignOff
from ledger.canonical import GENESIS, LINK_VERSION, checkpoint_chain, link_chain, record_digest
from ledger.models import Checkpoint, Link

BATCH = 500  # articles verified per batch: bounds memory on a large library


def link_append(record: AuditEvent | SignOff) -> Link:
    """Append `record` (an audit event or a sign-off just written) to its article's chain, in the newest form.

    The caller holds the article's row lock. Costs one SELECT (the previous
    link) and one INSERT.
    """
    if isinstance(record, SignOff):
        kind, article_id = Link.Kind.SIGN_OFF, record.revision.article_id
    else:
        kind, article_id = Link.Kind.AUDIT_EVENT, record.article_id
    previous = Link.objects.filter(article_id=article_id).order_by("-sequence").values_list("sequence", "chain")
    sequence, chain = previous.first() or (0, GENESIS)
    digest = record_digest(kind, record, article_id=article_id, version=LINK_VERSION)
    return Link.objects.create(
        article_id=article_id,
        kind=kind,
        record_id=record.pk,
        sequence=sequence + 1,
        digest=digest,
        chain=link_chain(digest, chain),
        canonical_version=LINK_VERSION,
    )


def link_heads() -> list[list]:
    """`[article_id, sequence, chain]` of the last link of every article's chain, sorted by article id."""
    return [list(head) for head in _heads_of(Link).order_by("article_id")]


def checkpoint_take() -> Checkpoint | None:
    """Chain the head of every article's chain to the last checkpoint; None if nothing was appended since.

    Two runs at once cannot fork the checkpoints: a checkpoint has at most one
    successor (`previous` is unique), so the later run writes nothing.
    """
    last = Checkpoint.objects.order_by("-id").first()
    heads = link_heads()
    if last is not None and last.heads == heads:
        return None
    previous, now = (last.chain if last else GENESIS), timezone.now()
    checkpoint = Checkpoint(
        previous=previous,
        heads=heads,
        created_at=now,
        chain=checkpoint_chain(previous=previous, heads=heads, created_at=now),
    )
    try:
        with transaction.atomic():
            checkpoint.save()
    except IntegrityError:
        return None
    return checkpoint


@dataclass(frozen=True)
class Failure:
    """One broken promise: the table and row where it shows, and what is wrong."""

    table: str
    row_id: int
    message: str

    def __str__(self):
        return f"{self.table} row {self.row_id}: {self.message}"


@dataclass
class Summary:
    articles: int = 0
    links: int = 0
    checkpoints: int = 0


LINK, CHECKPOINT = Link._meta.db_table, Checkpoint._meta.db_table
TABLES = {Link.Kind.AUDIT_EVENT: AuditEvent._meta.db_table, Link.Kind.SIGN_OFF: SignOff._meta.db_table}


def verify(
    article_ids=None,
    *,
    batch: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
    summary: Summary | None = None,
) -> list[Failure]:
    """Check every chain and the checkpoints against the records as they are now; return what fails.

    For each article: the links run 1..n without a gap, each link's digest is
    recomputed from its record in the link's own canonical form (a version-1
    link stays version 1), each chain from its digest and the link before
    (the first broken link is reported, and that article's chain no further),
    and every audit event and sign-off has a link. The checkpoints must chain to
    one another, and every head the last one saw must still be there, unchanged.
    `progress(done, total)` is called after each batch of `batch` articles.
    """
    summary = summary if summary is not None else Summary()
    checkpoint_failures, heads = _verify_checkpoints(summary)
    if article_ids is None:
        ids = sorted(set(Article.objects.values_list("pk", flat=True)) | set(heads))
    else:
        ids = sorted(set(article_ids))
    failures = []
    for start in range(0, len(ids), batch):
        some = ids[start : start + batch]
        failures += _verify_batch(some, heads, summary)
        summary.articles += len(some)
        if progress:
            progress(start + len(some), len(ids))
    return checkpoint_failures + failures


def _verify_checkpoints(summary: Summary) -> tuple[list[Failure], dict]:
    """Walk the checkpoints in order; return their failures and the last one's heads by article."""
    failures, previous, last = [], GENESIS, None
    for checkpoint in Checkpoint.objects.order_by("id").iterator(chunk_size=20):
        summary.checkpoints += 1
        expected = checkpoint_chain(
            previous=checkpoint.previous, heads=checkpoint.heads, created_at=checkpoint.created_at
        )
        if checkpoint.previous != previous:
            failures.append(Failure(CHECKPOINT, checkpoint.pk, "does not follow the checkpoint before it."))
        elif checkpoint.chain != expected:
            failures.append(Failure(CHECKPOINT, checkpoint.pk, "its content no longer matches its chain value."))
        previous, last = checkpoint.chain, checkpoint
    if last is None:
        return failures, {}
    return failures, {article_id: (last.pk, sequence, chain) for article_id, sequence, chain in last.heads}


def _verify_batch(article_ids: list[int], heads: dict, summary: Summary) -> list[Failure]:
    events = {event.pk: event for event in AuditEvent.objects.filter(article_id__in=article_ids)}
    sign_offs = {
        sign_off.pk: sign_off
        for sign_off in SignOff.objects.filter(revision__article_id__in=article_ids)
        .select_related("disclaimer_version")
        .annotate(linked_article_id=F("revision__article_id"))
    }
    records = {Link.Kind.AUDIT_EVENT: events, Link.Kind.SIGN_OFF: sign_offs}
    links_by_article = {article_id: [] for article_id in article_ids}
    for link in Link.objects.filter(article_id__in=article_ids).order_by("article_id", "sequence"):
        links_by_article[link.article_id].append(link)
    failures, linked = [], set()
    for article_id in article_ids:
        links = links_by_article[article_id]
        summary.links += len(links)
        linked.update((link.kind, link.record_id) for link in links)
        failures += _verify_chain(article_id, links, records)[:1]
        failures += _verify_head(article_id, links, heads)
    for kind, by_id in records.items():
        for record_id in sorted(by_id):
            if (kind, record_id) not in linked:
                failures.append(Failure(TABLES[kind], record_id, "has no link in its article's chain."))
    return failures


def _verify_chain(article_id: int, links: list[Link], records: dict) -> list[Failure]:
    """The first broken link of one article's chain, if any."""
    previous = GENESIS
    for expected_sequence, link in enumerate(links, start=1):
        if link.sequence != expected_sequence:
            return [
                Failure(
                    LINK,
                    link.pk,
                    f"is link {link.sequence} of article {article_id}; link {expected_sequence} is missing.",
                )
            ]
        record = records[link.kind].get(link.record_id)
        if record is None:
            return [Failure(LINK, link.pk, f"its {TABLES[link.kind]} row {link.record_id} is missing.")]
        record_article = record.article_id if link.kind == Link.Kind.AUDIT_EVENT else record.linked_article_id
        digest = record_digest(link.kind, record, article_id=article_id, version=link.canonical_version)
        if record_article != article_id or digest != link.digest:
            return [
                Failure(
                    TABLES[link.kind],
                    link.record_id,
                    f"no longer matches its link ({LINK} row {link.pk}, link {link.sequence} of article {article_id}).",
                )
            ]
        if link.chain != link_chain(link.digest, previous):
            return [
                Failure(
                    LINK, link.pk, f"link {link.sequence} of article {article_id} does not follow the link before it."
                )
            ]
        previous = link.chain
    return []


def _verify_head(article_id: int, links: list[Link], heads: dict) -> list[Failure]:
    """The last checkpoint's head of this article must still be in its chain, unchanged."""
    if article_id not in heads:
        return []
    checkpoint_id, sequence, chain = heads[article_id]
    if any(link.sequence == sequence and link.chain == chain for link in links):
        return []
    return [
        Failure(
            CHECKPOINT,
            checkpoint_id,
            f"article {article_id}'s chain no longer reaches link {sequence} (chain {chain[:12]}…) that it recorded.",
        )
    ]


def links_backfill(apps) -> int:
    """Append a link for every audit event and sign-off that has none, in creation order per article.

    For the data migration that starts the chain over an existing history (with
    its historical models): a sign-off comes before the audit event of the same
    move, which is written after it. Return how many links were appended.
    """
    models = {
        Link.Kind.AUDIT_EVENT: apps.get_model("editorial", "AuditEvent"),
        Link.Kind.SIGN_OFF: apps.get_model("editorial", "SignOff"),
    }
    link_model = apps.get_model("ledger", "Link")
    linked = set(link_model.objects.values_list("kind", "record_id"))
    pending = [
        (event.created_at, 1, event.pk, Link.Kind.AUDIT_EVENT, event.article_id, event)
        for event in models[Link.Kind.AUDIT_EVENT].objects.all()
        if (Link.Kind.AUDIT_EVENT, event.pk) not in linked
    ] + [
        (sign_off.created_at, 0, sign_off.pk, Link.Kind.SIGN_OFF, sign_off.article_of, sign_off)
        for sign_off in models[Link.Kind.SIGN_OFF].objects.annotate(article_of=F("revision__article_id"))
        if (Link.Kind.SIGN_OFF, sign_off.pk) not in linked
    ]
    heads = {article_id: (sequence, chain) for article_id, sequence, chain in _heads_of(link_model)}
    appended = []
    for _created, _order, record_id, kind, article_id, record in sorted(pending, key=lambda item: item[:3]):
        sequence, previous = heads.get(article_id, (0, GENESIS))
        digest = record_digest(kind, record, article_id=article_id)
        chain = link_chain(digest, previous)
        appended.append(
            link_model(
                article_id=article_id, kind=kind, record_id=record_id, sequence=sequence + 1, digest=digest, chain=chain
            )
        )
        heads[article_id] = (sequence + 1, chain)
    link_model.objects.bulk_create(appended, batch_size=1000)
    return len(appended)


def _heads_of(link_model) -> list:
    last = link_model.objects.filter(article_id=OuterRef("article_id")).order_by("-sequence").values("sequence")[:1]
    return link_model.objects.filter(sequence=Subquery(last)).values_list("article_id", "sequence", "chain")
