"""PubMed's MEDLINE format (.nbib, or "Save as MEDLINE" .txt), read and written by us.

A record is a run of lines separated from the next by a blank line. Each line
is a tag padded to four characters, "- " and a value ("PMID- 24526250",
"TI  - The use of …"); a line starting with spaces continues the one before.
No library reads it as we need, and it is simple enough not to need one.
"""

import re

from references.formats.kinds import PUBLICATION_TYPES, kind_from_notes, kind_from_publication_types, kind_note
from references.formats.names import ET_AL, name_from_display, names_of, organisation, person
from references.formats.records import ParsedEntry, ReferenceFileError, make_entry, read_year, text_lines

# A letter, then up to three letters or digits, padded with spaces so that the hyphen is the fifth character.
_TAG = re.compile(r"^(?=.{4}-)([A-Z][A-Z0-9]{1,3}) *-(?: (.*))?$")
_DOI = re.compile(r"^(.*?)\s*\[doi\]$")
# Where the source of a work that is not a journal paper goes: a chapter's book, else its publisher.
_SOURCE_TAGS = {"chapter": "BTI", "book": "PB", "thesis": "PB", "report": "PB", "webpage": "PB", "document": "PB"}
_NAME_TAGS = {"FAU", "AU", "CN", "FED", "ED"}
_ORCID = re.compile(r"^ORCID:\s*(?:https?://orcid\.org/)?(\S+)$", re.IGNORECASE)


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
    """Write (key, values) pairs as MEDLINE records; MEDLINE has no place for the key.

    Two tags are ours, as PubMed does not write them: `UR` for the URL (Ovid's
    tag for it) and a general note `GN  - kind: …` with the evidence kind.
    """
    return "\n".join(_record(values) for _key, values in items)


def _entry(number: int, line: int, fields: list[list[str]]) -> ParsedEntry:
    tags = {}
    for tag, value in fields:
        tags.setdefault(tag, []).append(value.strip())
    first = {tag: next((value for value in values if value), "") for tag, values in tags.items()}
    values, problems = {}, []
    values["pmid"] = first.get("PMID")
    values["title"] = first.get("TI") or first.get("BTI")  # BTI: the title of a book, such as a guideline on Bookshelf
    values["work_type"] = _work_type(first)
    if not values["pmid"] and not values["title"]:
        problems.append("has neither a PMID nor a title (TI).")
    values["author_list"], values["authors_et_al"] = _names(fields)
    values["editors"], _ = _names(fields, full="FED", short="ED", group=None)  # a Bookshelf book's editors
    chapter_of = first.get("BTI") if first.get("TI") else ""  # a chapter's source is its book
    values["source"] = first.get("JT") or first.get("TA") or chapter_of or first.get("PB")
    try:
        values["year"] = read_year(first.get("DP", ""))
    except ValueError as problem:
        problems.append(str(problem))
    values["volume"], values["issue"], values["pages"] = first.get("VI"), first.get("IP"), first.get("PG")
    identifiers = tags.get("LID", []) + tags.get("AID", [])  # "10.1007/… [doi]"; "[pii]" is the publisher's own
    values["doi"] = next((match.group(1) for value in identifiers if (match := _DOI.match(value))), None)
    values["pmcid"] = first.get("PMC")
    values["url"] = first.get("UR")
    values["kind"] = kind_from_notes(tags.get("GN", [])) or kind_from_publication_types(tags.get("PT", []))
    return make_entry(number, line, values, problems)


def _names(
    fields: list[list[str]], *, full: str = "FAU", short: str = "AU", group: str | None = "CN"
) -> tuple[list[dict], bool]:
    """The authors in order: FAU ("Younger, Jarred W") with the AU after it ("Younger JW") giving its
    exact initials, an AU alone, CN (a group author) whole, and AUID's ORCID on the name before it.

    The editors of a book on the Bookshelf are read the same way from FED and ED (no group tag).
    """
    names, et_al, open_full, ours = [], False, False, False
    for tag, value in fields:
        value = value.strip()
        if not value:
            continue
        if tag in _NAME_TAGS:
            ours = tag in (full, short, group)  # an AUID belongs to the name just before it, author or editor
            open_full = open_full and ours
        if tag == group:
            if value.lower().rstrip(".") == "et al":
                et_al = True
            else:
                names.append(organisation(value))
            open_full = False
        elif tag in (full, short):
            name = name_from_display(value)
            if name == ET_AL:
                et_al, open_full = True, False
            elif tag == short and open_full and "family" in names[-1] and name and "family" in name:
                names[-1] = person(
                    names[-1]["family"],
                    names[-1].get("given", ""),
                    initials=name.get("initials", ""),
                    suffix=names[-1].get("suffix") or name.get("suffix", ""),
                    orcid=names[-1].get("orcid", ""),
                )
                open_full = False
            elif name:
                names.append(name)
                open_full = tag == full
        elif tag == "AUID" and ours and names and "family" in names[-1] and (match := _ORCID.match(value)):
            names[-1] = {**names[-1], "orcid": match.group(1)}
    return names, et_al


def _name_lines(names: list[dict], *, full: str, short: str) -> list[tuple[str, str]]:
    """Each person as a full name (when the given names are known) and as family name and initials,
    with an ORCID after; an organisation whole, as a group author (CN) or, for editors, as a name."""
    lines = []
    for name in names:
        if "literal" in name:
            # A group author (CN); an organisation editing a book, with EndNote's trailing comma that keeps it whole.
            lines.append(("CN", name["literal"]) if full == "FAU" else (full, f"{name['literal']},"))
            continue
        suffix = f" {name['suffix']}" if name.get("suffix") else ""
        if name.get("given"):
            lines.append((full, f"{name['family']}, {name['given']}{suffix}"))
        lines.append((short, f"{name['family']} {name.get('initials', '')}".strip() + suffix))
        if name.get("orcid"):
            lines.append(("AUID", f"ORCID: {name['orcid']}"))
    return lines


def _work_type(first: dict) -> str | None:
    """A journal paper when it names a journal; on the Bookshelf, a book (BTI alone) or a chapter of one
    (TI, and BTI for its book). Nothing else has a tag of its own."""
    if first.get("JT") or first.get("TA"):
        return "article-journal"
    if first.get("BTI"):
        return "chapter" if first.get("TI") else "book"
    return None


def _record(values: dict) -> str:
    lines = []
    if values.get("pmid"):
        lines.append(("PMID", values["pmid"]))
    work_type = values.get("work_type")
    lines.append(("BTI" if work_type == "book" else "TI", values.get("title", "")))
    # MEDLINE has no "et al.": a shortened list is written as far as it goes.
    lines += _name_lines(names_of(values)[0], full="FAU", short="AU")
    lines += _name_lines(values.get("editors", []), full="FED", short="ED")
    if values.get("kind") in PUBLICATION_TYPES:
        lines.append(("PT", PUBLICATION_TYPES[values["kind"]]))
    source_tag = _SOURCE_TAGS.get(work_type, "JT")
    for field, tag in (("source", source_tag), ("year", "DP"), ("volume", "VI"), ("issue", "IP"), ("pages", "PG")):
        if values.get(field):
            lines.append((tag, str(values[field])))
    if values.get("doi"):
        lines.append(("LID", f"{values['doi']} [doi]"))
    if values.get("pmcid"):
        lines.append(("PMC", values["pmcid"]))
    if values.get("url"):
        lines.append(("UR", values["url"]))
    if note := kind_note(values.get("kind")):
        lines.append(("GN", note))
    return "".join(f"{tag:<4}- {value}\n" for tag, value in lines)
