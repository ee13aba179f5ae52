"""RIS, the tagged format most reference managers and publishers export ("TY  - JOUR" … "ER  - ").

We find the entries ourselves, so that each knows its number and first line and
a file cut off inside an entry is refused, and let rispy read the tags of each.
Identifiers are passed on as written; the importer normalises them.
"""

import re

import rispy

from references.formats.csl import csl_type
from references.formats.kinds import PUBLICATION_TYPES, kind_from_notes, kind_from_publication_types, kind_note
from references.formats.names import given_or_initials, names_from_display, names_of
from references.formats.records import ParsedEntry, ReferenceFileError, make_entry, read_year, text_lines

# Two letters (or a letter and a digit), two spaces, a hyphen and a space: "TY  - JOUR".
# The space after the hyphen is often trimmed from an empty "ER  -".
_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
# Some exporters write one space before the hyphen ("TY - JOUR"); a file whose entries start so
# is read with this looser pattern (only such files: in others, "US - based" may continue a line).
_LOOSE_TAG = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*))?$")
_LOOSE_START = re.compile(r"^TY -", re.MULTILINE)
_DOI_LINK = re.compile(r"^https?://(?:dx\.|www\.)?doi\.org/", re.IGNORECASE)
_PUBMED_LINK = re.compile(
    r"^https?://(?:www\.)?(?:pubmed\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov/pubmed)/(\d+)/?$", re.IGNORECASE
)
_PMC_LINK = re.compile(
    r"^https?://(?:(?:www\.)?ncbi\.nlm\.nih\.gov/pmc|pmc\.ncbi\.nlm\.nih\.gov)/articles/(PMC\d+)/?$", re.IGNORECASE
)
_PMCID = re.compile(r"^PMC\d+$", re.IGNORECASE)
_PAGE_RANGE = re.compile(r"^(\w+)-(\w+)$")

# Where rispy puts the tags we read, in order of preference.
_TITLES = ("title", "primary_title")  # TI, T1
# T2, JF, JO, JA, J2 name the journal (or the book of a chapter); PB, the publisher, is the
# issuing body of a report or guideline that has no journal.
_SOURCES = ("secondary_title", "alternate_title3", "journal_name", "alternate_title2", "alternate_title1", "publisher")
_DATES = ("year", "publication_year", "date")  # PY, Y1, DA
# The RIS type of what we write, by the CSL type that one rule (csl_type) gives each reference.
_REFERENCE_TYPES = {
    "article-journal": "JOUR",
    "book": "BOOK",
    "chapter": "CHAP",
    "thesis": "THES",
    "report": "RPRT",
    "webpage": "ELEC",
    "document": "GEN",
}
# And the type of work each RIS type is, for the ones we keep apart (GEN and the rest say nothing).
_WORK_TYPES = {
    **{tag: work_type for work_type, tag in _REFERENCE_TYPES.items() if tag != "GEN"},
    **dict.fromkeys(("JFULL", "ABST", "INPR", "EJOUR", "MGZN", "NEWS", "SER"), "article-journal"),
    **dict.fromkeys(("EBOOK", "EDBOOK", "CLSWK"), "book"),
    **dict.fromkeys(("ECHAP", "CONF", "CPAPER", "DICT", "ENCYC"), "chapter"),
    **dict.fromkeys(("GOVDOC", "STAND"), "report"),
    **dict.fromkeys(("WEB", "BLOG"), "webpage"),
}


# rispy's tags, and two it does not know, kept under names of our own: L3, where EBSCO writes the
# DOI ("related records" to others), and ED, the editor tag of the older RIS specification.
_PARSER = rispy.RisParser(
    mapping={**rispy.TAG_KEY_MAPPING, "L3": "doi_links", "ED": "editors"},
    list_tags=[*rispy.LIST_TYPE_TAGS, "L3", "ED"],
    skip_unknown_tags=True,
)
_BARE_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


class _Writer(rispy.RisWriter):
    """rispy's writer without its "1." line before each entry, which is not RIS, or blank lines between entries."""

    SEPARATOR = None

    def set_header(self, count):
        return ""


def parse(text: str) -> list[ParsedEntry]:
    """Read every entry of a RIS file.

    Raises ReferenceFileError when the text has no "TY  -" line (it is not RIS)
    or ends inside an entry (it is truncated).
    """
    entries = []
    start, body = None, []
    tag_pattern = _LOOSE_TAG if _LOOSE_START.search(text) and not re.search(r"^TY  -", text, re.MULTILINE) else _TAG
    for number, line in enumerate(text_lines(text), start=1):
        match = tag_pattern.match(line)
        tag = match.group(1) if match else None
        if tag == "TY":
            if start is not None:
                entries.append(_unended(len(entries) + 1, start, number))
            start, body = number, []
        if start is None:
            continue  # text between entries: blank lines, headers such as "1."
        # Canonical tag lines, and continuation lines indented so that rispy never takes one for a tag.
        body.append(f"{tag}  - {match.group(2) or ''}" if match else f"      {line}")
        if tag == "ER":
            entries.append(_entry(len(entries) + 1, start, body))
            start = None
    if start is not None:
        raise ReferenceFileError(f"The file ends inside entry {len(entries) + 1} (line {start}): it looks truncated.")
    if not entries:
        raise ReferenceFileError("This is not a RIS file: no entry starts with “TY  -”.")
    return entries


def dump(items: list[tuple[str, dict]]) -> str:
    """Write (key, values) pairs as RIS, the key in each entry's ID tag."""
    return rispy.dumps([_record(key, values) for key, values in items], implementation=_Writer)


def _unended(number: int, start: int, next_start: int) -> ParsedEntry:
    return ParsedEntry(
        number=number, line=start, error=f"has no end (“ER  -”) before the next entry starts on line {next_start}."
    )


def _entry(number: int, line: int, body: list[str]) -> ParsedEntry:
    (record,) = _PARSER.parse_lines(iter(body))
    values, problems, warnings = {}, [], []
    values["work_type"] = _WORK_TYPES.get(record.get("type_of_reference", "").strip().upper())
    values["title"] = _first(record, _TITLES)
    if not values["title"] and (short := record.get("short_title", "").strip()):
        values["title"] = short
        warnings.append("has no title (TI or T1); its short title (ST) is used.")
    if not values["title"]:
        problems.append("has no title (TI or T1).")
    # AU and A1 are the same thing; exporters that write both repeat the names.
    names = record.get("authors") or record.get("first_authors") or []
    values["author_list"], values["authors_et_al"] = names_from_display(names)
    # A2, the secondary author, is the editor of a book or of the book a chapter is in (the RIS
    # specification's tag, which Zotero and EndNote write); ED is the older tag. A3 is a series editor.
    values["editors"], _ = names_from_display(record.get("editors") or record.get("secondary_authors") or [])
    values["source"] = _first(record, _SOURCES)
    try:
        values["year"] = read_year(*(record.get(tag, "") for tag in _DATES))
    except ValueError as problem:
        problems.append(str(problem))
    values["volume"] = record.get("volume")
    values["issue"] = record.get("number")
    # C7 is the article number of an online-only paper, which stands in for its pages.
    values["pages"] = _pages(record.get("start_page", ""), record.get("end_page", "")) or record.get("custom7")
    # M1 is left alone: exporters use it for anything from an issue number to an e-publication date.
    links = [url.strip() for url in record.get("urls", []) if url.strip()]
    # EBSCO puts the DOI in L3, bare or as a link.
    candidates = [*links, *(value.strip() for value in record.get("doi_links", []))]
    values["doi"] = record.get("doi") or next(
        (value for value in candidates if _DOI_LINK.match(value) or _BARE_DOI.match(value)), None
    )
    # AN, the accession number, is the PMID in exports of PubMed records; other databases' (WOS:…) are not digits.
    accession = record.get("accession_number", "").strip()
    values["pmid"] = accession if accession.isdigit() else _link(links, _PUBMED_LINK)
    custom2 = record.get("custom2", "").strip()  # EndNote's PubMed import puts the PMCID there
    values["pmcid"] = custom2 if _PMCID.match(custom2) else _link(links, _PMC_LINK)
    values["url"] = next((url for url in links if not _is_identifier_link(url)), None)
    values["kind"] = kind_from_notes(record.get("notes", [])) or kind_from_publication_types(
        record.get("type_of_work", "").split(";")
    )
    return make_entry(number, line, values, problems, warnings)


def _first(record: dict, names: tuple[str, ...]) -> str:
    return next((record[name] for name in names if record.get(name, "").strip()), "")


def _pages(start: str, end: str) -> str:
    start, end = start.strip(), end.strip()
    return f"{start}-{end}" if start and end and end != start and "-" not in start else start


def _link(links: list[str], pattern: re.Pattern) -> str | None:
    return next((match.group(1) for url in links if (match := pattern.match(url))), None)


def _is_identifier_link(url: str) -> bool:
    return any(pattern.match(url) for pattern in (_DOI_LINK, _PUBMED_LINK, _PMC_LINK))


def _record(key: str, values: dict) -> dict:
    """One entry as rispy's named tags, in the order reference managers write them."""
    reference_type = _REFERENCE_TYPES[csl_type(values)]
    record = {"type_of_reference": reference_type, "id": key, "title": values.get("title", "")}
    if names := [_display_name(name) for name in names_of(values)[0]]:
        record["authors"] = names  # RIS has no "et al.": a shortened list is written as far as it goes
    if editors := [_display_name(name) for name in values.get("editors", [])]:
        record["secondary_authors"] = editors  # A2, the specification's editor tag
    if values.get("source"):
        record["publisher" if reference_type in ("RPRT", "BOOK", "THES") else "secondary_title"] = values["source"]
    for field, tag in (("year", "year"), ("volume", "volume"), ("issue", "number")):
        if values.get(field):
            record[tag] = str(values[field])
    if pages := values.get("pages"):
        match = _PAGE_RANGE.match(pages)
        if match and match.group(1) != match.group(2):  # "451-451" stays whole: SP = EP reads as one page
            record["start_page"], record["end_page"] = match.groups()
        else:
            record["start_page"] = pages
    for field, tag in (("doi", "doi"), ("pmid", "accession_number"), ("pmcid", "custom2")):
        if values.get(field):
            record[tag] = values[field]
    if values.get("url"):
        record["urls"] = [values["url"]]
    if values.get("kind") in PUBLICATION_TYPES:
        record["type_of_work"] = PUBLICATION_TYPES[values["kind"]]
    if note := kind_note(values.get("kind")):
        record["notes"] = [note]  # N1: the kind exactly, "other" included, which no M3 type names
    return record


def _display_name(name: dict) -> str:
    """'Younger, Jarred W' or 'Younger, J. W.' (', Jr' after) for a person; an organisation with a
    trailing comma, EndNote's way, so that it is read back whole."""
    if "literal" in name:
        return f"{name['literal']},"
    display = f"{name['family']}, {given_or_initials(name)}".rstrip(", ")
    return f"{display}, {name['suffix']}" if name.get("suffix") else display
