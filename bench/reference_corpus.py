"""Read real reference-manager and database exports through our readers, and check them against other parsers.

    python bench/reference_corpus.py DIR              # the files are in DIR, named as in the manifest
    python bench/reference_corpus.py DIR --fetch      # download the missing ones first (needs the network)
    python bench/reference_corpus.py DIR --json out.json --markdown out.md

The files are other people's exports, listed in bench/reference-corpus/sources.csv
(number, repository, commit, path, SHA-256, the tool that wrote them) and never copied
into this repository. `--fetch` downloads each missing one from GitHub at the
listed commit; a file whose SHA-256 differs from the manifest's is skipped.

Each file is read as the import reads it (`read_entries`) and planned against a
throw-away in-memory library (`import_plan`: what the admin's preview shows, with
nothing written), giving entries read, accepted, warned (by kind of warning) and
refused (with the reasons). Each entry is then compared, field by field, with what
an independent parser reads from the same file: rispy for RIS, Biopython's
Bio.Medline for MEDLINE, pybtex for BibTeX and plain `json` for CSL-JSON
(bench/requirements-corpus.txt). The fields compared are title, year, DOI,
the number of authors and their family names, journal, volume, issue and pages,
after the same light normalising on both sides (spacing, case, LaTeX braces,
a DOI's link prefix, "--" in page ranges).
"""

import argparse
import contextlib
import csv
import hashlib
import io
import json
import os
import re
import sys
import unicodedata
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")
os.environ["DATABASE_URL"] = "sqlite://:memory:"  # a throw-away library: nothing is written anywhere

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from references.formats.reading import read_entries  # noqa: E402
from references.formats.records import ReferenceFileError  # noqa: E402
from references.imports import Outcome, import_plan  # noqa: E402
from references.models import Reference  # noqa: E402

MANIFEST = ROOT / "bench" / "reference-corpus" / "sources.csv"
COMPARED = ("title", "year", "doi", "authors", "families", "journal", "volume", "issue", "pages")
_QUOTED = re.compile(r"“[^”]*”")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_POSITION = re.compile(r"entry \d+(?: \(line \d+\))?")
_DOI_IN_TEXT = re.compile(r"10\.\d{4,9}/\S+")
_MEDLINE_DOI = re.compile(r"(\S+) \[doi\]")
NONE = "\N{EN DASH}"


@dataclass
class FileReport:
    """What one file gave: our reading, the independent one, and where they disagree."""

    row: dict
    refused_file: str = ""
    read: int = 0
    accepted: int = 0
    warned: int = 0
    refused: int = 0
    independent: int | None = None
    independent_error: str = ""
    warnings: Counter = field(default_factory=Counter)
    refusals: Counter = field(default_factory=Counter)
    compared: Counter = field(default_factory=Counter)
    agreed: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=dict)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", type=Path, help="where the manifest's files are (or are to be downloaded)")
    parser.add_argument("--fetch", action="store_true", help="download missing files from GitHub first")
    parser.add_argument("--json", type=Path, help="write every figure and example disagreement here")
    parser.add_argument("--markdown", type=Path, help="write the tables for docs/references.md here")
    args = parser.parse_args()
    rows = list(csv.DictReader(MANIFEST.open(encoding="utf-8")))
    with connection.schema_editor() as editor:
        editor.create_model(Reference)  # the plan reads only the references table
    reports = []
    for row in rows:
        data = _file(args.directory, row, fetch=args.fetch)
        if data is None:
            print(f"missing or changed, skipped: {row['file']}", file=sys.stderr)
            continue
        reports.append(_report(row, data))
        print(_line(reports[-1]), file=sys.stderr)
    markdown = _markdown(reports)
    print(markdown)
    if args.markdown:
        args.markdown.write_text(markdown, encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps([_as_json(report) for report in reports], indent=2, ensure_ascii=False))
    return 0


def _file(directory: Path, row: dict, *, fetch: bool) -> bytes | None:
    path = directory / row["file"]
    if not path.exists() and fetch:
        url = "https://raw.githubusercontent.com/{}/{}/{}".format(
            row["repository"], row["commit"], urllib.parse.quote(row["path"])
        )
        try:
            with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (a fixed https address)
                directory.mkdir(parents=True, exist_ok=True)
                path.write_bytes(response.read())
        except OSError as error:
            print(f"could not download {url}: {error}", file=sys.stderr)
            return None
    if not path.exists():
        return None
    data = path.read_bytes()
    return data if hashlib.sha256(data).hexdigest() == row["sha256"] else None


def _report(row: dict, data: bytes) -> FileReport:
    report = FileReport(row)
    try:
        format, entries = read_entries(data, filename=row["file"], format=row["format"])
    except ReferenceFileError as error:
        report.refused_file = str(error)
        return report
    plan = import_plan(entries, format=format)
    report.read = len(plan.entries)
    for entry_plan in plan.entries:
        if entry_plan.outcome is Outcome.ERROR:
            report.refused += 1
            report.refusals[_kind(entry_plan.error)] += 1
            continue
        report.accepted += 1
        report.warned += bool(entry_plan.warnings)
        report.warnings.update(_kind(warning) for warning in entry_plan.warnings)
    try:
        theirs = INDEPENDENT[format](data.decode("utf-8-sig"))
    except Exception as error:  # another parser's failure is a finding, not a crash
        report.independent_error = f"{type(error).__name__}: {str(error)[:200]}"
        return report
    report.independent = len(theirs)
    _compare(report, [_ours(entry.values) for entry in entries], theirs)
    return report


def _kind(sentence: str) -> str:
    """A warning or refusal with its quoted values, positions and DOIs left out, so that like ones count together."""
    sentence = _QUOTED.sub("\N{LEFT DOUBLE QUOTATION MARK}…\N{RIGHT DOUBLE QUOTATION MARK}", sentence)
    return _DOI_IN_TEXT.sub("…", _POSITION.sub("entry N", sentence))


def _compare(report: FileReport, ours: list[dict], theirs: list[dict]) -> None:
    """Pair entries in file order when both read as many, else by DOI or title, and count agreement per field."""
    if len(ours) == len(theirs):
        pairs = list(zip(ours, theirs, strict=True))
    else:
        index = {}
        for item in theirs:
            for key in (item.get("doi"), item.get("title")):
                if key:
                    index.setdefault(key, item)
        pairs = [(mine, index[key]) for mine in ours if (key := mine.get("doi") or mine.get("title")) in index]
    for mine, other in pairs:
        for name in COMPARED:
            if mine.get(name) in (None, "", ()) and other.get(name) in (None, "", ()):
                continue
            report.compared[name] += 1
            if mine.get(name) == other.get(name):
                report.agreed[name] += 1
            else:
                report.examples.setdefault(name, [])
                if len(report.examples[name]) < 5:
                    report.examples[name].append({"ours": mine.get(name), "theirs": other.get(name)})


# Normalising shared by both sides.


def _text(value) -> str:
    text = unicodedata.normalize("NFC", str(value or ""))
    text = text.replace("{", "").replace("}", "")
    return " ".join(text.split()).rstrip(".").casefold()


def _doi(value) -> str:
    return _DOI_PREFIX.sub("", str(value or "").strip()).casefold()


def _year(value) -> int | None:
    match = _YEAR.search(str(value or ""))
    return int(match.group(1)) if match else None


def _pages(value) -> str:
    return re.sub(r"\s*(?:--+|[\u2013\u2014-])\s*", "-", str(value or "").strip())


def _record(title, year, doi, families, journal, volume, issue, pages) -> dict:
    """One entry's compared fields; "et al." (written as a name by some exports) is not an author."""
    families = tuple(_text(name) for name in families if _text(name) and _text(name) not in ("et al", "others"))
    return {
        "title": _text(title),
        "year": _year(year),
        "doi": _doi(doi),
        "authors": len(families),
        "families": families,
        "journal": _text(journal),
        "volume": _text(volume),
        "issue": _text(issue),
        "pages": _pages(pages),
    }


def _ours(values: dict) -> dict:
    names = values.get("author_list", [])
    return _record(
        values.get("title"),
        values.get("year"),
        values.get("doi"),
        [name.get("family") or name.get("literal", "") for name in names],
        values.get("source"),
        values.get("volume"),
        values.get("issue"),
        values.get("pages"),
    )


# The independent parsers, one per format.


def _ris(text: str) -> list[dict]:
    import rispy

    records = []
    for entry in rispy.loads(text, skip_unknown_tags=True):
        start, end = entry.get("start_page", ""), entry.get("end_page", "")
        pages = f"{start}-{end}" if start and end and start != end and "-" not in start else start
        journal = next(
            (
                entry[key]
                for key in (
                    "secondary_title",
                    "alternate_title3",
                    "journal_name",
                    "alternate_title2",
                    "alternate_title1",
                )
                if entry.get(key)
            ),
            "",
        )
        names = entry.get("authors") or entry.get("first_authors") or []
        records.append(
            _record(
                entry.get("title") or entry.get("primary_title"),
                entry.get("year") or entry.get("publication_year") or entry.get("date"),
                entry.get("doi"),
                [name.split(",")[0] for name in names],
                journal,
                entry.get("volume"),
                entry.get("number"),
                pages,
            )
        )
    return records


def _medline(text: str) -> list[dict]:
    from Bio import Medline

    records = []
    for record in Medline.parse(io.StringIO(text)):
        if not record:
            continue
        # Bio.Medline joins repeated LID lines into one string and keeps AID lines as a list.
        identifiers = " ".join([str(record.get("LID", "")), *record.get("AID", [])])
        doi = match.group(1) if (match := _MEDLINE_DOI.search(identifiers)) else ""
        full = record.get("FAU") or []
        names = [name.split(",")[0] for name in full] or [name.rsplit(" ", 1)[0] for name in record.get("AU", [])]
        names += (
            record.get("CN", []) if isinstance(record.get("CN"), list) else [record["CN"]] if "CN" in record else []
        )
        records.append(
            _record(
                record.get("TI") or record.get("BTI"),
                record.get("DP"),
                doi,
                names,
                record.get("JT") or record.get("TA"),
                record.get("VI"),
                record.get("IP"),
                record.get("PG"),
            )
        )
    return records


def _bibtex(text: str) -> list[dict]:
    """pybtex's reading, its LaTeX decoded by latexcodec (pybtex's own companion, not the decoder we use)."""
    import codecs

    import latexcodec  # noqa: F401 (registers the "ulatex" codec)
    import pybtex.errors
    from pybtex.database import parse_string

    def decoded(value) -> str:
        try:
            return codecs.decode(str(value or ""), "ulatex")
        except (ValueError, TypeError):
            return str(value or "")

    pybtex.errors.set_strict_mode(False)
    with contextlib.redirect_stderr(io.StringIO()):  # its warnings ("repeated bibliography entry") are not ours
        entries = parse_string(text, "bibtex").entries.values()
    records = []
    for entry in entries:
        fields = entry.fields
        persons = entry.persons.get("author", [])
        families = [decoded(" ".join([*person.prelast_names, *person.last_names])) for person in persons]
        records.append(
            _record(
                decoded(fields.get("title")),
                fields.get("year") or fields.get("date"),
                fields.get("doi", "").strip("{}"),
                families,
                decoded(fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle")),
                decoded(fields.get("volume")),
                decoded(fields.get("number")),
                decoded(fields.get("pages")).strip("{}"),
            )
        )
    return records


def _csl_json(text: str) -> list[dict]:
    data = json.loads(text)
    items = data.get("items") if isinstance(data, dict) else data
    records = []
    for item in items:
        issued = item.get("issued") or {}
        parts = issued.get("date-parts") or [[None]]
        year = parts[0][0] if parts and parts[0] else issued.get("raw") or issued.get("literal")
        names = [
            " ".join(str(name.get(key) or "") for key in ("non-dropping-particle", "family")).strip()
            or name.get("literal", "")
            for name in item.get("author", [])
        ]
        records.append(
            _record(
                item.get("title"),
                year,
                item.get("DOI"),
                names,
                item.get("container-title"),
                item.get("volume"),
                item.get("issue"),
                item.get("page"),
            )
        )
    return records


INDEPENDENT = {"ris": _ris, "medline": _medline, "bibtex": _bibtex, "csl-json": _csl_json}


# Reporting.


def _line(report: FileReport) -> str:
    if report.refused_file:
        return f"{report.row['file']}: file refused: {report.refused_file}"
    failure = f" ({report.independent_error})" if report.independent_error else ""
    return (
        f"{report.row['file']}: read {report.read}, accepted {report.accepted}, warned {report.warned}, "
        f"refused {report.refused}; the other parser read {report.independent}{failure}"
    )


def _percent(report: FileReport) -> str:
    compared, agreed = sum(report.compared.values()), sum(report.agreed.values())
    return f"{100 * agreed / compared:.1f}" if compared else NONE


def _markdown(reports: list[FileReport]) -> str:
    lines = []
    for format in ("ris", "medline", "bibtex", "csl-json"):
        chosen = [report for report in reports if report.row["format"] == format]
        if not chosen:
            continue
        lines += [
            f"### {format}",
            "",
            "| # | exported by | entries | accepted | warned | refused | other parser | fields agreeing % "
            "| differing fields |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for report in chosen:
            number = report.row["number"]
            if report.refused_file:
                lines.append(
                    f"| {number} | {report.row['exported_by']} | file refused: {report.refused_file} | | | | | | |"
                )
                continue
            differing = ", ".join(
                f"{name} {report.compared[name] - report.agreed[name]}"
                for name in COMPARED
                if report.compared[name] - report.agreed[name]
            )
            other = (
                report.independent if report.independent is not None else f"failed ({report.independent_error[:60]})"
            )
            lines.append(
                f"| {number} | {report.row['exported_by']} | {report.read} | {report.accepted} | {report.warned} | "
                f"{report.refused} | {other} | {_percent(report)} | {differing or NONE} |"
            )
        lines.append("")
    warnings, refusals = Counter(), Counter()
    for report in reports:
        warnings.update(report.warnings)
        refusals.update(report.refusals)
    lines += ["Warnings by kind (all files):", ""]
    lines += [f"- {count}: {kind}" for kind, count in warnings.most_common()] or ["- none"]
    lines += ["", "Refusals by reason (all files):", ""]
    lines += [f"- {count}: {kind}" for kind, count in refusals.most_common()] or ["- none"]
    return "\n".join(lines) + "\n"


def _as_json(report: FileReport) -> dict:
    return {
        "file": report.row["file"],
        "exported_by": report.row["exported_by"],
        "format": report.row["format"],
        "refused_file": report.refused_file,
        "read": report.read,
        "accepted": report.accepted,
        "warned": report.warned,
        "refused": report.refused,
        "independent": report.independent,
        "independent_error": report.independent_error,
        "warnings": dict(report.warnings),
        "refusals": dict(report.refusals),
        "compared": dict(report.compared),
        "agreed": dict(report.agreed),
        "examples": report.examples,
    }


if __name__ == "__main__":
    sys.exit(main())
