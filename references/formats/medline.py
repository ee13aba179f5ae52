"""PubMed's MEDLINE format (.nbib, or "Save as MEDLINE" .txt), read and written by us.

A record is a run of lines separated from the next by a blank line. Each line
is a tag padded to four characters, "- " and a value ("PMID- 24526250",
"TI  - The use of …"); a line starting with spaces continues the one before.
No library reads it as we need, and it is simple enough not to need one.
"""

import re

from references.formats.kinds import PUBLICATION_TYPES, kind_from_publication_types
from references.formats.names import join_authors, split_authors, vancouver_from_display
from references.formats.records import ParsedEntry, ReferenceFileError, make_entry, read_year, text_lines

# A letter, then up to three letters or digits, padded with spaces so that the hyphen is the fifth character.
_TAG = re.compile(r"^(?=.{4}-)([A-Z][A-Z0-9]{1,3}) *-(?: (.*))?$")
_DOI = re.compile(r"^(.*?)\s*\[doi\]$")


def parse(text: str) -> list[ParsedEntry]:
    """Read every record of a MEDLINE file.

    Raises ReferenceFileError when no line carries a MEDLINE tag. A file cut
    off at the end cannot be told from a complete one: MEDLINE has no end tag.
    """
    records, fields, start = [], [], None
    for number, line in enumerate([*text_lines(text), ""], start=1):
        if not line.strip():
            if fields:
                records.append((start, fields))
            fields, start = [], None
        elif match := _TAG.match(line):
            fields.append([match.group(1), match.group(2) or ""])
            start = start or number
        elif fields:
            fields[-1][1] += " " + line.strip()  # a continuation line
    if not records:
        raise ReferenceFileError(
            "This is not a PubMed MEDLINE file: no line starts with a tag such as “PMID- ” or “TI  - ”."
        )
    return [_entry(number, line, fields) for number, (line, fields) in enumerate(records, start=1)]


def dump(items: list[tuple[str, dict]]) -> str:
    """Write (key, values) pairs as MEDLINE records; MEDLINE has no place for the key or a URL."""
    return "\n".join(_record(values) for _key, values in items)


def _entry(number: int, line: int, fields: list[list[str]]) -> ParsedEntry:
    tags = {}
    for tag, value in fields:
        tags.setdefault(tag, []).append(value.strip())
    first = {tag: next((value for value in values if value), "") for tag, values in tags.items()}
    values, problems = {}, []
    values["pmid"] = first.get("PMID")
    values["title"] = first.get("TI") or first.get("BTI")  # BTI: the title of a book, such as a guideline on Bookshelf
    if not values["pmid"] and not values["title"]:
        problems.append("has neither a PMID nor a title (TI).")
    # FAU ("Younger, Jarred") is fuller than AU ("Younger J"); CN, a group author, sits among them in order.
    person = "FAU" if "FAU" in tags else "AU"
    values["authors"] = join_authors(
        [vancouver_from_display(value) if tag == person else value for tag, value in fields if tag in (person, "CN")]
    )
    values["source"] = first.get("JT") or first.get("TA") or first.get("PB")
    try:
        values["year"] = read_year(first.get("DP", ""))
    except ValueError as problem:
        problems.append(str(problem))
    values["volume"], values["issue"], values["pages"] = first.get("VI"), first.get("IP"), first.get("PG")
    identifiers = tags.get("LID", []) + tags.get("AID", [])  # "10.1007/… [doi]"; "[pii]" is the publisher's own
    values["doi"] = next((match.group(1) for value in identifiers if (match := _DOI.match(value))), None)
    values["pmcid"] = first.get("PMC")
    values["kind"] = kind_from_publication_types(tags.get("PT", []))
    return make_entry(number, line, values, problems)


def _record(values: dict) -> str:
    lines = []
    if values.get("pmid"):
        lines.append(("PMID", values["pmid"]))
    lines.append(("TI", values.get("title", "")))
    for name in split_authors(values.get("authors", "")):
        if "literal" in name:
            lines.append(("CN", name["literal"]))  # a group author
        else:
            lines.append(("AU", f"{name['family']} {name['given'].replace(' ', '')}"))  # initials only, so not FAU
    if values.get("kind") in PUBLICATION_TYPES:
        lines.append(("PT", PUBLICATION_TYPES[values["kind"]]))
    for field, tag in (("source", "JT"), ("year", "DP"), ("volume", "VI"), ("issue", "IP"), ("pages", "PG")):
        if values.get(field):
            lines.append((tag, str(values[field])))
    if values.get("doi"):
        lines.append(("LID", f"{values['doi']} [doi]"))
    if values.get("pmcid"):
        lines.append(("PMC", values["pmcid"]))
    return "".join(f"{tag:<4}- {value}\n" for tag, value in lines)
