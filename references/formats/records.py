"""The one shape every reference format reads into and writes from."""

import re
from dataclasses import dataclass, field

from references.formats.names import vancouver_authors

# The Reference fields a file can carry. `kind` is set only when the file says what kind
# of evidence an entry is (PubMed's publication types do); otherwise it is left out.
# `authors` is always the Vancouver string of `author_list` and `authors_et_al`.
FIELDS = (
    "kind",
    "work_type",
    "title",
    "authors",
    "author_list",
    "authors_et_al",
    "editors",
    "source",
    "year",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "url",
)

_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")


class ReferenceFileError(ValueError):
    """The file as a whole cannot be read (encoding, truncation, size, syntax); nothing is imported."""


@dataclass
class ParsedEntry:
    """One entry of a file: where it is, what it says, and why it cannot be used if it cannot.

    `position` is for people: "entry 3 (line 41)". `values` holds only fields the
    entry gives, with identifiers as written (normalising is the importer's job),
    `year` as an int, `author_list` as stored names (see `names.py`) with
    `authors_et_al` when the list is shortened, `authors` as their
    Vancouver string ("Younger J, Noor N, et al."), and `editors` as stored names.
    `error` is blank for a usable entry, else a sentence that reads after the
    position: "has no title (TI or T1)." ("Entry 3 (line 41) has no title (TI or T1).").
    """

    number: int
    line: int | None
    values: dict = field(default_factory=dict)
    error: str = ""
    # Problems in fields the reference does not need: the entry is still used, the field
    # dropped or kept as given, and each sentence shown with the entry ("has …; it is left out.").
    warnings: list[str] = field(default_factory=list)

    @property
    def position(self) -> str:
        return f"entry {self.number} (line {self.line})" if self.line else f"entry {self.number}"


def clean(text) -> str:
    """Text as stored: stripped, with every run of whitespace (newlines, tabs) one space."""
    return " ".join(str(text).split())


def text_lines(text: str) -> list[str]:
    """The lines of a file whatever its line endings (Windows, Unix, old Mac), numbered as editors number them.

    Not `str.splitlines()`, which also breaks at form feeds and Unicode separators
    that can sit inside a value.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def read_year(*dates: str) -> int | None:
    """The year of the first date that has one, as files write dates: "2014", "2014 Apr", "2014/04/01/".

    None when every date is blank. Raises ValueError with the entry's problem
    when dates are given but none has a four-digit year.
    """
    dates = [clean(date) for date in dates if date and clean(date)]
    for date in dates:
        if match := _YEAR.search(date):
            return int(match.group())
    if dates:
        raise ValueError(f"has a year “{dates[0]}” that is not a number.")
    return None


def make_entry(
    number: int, line: int | None, values: dict, problems: list[str], warnings: list[str] | None = None
) -> ParsedEntry:
    """An entry whose values are tidied (known fields only, whitespace collapsed, blanks left out).

    Several problems become one sentence: "has no title (TI or T1) and has a year “x” that is not a number."
    """
    tidy = {}
    names, et_al = values.get("author_list") or [], bool(values.get("authors_et_al"))
    values = {**values, "author_list": names, "authors_et_al": et_al, "authors": vancouver_authors(names, et_al)}
    for name in FIELDS:
        value = values.get(name)
        if isinstance(value, str):
            value = clean(value)
        if value not in (None, "", [], False):
            tidy[name] = value
    error = " and ".join(problem.rstrip(".") for problem in problems) + "." if problems else ""
    return ParsedEntry(number=number, line=line, values=tidy, error=error, warnings=list(warnings or []))
