"""Uploaded reference files in, exported ones out: the checks every file passes and the formats we know.

The importer, the admin form and the export views all work from `FORMATS`,
so adding a format is one entry here and one module beside this one.
"""

import codecs
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from references.formats import bibtex, csl_json, medline, ris
from references.formats.records import ParsedEntry, ReferenceFileError

# The largest file read at all (the command line's limit; the admin's web form takes less,
# `settings.REFERENCE_UPLOAD_MAX_BYTES`, and refuses more before reading it).
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Format:
    """One file format: how people know it, how files of it are named and served, and how to read and write it."""

    name: str
    label: str
    extension: str
    media_type: str
    parse: Callable[[str], list[ParsedEntry]]
    dump: Callable[[list[tuple[str, dict]]], str]


FORMATS = {
    "ris": Format("ris", "RIS", ".ris", "application/x-research-info-systems", ris.parse, ris.dump),
    "bibtex": Format("bibtex", "BibTeX", ".bib", "application/x-bibtex", bibtex.parse, bibtex.dump),
    "medline": Format("medline", "PubMed MEDLINE", ".nbib", "text/plain", medline.parse, medline.dump),
    "csl-json": Format(
        "csl-json", "CSL-JSON", ".json", "application/vnd.citationstyles.csl+json", csl_json.parse, csl_json.dump
    ),
}

# Extensions that say what a file is. ".txt" says nothing: PubMed's "Save as MEDLINE" and some
# RIS exports both use it, so a .txt file (like one with no extension) is told by its content.
_EXTENSIONS = {
    ".ris": "ris",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".nbib": "medline",
    ".medline": "medline",
    ".json": "csl-json",
}
# What each format's content looks like near a line's start, tried in this order.
_SIGNATURES = (
    ("csl-json", re.compile(r"\A\s*[\[{]")),
    ("ris", re.compile(r"^TY {1,2}-", re.MULTILINE)),
    ("medline", re.compile(r"^(?:PMID|FAU )- ", re.MULTILINE)),
    ("bibtex", re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)),
)


def read_entries(data: bytes, *, filename: str = "", format: str | None = None) -> tuple[str, list[ParsedEntry]]:
    """Check an uploaded file, tell its format and read its entries: (format name, entries).

    `format`, when given, overrides what the file name and content suggest.
    Raises ReferenceFileError with a message for the person who uploaded it
    when the file is too large, empty, binary, not UTF-8, of no known format,
    or unreadable as a whole.
    """
    text = _text(data)
    name = format or _EXTENSIONS.get(_extension(filename)) or _sniffed(text)
    entries = _format(name).parse(text)
    if not entries:
        raise ReferenceFileError(f"The file holds no references: it is {FORMATS[name].label} with no entries.")
    return name, entries


def write_entries(format: str, items: list[tuple[str, dict]]) -> str:
    """Write (key, values) pairs in the named format."""
    return _format(format).dump(items)


def _text(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise ReferenceFileError(
            f"The file is {size_text(len(data))}; the largest file accepted is {size_text(MAX_FILE_BYTES)}. "
            "Split it into smaller files."
        )
    if b"\x00" in data:
        raise ReferenceFileError(
            "This is not a text file: it contains null bytes, as binary files and UTF-16 text do. "
            "Export the references as text saved in UTF-8."
        )
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0  # allowed, and dropped
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = bom + error.start
        line = data[:offset].count(b"\n") + 1
        raise ReferenceFileError(
            f"The file is not UTF-8 text: the byte at offset {offset} (line {line}), 0x{data[offset]:02X}, "
            "is not UTF-8. Save the file as UTF-8 and upload it again."
        ) from None
    if not text.strip():
        raise ReferenceFileError("The file is empty.")
    return text


def size_text(size: int) -> str:
    """Mebibytes to one decimal, rounded up so that a file just over the limit does not read as at it."""
    return f"{math.ceil(size * 10 / (1024 * 1024)) / 10:.1f} MiB"


def _extension(filename: str) -> str:
    name = filename.lower()
    return name[name.rfind(".") :] if "." in name else ""  # "refs.csl.json" ends in ".json" too


def _sniffed(text: str) -> str:
    for name, signature in _SIGNATURES:
        if signature.search(text):
            return name
    raise ReferenceFileError(f"The format of the file was not recognised. {_accepted()}")


def _format(name: str) -> Format:
    if name not in FORMATS:
        raise ReferenceFileError(f"“{name}” is not a format we read or write. {_accepted()}")
    return FORMATS[name]


def _accepted() -> str:
    names = [f"{format.label} ({format.extension})" for format in FORMATS.values()]
    return f"The formats accepted are {', '.join(names[:-1])} and {names[-1]}."
