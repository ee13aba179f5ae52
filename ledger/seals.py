"""Seal the rows of every history table and every unchained record table, and verify them years later.

The per-article chain covers audit events and sign-offs. Everything else the
proof leans on is append-only too, but not chained as it is written: the
django-simple-history tables (who changed which words, who was made a board
member), revisions, their contributors, the claim notes and attestations, the
messages of review threads, the record of each use of outside experts'
links, and the versions of the site's own pages with the decisions on them.
The periodic job
seals those rows after the fact: each `Seal` fingerprints a run of one table's
rows and chains to the seal before, so a row changed, removed or slipped into a
sealed range by someone with direct access to the database shows in `verify_seals`.

A seal records the columns it fingerprinted, and is verified over those: a
column a migration adds later (with a default in every old row) leaves the old
seals as they were, while a sealed column dropped is reported.

A row is sealed once it is `SEAL_AFTER` old (`LEDGER_SEAL_AFTER_SECONDS`): a
transaction still open when its neighbours are sealed would otherwise commit a
row inside a range already sealed, which reads as a forgery. Rows written since
the last seal are not yet covered (`verify_seals` counts them).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.models import HistoricalChanges

from editorial.models import ClaimAttestation, ClaimNote, ExpertLinkUse, Revision, ThreadMessage
from ledger.canonical import FINGERPRINT_BYTES, GENESIS, row_fingerprint, seal_chain
from ledger.models import Seal
from ledger.services import Failure
from reader.models import EditorialPageDecision, EditorialPageVersion

SEAL_ROWS = 5_000  # rows per seal: bounds the memory of sealing and of verifying one seal

# Where each record table reads the time its row was written; history tables use `history_date`.
RECORD_TABLES_WRITTEN_AT = {
    Revision: "created_at",
    Revision.contributors.through: "revision__created_at",
    ClaimNote: "sign_off__created_at",
    ClaimAttestation: "sign_off__created_at",
    ThreadMessage: "created_at",
    ExpertLinkUse: "at",
    EditorialPageVersion: "created_at",
    EditorialPageDecision: "created_at",
}


@dataclass(frozen=True)
class SealedTable:
    """One table the seals cover: its model and where a row's writing time is read."""

    model: type
    written_at: str

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    @property
    def columns(self) -> list[str]:
        """The table's columns now, in the model's order."""
        return [field.column for field in self.model._meta.concrete_fields]

    def rows(
        self, *, columns: list[str] | None = None, after: int = 0, upto: int | None = None, limit: int | None = None
    ) -> Iterator[tuple]:
        """(id, written at, {column: value}) of each row with `after` < id ≤ `upto`, in id order.

        `columns` (all of them unless given) must still exist: see `missing_columns`.
        """
        by_column = {field.column: field.attname for field in self.model._meta.concrete_fields}
        columns = columns if columns is not None else self.columns
        pk = self.model._meta.pk.attname
        queryset = self.model._base_manager.filter(**{f"{pk}__gt": after}).order_by(pk)
        if upto is not None:
            queryset = queryset.filter(**{f"{pk}__lte": upto})
        values = queryset.values_list(pk, self.written_at, *(by_column[column] for column in columns))
        if limit is not None:
            values = values[:limit]
        for row_id, written_at, *row in values.iterator(chunk_size=SEAL_ROWS):
            yield row_id, written_at, dict(zip(columns, row, strict=True))

    def missing_columns(self, columns: list[str]) -> list[str]:
        return [column for column in columns if column not in self.columns]

    def count_after(self, after: int) -> int:
        pk = self.model._meta.pk.attname
        return self.model._base_manager.filter(**{f"{pk}__gt": after}).count()


def sealed_tables() -> list[SealedTable]:
    """Every django-simple-history table of the app registry, and the record tables no chain covers."""
    tables = [
        SealedTable(model, "history__history_date" if "m2m_history_id" in _attnames(model) else "history_date")
        for model in apps.get_models()
        if issubclass(model, HistoricalChanges)
    ]
    tables += [SealedTable(model, written_at) for model, written_at in RECORD_TABLES_WRITTEN_AT.items()]
    return sorted(tables, key=lambda table: table.name)


def _attnames(model) -> set[str]:
    return {field.attname for field in model._meta.concrete_fields}


def seal_after() -> timedelta:
    return timedelta(seconds=settings.LEDGER_SEAL_AFTER_SECONDS)


def seals_take(*, now=None) -> list[Seal]:
    """Seal every row written `SEAL_AFTER` ago or earlier and not sealed yet; return the new seals.

    Each table is sealed from its last sealed id in runs of `SEAL_ROWS`, stopping
    at the first row younger than the cutoff. Two runs at once cannot fork the
    seals (`previous` is unique): the later one stops at its first collision.
    """
    now = now or timezone.now()
    cutoff = now - seal_after()
    written = []
    for table in sealed_tables():
        while True:
            seal, rows = _seal_next_run(table, cutoff=cutoff, now=now)
            if seal is not None:
                written.append(seal)
            if seal is None or rows < SEAL_ROWS:
                break
    return written


def _seal_next_run(table: SealedTable, *, cutoff, now) -> tuple[Seal | None, int]:
    """Seal the table's next run of rows old enough; return the seal (None if none or another run won) and its size."""
    last_sealed = Seal.objects.filter(table=table.name).order_by("-last_id").values_list("last_id", flat=True).first()
    ids, fingerprints, columns = [], bytearray(), table.columns
    for row_id, written_at, row in table.rows(columns=columns, after=last_sealed or 0, limit=SEAL_ROWS):
        if written_at is not None and written_at > cutoff:
            break
        ids.append(row_id)
        fingerprints += row_fingerprint(table.name, row)
    if not ids:
        return None, 0
    previous = Seal.objects.order_by("-id").values_list("chain", flat=True).first() or GENESIS
    runs = id_runs(ids)
    seal = Seal(
        previous=previous,
        table=table.name,
        columns=columns,
        first_id=ids[0],
        last_id=ids[-1],
        runs=runs,
        fingerprints=bytes(fingerprints),
        created_at=now,
        chain=seal_chain(
            previous=previous,
            table=table.name,
            columns=columns,
            runs=runs,
            fingerprints=bytes(fingerprints),
            created_at=now,
        ),
    )
    try:
        with transaction.atomic():
            seal.save()
    except IntegrityError:
        return None, 0  # another run sealed first
    return seal, len(ids)


def id_runs(ids: list[int]) -> list[list[int]]:
    """[[first, last], …] of the consecutive stretches of ascending `ids`."""
    runs = []
    for row_id in ids:
        if runs and row_id == runs[-1][1] + 1:
            runs[-1][1] = row_id
        else:
            runs.append([row_id, row_id])
    return runs


def run_ids(runs: list[list[int]]) -> Iterator[int]:
    for first, last in runs:
        yield from range(first, last + 1)


@dataclass
class SealSummary:
    seals: int = 0
    rows: int = 0
    unsealed: int = 0


def verify_seals(*, progress: Callable[[int, int], None] | None = None, summary: SealSummary | None = None) -> list:
    """Check every seal against the rows as they are now, and the seals' chain; return what fails.

    A sealed row that changed, is missing, or appeared inside a sealed range is
    named with its seal. A seal whose content no longer gives its chain value, or
    that does not follow the seal before it, is named too. Rows not sealed yet
    are counted in `summary.unsealed`, not failed. `progress(done, total)` is
    called after each seal.
    """
    summary = summary if summary is not None else SealSummary()
    tables = {table.name: table for table in sealed_tables()}
    failures, previous, last_sealed = [], GENESIS, {}
    total = Seal.objects.count()
    for done, seal in enumerate(Seal.objects.order_by("id").iterator(chunk_size=10), start=1):
        summary.seals += 1
        fingerprints = bytes(seal.fingerprints)
        expected = seal_chain(
            previous=seal.previous,
            table=seal.table,
            columns=seal.columns,
            runs=seal.runs,
            fingerprints=fingerprints,
            created_at=seal.created_at,
        )
        if seal.previous != previous:
            failures.append(Failure(Seal._meta.db_table, seal.pk, "does not follow the seal before it."))
        elif seal.chain != expected:
            failures.append(Failure(Seal._meta.db_table, seal.pk, "its content no longer matches its chain value."))
        previous = seal.chain
        table = tables.get(seal.table)
        if table is None:
            failures.append(Failure(Seal._meta.db_table, seal.pk, f"seals table {seal.table}, which no longer exists."))
            continue
        missing = table.missing_columns(seal.columns)
        if missing:
            failures.append(
                Failure(Seal._meta.db_table, seal.pk, f"sealed columns {', '.join(missing)} of {seal.table}, now gone.")
            )
            continue
        failures += _verify_rows(seal, table, fingerprints, summary)
        last_sealed[seal.table] = max(last_sealed.get(seal.table, 0), seal.last_id)
        if progress:
            progress(done, total)
    for name, table in tables.items():
        summary.unsealed += table.count_after(last_sealed.get(name, 0))
    return failures


def _verify_rows(seal: Seal, table: SealedTable, fingerprints: bytes, summary: SealSummary) -> list:
    sealed = {
        row_id: fingerprints[index * FINGERPRINT_BYTES : (index + 1) * FINGERPRINT_BYTES]
        for index, row_id in enumerate(run_ids(seal.runs))
    }
    summary.rows += len(sealed)
    failures, seen = [], set()
    for row_id, _written_at, row in table.rows(columns=seal.columns, after=seal.first_id - 1, upto=seal.last_id):
        seen.add(row_id)
        if row_id not in sealed:
            failures.append(
                Failure(table.name, row_id, f"appeared inside the range of seal {seal.pk} after it was sealed.")
            )
        elif row_fingerprint(table.name, row) != sealed[row_id]:
            failures.append(Failure(table.name, row_id, f"changed since seal {seal.pk} sealed it."))
    for row_id in sorted(set(sealed) - seen):
        failures.append(Failure(table.name, row_id, f"is missing: seal {seal.pk} sealed it."))
    return failures
