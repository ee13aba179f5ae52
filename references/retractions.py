"""Flag retracted references from a retraction list (the Retraction Watch export).

Each row of the list is one notice about one paper: a retraction, an
expression of concern, a reinstatement, a correction. A row is matched to our
library by the original paper's DOI, else by its PubMed ID; the latest notice
(by date) about a reference decides its standing:

- "Retraction" marks it retracted;
- "Expression of concern" marks it so, unless it is already retracted (only a
  reinstatement lifts a retraction);
- "Reinstatement" makes a flagged reference stand again;
- other notices (corrections and the like) are ignored.

When the standing changes, the notice's date and where it was published are
recorded too. A reference already in the right standing is left alone, so its
history gains no empty entry and an editor's own notes are kept. References
newly flagged are announced, in the same transaction, by the signal
`references.signals.references_flagged`.
"""

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from config.history import save_if_changed
from references.identifiers import normalise_doi, normalise_pmid
from references.models import Reference
from references.signals import references_flagged

REQUIRED_COLUMNS = ("RetractionNature", "RetractionDate", "OriginalPaperDOI", "OriginalPaperPubMedID")
FIRST_DATA_ROW = 2  # the header is row 1, as a spreadsheet numbers it

NATURES = {
    "retraction": Reference.Retraction.RETRACTED,
    "expression of concern": Reference.Retraction.EXPRESSION_OF_CONCERN,
    "reinstatement": Reference.Retraction.STANDS,
}
# Placeholders the export uses where it has no identifier.
_NO_IDENTIFIER = {"", "0", "unavailable", "not available", "n/a", "na", "none", "null"}
_DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d")


class RetractionFileError(ValueError):
    """The file cannot be read as a retraction list; nothing was changed."""


@dataclass
class RetractionReport:
    rows_read: int = 0
    matched: int = 0  # usable rows about a reference in our library (a skipped row is not counted)
    flagged_retracted: int = 0  # references newly marked retracted
    flagged_concern: int = 0  # references newly marked with an expression of concern
    reinstated: int = 0  # flagged references that stand again
    unchanged: int = 0  # references already in the standing their latest notice gives
    superseded: int = 0  # matched rows overtaken by a later notice about the same reference
    not_in_library: int = 0  # rows about papers we do not hold
    other_notices: int = 0  # corrections and other notices that do not change standing
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)

    def lines(self) -> list[str]:
        """The report as lines a person reads, counts first, then each skipped row."""
        lines = [
            f"Rows read: {self.rows_read}",
            f"Matched to our references: {self.matched}",
            f"Flagged retracted: {self.flagged_retracted}",
            f"Flagged with an expression of concern: {self.flagged_concern}",
            f"Reinstated: {self.reinstated}",
            f"Unchanged: {self.unchanged}",
            f"Superseded by a later notice: {self.superseded}",
            f"Not in our library: {self.not_in_library}",
            f"Other notices (corrections and the like), ignored: {self.other_notices}",
            f"Skipped: {len(self.skipped)}",
        ]
        lines += [f"  row {number}: {reason}" for number, reason in self.skipped]
        return lines


@dataclass
class _Notice:
    row_number: int
    status: str
    date: date | None
    where: str


def read_retraction_csv(path) -> list[dict]:
    """Read the whole file as UTF-8 CSV, or raise `RetractionFileError` saying why not."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [(name or "").strip() for name in (reader.fieldnames or [])]
            missing = [column for column in REQUIRED_COLUMNS if column not in header]
            if not header:
                raise RetractionFileError(f"{path} is empty: expected a CSV file with a header row.")
            if missing:
                raise RetractionFileError(
                    f"{path} is not a retraction list: it lacks the column(s) {', '.join(missing)}. "
                    f"Expected the Retraction Watch CSV export, with columns {', '.join(REQUIRED_COLUMNS)}."
                )
            reader.fieldnames = header
            return list(reader)
    except OSError as error:
        raise RetractionFileError(f"Could not read {path}: {error.strerror or error}.") from error
    except UnicodeDecodeError as error:
        raise RetractionFileError(f"{path} is not UTF-8 text (byte {error.start}): save it as UTF-8 CSV.") from error
    except csv.Error as error:
        raise RetractionFileError(f"{path} is not a readable CSV file: {error}.") from error


def retractions_import(*, rows: Iterable[Mapping], source: str) -> "RetractionReport":
    """Apply a retraction list to the library in one transaction, and report what it did.

    `rows` are the list's rows as dicts keyed by column name; `source` names the
    list in each reference's retraction_source ("Retraction Watch: <notice>").
    Run it inside `acting_as(user)` so the history names who imported.
    """
    report = RetractionReport()
    with transaction.atomic():
        by_doi = dict(Reference.objects.exclude(doi="").values_list("doi", "pk"))
        by_pmid = dict(Reference.objects.exclude(pmid="").values_list("pmid", "pk"))
        latest: dict[int, _Notice] = {}
        for row_number, row in enumerate(rows, start=FIRST_DATA_ROW):
            report.rows_read += 1
            notice = _notice(row, row_number, source, report, by_doi, by_pmid)
            if notice is None:
                continue
            reference_pk, notice = notice
            report.matched += 1
            current = latest.get(reference_pk)
            if current is not None:
                report.superseded += 1
                if _sort_key(notice) < _sort_key(current):
                    continue
            latest[reference_pk] = notice

        references = Reference.objects.select_for_update().in_bulk(latest)
        flagged = [
            reference_pk
            for reference_pk, notice in sorted(latest.items(), key=lambda item: item[1].row_number)
            if _apply(references[reference_pk], notice, report)
        ]
        if flagged:
            references_flagged.send(sender=Reference, reference_ids=tuple(flagged))
    report.skipped.sort()
    return report


def _notice(row, row_number, source, report, by_doi, by_pmid):
    """Return (reference pk, notice) for a row about one of our references, else count why not."""
    nature = _cell(row, "RetractionNature")
    if not nature:
        report.skipped.append((row_number, "RetractionNature is blank."))
        return None
    status = NATURES.get(" ".join(nature.lower().split()))
    if status is None:
        report.other_notices += 1
        return None
    doi = _identifier(normalise_doi, _cell(row, "OriginalPaperDOI"))
    pmid = _identifier(normalise_pmid, _cell(row, "OriginalPaperPubMedID"))
    if not doi and not pmid:
        report.skipped.append((row_number, "no usable OriginalPaperDOI or OriginalPaperPubMedID."))
        return None
    reference_pk = by_doi.get(doi) if doi else None
    if reference_pk is None and pmid:
        reference_pk = by_pmid.get(pmid)
    if reference_pk is None:
        report.not_in_library += 1
        return None
    raw_date = _cell(row, "RetractionDate")
    try:
        notice_date = _parse_date(raw_date)
    except ValueError:
        report.skipped.append((row_number, f"RetractionDate “{raw_date}” is not a month/day/year date."))
        return None
    notice_doi = _identifier(normalise_doi, _cell(row, "RetractionDOI"))
    where = notice_doi or _first_url(_cell(row, "URLS"))
    label = f"{source}: {where}" if where else source
    max_length = Reference._meta.get_field("retraction_source").max_length
    return reference_pk, _Notice(row_number, status, notice_date, label[:max_length])


def _apply(reference: Reference, notice: _Notice, report: RetractionReport) -> bool:
    """Give `reference` the notice's standing if it changes it; return whether it is newly flagged."""
    current = reference.retraction_status
    unchanged = current == notice.status or (
        current == Reference.Retraction.RETRACTED and notice.status == Reference.Retraction.EXPRESSION_OF_CONCERN
    )
    if unchanged:
        report.unchanged += 1
        return False
    try:
        save_if_changed(
            reference,
            {"retraction_status": notice.status, "retraction_date": notice.date, "retraction_source": notice.where},
        )
    except ValidationError as error:
        report.skipped.append((notice.row_number, f"reference {reference.pk} failed validation: {error.messages}"))
        return False
    if notice.status == Reference.Retraction.RETRACTED:
        report.flagged_retracted += 1
    elif notice.status == Reference.Retraction.EXPRESSION_OF_CONCERN:
        report.flagged_concern += 1
    else:
        report.reinstated += 1
    return notice.status != Reference.Retraction.STANDS


def _sort_key(notice: _Notice):
    """Later notices win; undated ones count as oldest; on the same date the later row wins."""
    return (notice.date or date.min, notice.row_number)


def _cell(row: Mapping, column: str) -> str:
    value = row.get(column)
    return value.strip() if isinstance(value, str) else ""


def _identifier(normalise, value: str) -> str:
    """The canonical identifier, or '' for the export's placeholders and anything unparsable."""
    if value.lower() in _NO_IDENTIFIER:
        return ""
    try:
        return normalise(value)
    except ValidationError:
        return ""


def _parse_date(value: str) -> date | None:
    """Parse "3/14/2023 0:00" or a bare "3/14/2023" (month first); blank is None."""
    if not value:
        return None
    day = value.split()[0]
    for date_format in _DATE_FORMATS:
        try:
            return datetime.strptime(day, date_format).date()
        except ValueError:
            continue
    raise ValueError(value)


def _first_url(value: str) -> str:
    """The export lists URLs separated by semicolons; take the first http(s) one."""
    for candidate in re.split(r"[;\s]+", value):
        if candidate.lower().startswith(("http://", "https://")):
            return candidate
    return ""
