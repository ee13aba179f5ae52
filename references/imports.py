"""Import a reference file into the library: plan what it would do, then do it in one transaction.

Each entry of the file is matched to the library by DOI, then PMID, then
PMCID, then title and year (the order `reference_find` uses) and judged:

- new: nothing matches; it will be created;
- update: a reference matches and the file fills (or, as the uploader chose, replaces) some of its details;
- unchanged: a reference matches and the file changes nothing of it;
- error: the entry cannot be used, for the reason given; the others still import.

So re-importing a file updates and never duplicates. Title and year alone
match only works of the same type (a thesis is not the journal paper of the
same name, nor a book its review) whose identifiers do not disagree; any other
entry with a matching title and year is added as a new reference, with a
warning, and the duplicates filter shows the two side by side.

A file never overwrites silently. By default it only fills details the library
lacks; where both have a value and they differ, the library's is kept and the
preview lists the difference. The uploader may take the file's values for some
fields or all, and the import records that choice. A file never blanks a
detail, never replaces an identifier a reference already has (a different DOI
is a different paper), and never overrides an editor's judgement: the kind of
evidence is set only on new references, and retraction standing only by the
retraction import.
"""

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from config.history import history_user
from references.duplicates import title_key
from references.formats.names import names_from_vancouver, names_text, vancouver_authors
from references.formats.reading import read_entries
from references.formats.records import ParsedEntry
from references.identifiers import is_short_doi, normalise_doi, normalise_pmcid, normalise_pmid
from references.models import Reference, ReferenceImport

IDENTIFIERS = {"doi": ("DOI", normalise_doi), "pmid": ("PMID", normalise_pmid), "pmcid": ("PMCID", normalise_pmcid)}
# What a file may fill on a reference the library already holds.
UPDATABLE = ("work_type", "title", "source", "year", "volume", "issue", "pages", "doi", "pmid", "pmcid", "url")
# What the uploader may choose to take from the file where the library already has a different value
# ("authors" stands for the list, its et-al flag and its string). Identifiers are never replaced.
REPLACEABLE = ("title", "authors", "editors", "work_type", "source", "year", "volume", "issue", "pages", "url")
# The authors change as one: the list, its et-al flag and their string.
AUTHOR_FIELDS = ("authors", "author_list", "authors_et_al")
BATCH_SIZE = 500

Progress = Callable[[int, int], None]


class Outcome(StrEnum):
    NEW = "new"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


class ImportConflict(RuntimeError):
    """The import cannot run now (the library changed under it, or it already ran); nothing was imported."""


@dataclass
class EntryPlan:
    """What importing one entry does: the reference it creates or changes, or why it cannot."""

    entry: ParsedEntry
    outcome: Outcome
    values: dict = field(default_factory=dict)  # the entry's values, identifiers normalised
    reference: Reference | None = None
    changes: dict[str, tuple] = field(default_factory=dict)  # field → (stored, from the file), as it will be written
    # Fields where the library and the file disagree and the library's value is kept: field → (stored, file).
    differences: dict[str, tuple] = field(default_factory=dict)
    error: str = ""
    warnings: list[str] = field(default_factory=list)  # fields dropped or kept as given, each a sentence

    @property
    def position(self) -> str:
        return self.entry.position

    @property
    def change_rows(self) -> list[tuple[str, object, object]]:
        """(field as editors name it, stored, from the file) for each change, for a preview."""
        return [(field_label(name), *values) for name, values in self.changes.items()]

    @property
    def difference_rows(self) -> list[tuple[str, object, object]]:
        """(field as editors name it, kept, the file's) for each difference left as the library has it."""
        return [(field_label(name), *values) for name, values in self.differences.items()]

    @property
    def title(self) -> str:
        return self.entry.values.get("title", "")

    @property
    def details(self) -> str:
        """Authors, source, year and identifiers in one line, for a preview."""
        values = self.values or self.entry.values
        source = ", ".join(str(part) for part in (values.get("source"), values.get("year")) if part)
        identifiers = [f"{label} {values[name]}" for name, (label, _) in IDENTIFIERS.items() if values.get(name)]
        return ". ".join(part for part in (values.get("authors"), source, *identifiers) if part)


@dataclass
class ImportPlan:
    format: str
    entries: list[EntryPlan]
    replace: tuple[str, ...] = ()  # the fields where the file's values win over the library's

    @property
    def differing_fields(self) -> list[str]:
        """The fields, in REPLACEABLE's order, where some matched entry differs from the library."""
        differing = {name for plan in self.entries for name in plan.differences}
        return [name for name in REPLACEABLE if name in differing]

    def with_outcome(self, outcome: Outcome) -> list[EntryPlan]:
        return [plan for plan in self.entries if plan.outcome == outcome]

    @property
    def counts(self) -> dict[str, int]:
        return {outcome.value: len(self.with_outcome(outcome)) for outcome in Outcome}

    @property
    def problems(self) -> list[tuple[str, str]]:
        """(position, reason) for each entry that cannot be imported, in file order."""
        return [(plan.position, plan.error) for plan in self.with_outcome(Outcome.ERROR)]

    @property
    def warnings(self) -> list[tuple[str, str]]:
        """(position, warning) for each warning of an entry that is imported, in file order."""
        return [
            (plan.position, warning)
            for plan in self.entries
            if plan.outcome is not Outcome.ERROR
            for warning in plan.warnings
        ]

    def summary_lines(self) -> list[str]:
        counts = self.counts
        lines = [
            f"Entries read: {len(self.entries)}",
            f"New references: {counts['new']}",
            f"Updated references: {counts['update']}",
            f"Unchanged: {counts['unchanged']}",
            f"Entries with errors, not imported: {counts['error']}",
        ]
        lines += [f"  {position}: {reason}" for position, reason in self.problems]
        if warnings := self.warnings:
            lines.append(f"Warnings on entries imported: {len(warnings)}")
            lines += [f"  {position}: {warning}" for position, warning in warnings]
        if kept := [plan for plan in self.entries if plan.differences]:
            lines.append(f"Entries where the library's differing values are kept: {len(kept)}")
            lines += [
                f"  {plan.position}: {name} “{stored}” kept (the file says “{given}”)"
                for plan in kept
                for name, (stored, given) in plan.differences.items()
            ]
        if self.replace:
            lines.append(f"The file's values replace the library's in: {', '.join(self.replace)}")
        return lines


def import_plan(
    entries: list[ParsedEntry], *, format: str, lock: bool = False, replace: Iterable[str] = ()
) -> ImportPlan:
    """Judge every entry against the library without writing anything.

    `replace` names the fields (of REPLACEABLE) where the file's value replaces a
    different one in the library; elsewhere the file only fills what is empty.
    Costs two queries whatever the file's size: one to index the library's
    identifiers, titles, years and types, one to load the references that match
    (locked with `lock`, as `import_apply` does inside its transaction).
    """
    replace = _replaceable(replace)
    library = _Index.of_library()
    in_file = _Index()
    plans = [_judge(entry, library, in_file) for entry in entries]
    matched = [plan for plan in plans if plan.outcome is Outcome.UPDATE]
    queryset = Reference.objects.select_for_update() if lock else Reference.objects
    stored = queryset.in_bulk({plan.reference.pk for plan in matched})
    first_entry: dict[int, str] = {}
    for plan in matched:
        pk = plan.reference.pk
        if pk in first_entry:
            plan.outcome, plan.error = Outcome.ERROR, f"it is the same reference as {first_entry[pk]}."
            continue
        first_entry[pk] = plan.position
        _compare(plan, stored[pk], replace)
    return ImportPlan(format=format, entries=plans, replace=replace)


def _replaceable(fields: Iterable[str]) -> tuple[str, ...]:
    fields = set(fields)
    if unknown := fields - set(REPLACEABLE):
        raise ValueError(f"A file cannot replace these fields: {', '.join(sorted(unknown))}.")
    return tuple(name for name in REPLACEABLE if name in fields)


def import_apply(
    entries: list[ParsedEntry], *, format: str, replace: Iterable[str] = (), progress: Progress | None = None
) -> ImportPlan:
    """Create and update the library from `entries` in one transaction, and return what was done.

    The plan is made again inside the transaction with the matched references
    locked, so what is written agrees with the library at that moment. History
    rows name the acting user (`acting_as` or the request's user). Raises
    `ImportConflict`, with nothing written, if a concurrent change makes an
    identifier collide.
    """
    user = history_user()
    try:
        with transaction.atomic():
            plan = import_plan(entries, format=format, lock=True, replace=replace)
            created = [p.reference for p in plan.with_outcome(Outcome.NEW)]
            updated = plan.with_outcome(Outcome.UPDATE)
            total, done = len(created) + len(updated), 0
            for batch in _batches(created):
                bulk_create_with_history(batch, Reference, default_user=user)
                done += len(batch)
                _report(progress, done, total)
            now = timezone.now()
            for batch in _batches(updated):
                references = []
                for entry_plan in batch:
                    entry_plan.reference.updated_at = now
                    references.append(entry_plan.reference)
                fields = {name for p in batch for name in p.changes} | {"updated_at"}
                if "authors" in fields:
                    fields |= set(AUTHOR_FIELDS)
                fields = sorted(fields)
                bulk_update_with_history(references, Reference, fields, default_user=user)
                done += len(batch)
                _report(progress, done, total)
    except IntegrityError as error:
        raise ImportConflict(
            "The library changed while the file was being imported (another import or an edit gave a "
            "reference the same identifier). Nothing was imported; try again."
        ) from error
    return plan


def reference_file_preview(
    *, data: bytes, file_name: str, user, format: str | None = None, keep: bool = True, replace: Iterable[str] = ()
) -> tuple[ReferenceImport, ImportPlan]:
    """Read a file, keep it (unless `keep` is false), and say what importing it would do.

    The library is not changed. Raises `ReferenceFileError` (nothing kept) when
    the file as a whole cannot be read. The kept record is what
    `reference_file_import` later imports.
    """
    _require_import_permission(user)
    format, entries = read_entries(data, filename=file_name, format=format)
    plan = import_plan(entries, format=format, replace=replace)
    record = ReferenceImport(
        file_name=file_name[: ReferenceImport._meta.get_field("file_name").max_length],
        format=format,
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        uploaded_by=user,
        counts=plan.counts,
        problems=plan.problems,
        warnings=plan.warnings,
    )
    if keep:
        record.full_clean()
        record.save()
    return record, plan


def reference_file_plan(record: ReferenceImport, *, replace: Iterable[str] = ()) -> ImportPlan:
    """What importing a kept file would do against the library as it is now, taking the file's
    values for the `replace` fields."""
    format, entries = read_entries(bytes(record.content), filename=record.file_name, format=record.format)
    return import_plan(entries, format=format, replace=replace)


def reference_file_import(
    *,
    record: ReferenceImport,
    user,
    replace: Iterable[str] = (),
    progress: Progress | None = None,
    entries: list[ParsedEntry] | None = None,
) -> ImportPlan:
    """Import a previewed file, once, and record what it did and which fields the uploader let it replace.

    Only the editor who uploaded the file confirms it (they saw its preview).
    The record is locked so two confirmations cannot both import. `entries`,
    when given, are the record's content as already read (the command previews
    and imports in one go, and a large BibTeX file takes seconds to read); else
    the kept file is read again.
    """
    _require_import_permission(user)
    if record.uploaded_by_id != user.pk:
        raise PermissionDenied("Only the editor who uploaded this file can import it.")
    with transaction.atomic():
        record = ReferenceImport.objects.select_for_update().get(pk=record.pk)
        if record.status == ReferenceImport.Status.IMPORTED:
            raise ImportConflict(
                f"This file, {record.file_name}, was already imported on {record.imported_at:%d %B %Y at %H:%M}."
            )
        if entries is None:
            _, entries = read_entries(bytes(record.content), filename=record.file_name, format=record.format)
        plan = import_apply(entries, format=record.format, replace=replace, progress=progress)
        record.status, record.imported_at = ReferenceImport.Status.IMPORTED, timezone.now()
        record.counts, record.problems, record.warnings = plan.counts, plan.problems, plan.warnings
        record.replaced_fields = list(plan.replace)
        record.save(update_fields=["status", "imported_at", "counts", "problems", "warnings", "replaced_fields"])
    return plan


def _require_import_permission(user) -> None:
    if not (user.has_perm("references.add_reference") and user.has_perm("references.change_reference")):
        raise PermissionDenied("Importing references needs permission to add and change references.")


@dataclass
class _Known:
    """A reference, or an earlier entry of the file, as far as matching needs it."""

    doi: str
    pmid: str
    pmcid: str
    title: str
    year: int | None
    work_type: str = ""  # as stored or read, else guessed from journal details; "" when nothing tells
    reference: Reference | None = None
    position: str = ""


class _Index:
    """Identifier and title-and-year keys of the library's references, or of a file's entries so far."""

    def __init__(self):
        self.by_key: dict[tuple, _Known] = {}

    @classmethod
    def of_library(cls) -> "_Index":
        index = cls()
        rows = Reference.objects.values_list(
            "pk", "doi", "pmid", "pmcid", "title", "year", "work_type", "volume", "issue", "pages"
        )
        for pk, doi, pmid, pmcid, title, year, work_type, *journal in rows.iterator(chunk_size=2000):
            work_type = _work_type({"work_type": work_type, **dict(zip(JOURNAL_DETAILS, journal, strict=True))})
            index.add(_Known(doi, pmid, pmcid, title, year, work_type, reference=Reference(pk=pk, title=title)))
        return index

    def add(self, known: _Known) -> None:
        for key in _keys(vars(known)):
            self.by_key.setdefault(key, known)

    def match(self, values: dict, warnings: list[str] | None = None) -> tuple[_Known | None, str]:
        """What these values describe, or an error when identifiers point at two things or contradict one.

        A title and year that match a work the values cannot be (another type, or an
        identifier that differs) match nothing, with a sentence added to `warnings`.
        """
        found: dict[int, tuple[tuple, _Known]] = {}
        for key in _keys(values, titles=False):
            if key in self.by_key:
                found.setdefault(id(self.by_key[key]), (key, self.by_key[key]))
        if len(found) > 1:
            (key_a, a), (key_b, b) = list(found.values())[:2]
            return None, (
                f"its {_label(key_a)} matches “{a.title}” but its {_label(key_b)} matches “{b.title}”; "
                "merge those references or correct the entry."
            )
        if found:
            _, known = next(iter(found.values()))
            return (None, contradiction) if (contradiction := _contradiction(known, values)) else (known, "")
        title_key = _title_key(values)
        known = self.by_key.get(title_key) if title_key else None
        if known is None:
            return None, ""
        if reason := _differing_identifier(known, values) or _other_type(known, values):
            if warnings is not None:
                warnings.append(
                    f"has the same title and year as “{known.title}”{known.position and f' ({known.position})'}, "
                    f"but {reason}; it is added as a new reference, and shown among the possible duplicates."
                )
            return None, ""
        return known, ""


def _judge(entry: ParsedEntry, library: _Index, in_file: _Index) -> EntryPlan:
    warnings = list(entry.warnings)
    plan = _judged(entry, library, in_file, warnings)
    plan.warnings = warnings
    return plan


def _judged(entry: ParsedEntry, library: _Index, in_file: _Index, warnings: list[str]) -> EntryPlan:
    if entry.error:
        return EntryPlan(entry, Outcome.ERROR, error=entry.error)
    try:
        values = _clean(entry.values, warnings)
    except ValidationError as error:
        return EntryPlan(entry, Outcome.ERROR, error=" ".join(error.messages))
    earlier, error = in_file.match(values, warnings)
    if earlier is not None or error:
        return EntryPlan(
            entry, Outcome.ERROR, error=f"it is the same reference as {earlier.position}." if earlier else error
        )
    known, error = library.match(values, warnings)
    if error:
        return EntryPlan(entry, Outcome.ERROR, values, error=error)
    in_file.add(
        _Known(
            *(values.get(name, "") for name in IDENTIFIERS),
            values["title"],
            values.get("year"),
            _work_type(values),
            position=entry.position,
        )
    )
    if known is not None:
        return EntryPlan(entry, Outcome.UPDATE, values, reference=known.reference)  # compared once loaded
    new = Reference(**values)
    try:
        _validate(new)
    except ValidationError as error:
        return EntryPlan(entry, Outcome.ERROR, values, error=_sentence(error))
    return EntryPlan(entry, Outcome.NEW, values, reference=new)


def _compare(plan: EntryPlan, stored: Reference, replace: tuple[str, ...]) -> None:
    """Turn a matched entry into an update of the stored reference, or mark it unchanged or in error.

    A field the library leaves empty is filled; one where both have values that
    differ changes only when the uploader chose to take the file's value for it,
    and is otherwise listed among the plan's differences.
    """
    values = plan.values
    differing = {
        name: (getattr(stored, name), values[name])
        for name in UPDATABLE
        if values.get(name) not in (None, "") and getattr(stored, name) != values[name]
    }
    given_names = (values.get("author_list", []), values.get("authors_et_al", False))
    if given_names[0] and (stored.author_list, stored.authors_et_al) != given_names:
        differing["authors"] = (_names_line(stored.author_list, stored.authors_et_al), _names_line(*given_names))
    if values.get("editors") and stored.editors != values["editors"]:
        differing["editors"] = (_names_line(stored.editors, False), _names_line(values["editors"], False))
    changes, differences = {}, {}
    for name, (was, given) in differing.items():
        filling = {"authors": not (stored.author_list or stored.authors_et_al), "editors": not stored.editors}.get(
            name, was in (None, "")
        )
        (changes if filling or name in replace else differences)[name] = (was, given)
    plan.reference, plan.changes, plan.differences = stored, changes, differences
    if not changes:
        plan.outcome = Outcome.UNCHANGED
        return
    for name, (_, value) in changes.items():
        if name not in ("authors", "editors"):
            setattr(stored, name, value)
    if "authors" in changes:
        stored.author_list, stored.authors_et_al = given_names
        stored.authors = values["authors"]
    if "editors" in changes:
        stored.editors = values["editors"]
    try:
        _validate(stored)
    except ValidationError as error:
        plan.outcome, plan.error, plan.changes = Outcome.ERROR, _sentence(error), {}


def _clean(values: dict, warnings: list[str]) -> dict:
    """Normalise identifiers, fit the author list and drop unusable details the reference can do without.

    Raises ValidationError naming what is wrong with what the reference needs
    (its title, its identifiers); each detail dropped adds a sentence to `warnings`.
    """
    cleaned = dict(values)
    problems = []
    _doi_at_the_start(cleaned, warnings)
    for name, (label, normalise) in IDENTIFIERS.items():
        if cleaned.get(name):
            try:
                cleaned[name] = normalise(cleaned[name])
            except ValidationError as error:
                problems.append(f"{label} “{values[name]}”: {' '.join(error.messages)}")
    if problems:
        raise ValidationError(problems)
    if is_short_doi(cleaned.get("doi", "")):
        warnings.append(
            f"has a short DOI, “{cleaned['doi']}”; it is kept as given, and cannot be matched to the full DOI "
            "it stands for without asking doi.org."
        )
    if not cleaned.get("title", "").strip():
        raise ValidationError("it has no title.")
    if cleaned.get("kind") not in Reference.Kind.values:
        cleaned.pop("kind", None)
    _drop_unusable_details(cleaned, warnings)
    if cleaned.get("authors") and not cleaned.get("author_list"):  # values given as a string only
        cleaned["author_list"], cleaned["authors_et_al"] = names_from_vancouver(cleaned["authors"])
    if cleaned.get("author_list"):
        cleaned["author_list"], cleaned["authors_et_al"] = _fit_authors(
            cleaned["author_list"], cleaned.get("authors_et_al", False)
        )
        cleaned["authors"] = vancouver_authors(cleaned["author_list"], cleaned["authors_et_al"])
    return cleaned


def _doi_at_the_start(values: dict, warnings: list[str]) -> None:
    """Take the DOI from a DOI field that holds more after it, with a warning.

    Mendeley writes a DOI and a supplement's link in one field ("10.1038/nclimate3000
    http://…"), and RIS tags leak into it ("10.1007/… LB - Keith2006"); the DOI at the
    start is the paper's. A field that starts with anything else is left to be refused.
    """
    text = str(values.get("doi") or "").strip()
    first, _, rest = text.partition(" ")
    if not rest.strip():
        return
    try:
        normalise_doi(first)
    except ValidationError:
        return
    values["doi"] = first
    warnings.append(f"has a DOI field holding more than a DOI, “{text}”; the DOI at its start, {first}, is used.")


def _fit_authors(names: list[dict], et_al: bool) -> tuple[list[dict], bool]:
    """Shorten a list whose string is too long to store to its first names and "et al.", as citation styles do."""
    limit = Reference._meta.get_field("authors").max_length
    if len(vancouver_authors(names, et_al)) <= limit:
        return names, et_al
    kept = []
    for name in names:
        if len(vancouver_authors([*kept, name], True)) > limit:
            break
        kept.append(name)
    return kept, True


_NO_PAGES = re.compile(r"no pagination", re.IGNORECASE)
_URL_CHECK = URLValidator()


def _drop_unusable_details(values: dict, warnings: list[str]) -> None:
    """Leave out, with a warning each, details that would not be stored as given: a URL that is not
    one (the first of several is kept), pages that say there are none, and text too long for its field."""
    if (url := values.get("url")) and not _is_url(url):
        encoded = url.replace(" ", "%20")
        if url.count("://") == 1 and _is_url(encoded):  # one address written with spaces in it
            values["url"] = encoded
            warnings.append(f"has a URL with spaces, “{url}”; it is used with the spaces encoded.")
        elif candidates := [part for part in url.split() if _is_url(part)]:
            values["url"] = candidates[0]
            warnings.append(f"has a URL field holding “{url}”; the first web address in it is used.")
        else:
            del values["url"]
            warnings.append(f"has a URL “{url}” that is not a web address; it is left out.")
    if _NO_PAGES.search(values.get("pages", "")):
        warnings.append(f"has pages “{values.pop('pages')}”, which say there are none; they are left out.")
    for name in ("source", "volume", "issue", "pages"):
        limit = Reference._meta.get_field(name).max_length
        if len(values.get(name, "")) > limit:
            label = Reference._meta.get_field(name).verbose_name
            article = "" if name == "pages" else "an " if label[0] in "aeiou" else "a "
            warnings.append(
                f"has {article}{label} “{values.pop(name)}” longer than {limit} characters; it is left out."
            )


def _is_url(text: str) -> bool:
    if len(text) > Reference._meta.get_field("url").max_length:
        return False
    try:
        _URL_CHECK(text)
    except ValidationError:
        return False
    return True


def _names_line(names: list[dict], et_al: bool) -> str:
    """The names as an editor types them, on one line for a preview: "Younger, Jarred; Noor, N; et al."."""
    return "; ".join(names_text(names, et_al).splitlines())


def _validate(reference: Reference) -> None:
    """Run field and model checks; uniqueness is the plan's business (row by row it would cost queries)."""
    reference.full_clean(validate_unique=False, validate_constraints=False)


def _sentence(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(
            f"{Reference._meta.get_field(name).verbose_name}: {' '.join(messages)}"
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _keys(values: dict, *, titles: bool = True) -> Iterator[tuple]:
    for name in IDENTIFIERS:
        if values.get(name):
            yield (name, values[name])
    if titles and (title_key := _title_key(values)):
        yield title_key


def _title_key(values: dict) -> tuple | None:
    """Titles compare as possible duplicates do, so an import matches what the duplicates filter would pair."""
    title = title_key(values.get("title") or "")
    return ("title", title, values.get("year")) if title else None


def field_label(name: str) -> str:
    """A reference field as editors see it named ("type of work", "authors")."""
    return "authors" if name == "authors" else str(Reference._meta.get_field(name).verbose_name)


# The details only a journal paper (or a chapter) has; a reference with any of them and no type is taken for a paper.
JOURNAL_DETAILS = ("volume", "issue", "pages")
_TYPE_NAMES = dict(Reference.WorkType.choices)


def _work_type(values: dict) -> str:
    """The type of work the values say, or guess from journal details: "" when nothing tells."""
    if values.get("work_type"):
        return values["work_type"]
    return Reference.WorkType.ARTICLE if any(values.get(name) for name in JOURNAL_DETAILS) else ""


def _other_type(known: _Known, values: dict) -> str:
    """Why the values are another work than `known` by their types ("it is a thesis, not a journal article"),
    or "". A type that is not known, or the catch-all "other document", tells nothing."""
    ours, theirs = known.work_type, _work_type(values)
    if not ours or not theirs or ours == theirs or Reference.WorkType.DOCUMENT in (ours, theirs):
        return ""
    return f"it is a {_TYPE_NAMES[theirs].lower()}, not a {_TYPE_NAMES[ours].lower()}"


def _differing_identifier(known: _Known, values: dict) -> str:
    """ "its DOI differs" when both give an identifier of a kind and the two differ, else ""."""
    for name, (label, _) in IDENTIFIERS.items():
        stored, given = getattr(known, name), values.get(name)
        if stored and given and stored != given:
            return f"its {label} differs"
    return ""


def _contradiction(known: _Known, values: dict) -> str:
    """Why the entry cannot be this reference: an identifier both have, with different values."""
    for name, (label, _) in IDENTIFIERS.items():
        stored, given = getattr(known, name), values.get(name)
        if stored and given and stored != given:
            return f"it matches “{known.title}”, whose {label} is {stored}, not {given}."
    return ""


def _label(key: tuple) -> str:
    return IDENTIFIERS[key[0]][0]


def _batches(items: list) -> Iterator[list]:
    for start in range(0, len(items), BATCH_SIZE):
        yield items[start : start + BATCH_SIZE]


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)
