"""The one shape every reference format reads into and writes from."""

from dataclasses import dataclass, field

# The Reference fields a file can carry. `kind` is set only when the file says what kind
# of evidence an entry is (PubMed's publication types do); otherwise it is left out.
FIELDS = ("kind", "title", "authors", "source", "year", "volume", "issue", "pages", "doi", "pmid", "pmcid", "url")


class ReferenceFileError(ValueError):
    """The file as a whole cannot be read (encoding, truncation, size, syntax); nothing is imported."""


@dataclass
class ParsedEntry:
    """One entry of a file: where it is, what it says, and why it cannot be used if it cannot.

    `position` is for people: "entry 3 (line 41)". `values` holds only fields the
    entry gives, with identifiers as written (normalising is the importer's job),
    `year` as an int and `authors` as a Vancouver list ("Younger J, Noor N").
    """

    number: int
    line: int | None
    values: dict = field(default_factory=dict)
    error: str = ""

    @property
    def position(self) -> str:
        return f"entry {self.number} (line {self.line})" if self.line else f"entry {self.number}"
