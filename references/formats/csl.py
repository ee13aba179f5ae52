"""Reference values as CSL-JSON items, the shape citeproc and reference managers share.

CSL has no word for our evidence kinds (a systematic review is an
"article-journal" like any paper), so `kind` travels in `note` as
"kind: systematic_review" and is read back from there; a shortened author list
likewise as "authors: et al." (CSL has no et-al flag, and an author named
"et al." would be a person to every reader). Everything else maps to a
standard CSL variable: persons as `family`/`given`/`suffix`, organisations as
`literal`, editors in `editor`.
"""

import re

from references.formats.names import (
    given_or_initials,
    is_et_al,
    names_of,
    organisation,
    person,
    vancouver_authors,
)

_KIND_NOTE = "kind: "
_ET_AL_NOTE = "authors: et al."
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


# The CSL types a reference is stored as (`Reference.WorkType`), and what other CSL types are to us.
WORK_TYPES = ("article-journal", "book", "chapter", "thesis", "report", "webpage", "document")
_CSL_TYPES = {
    "article": "article-journal",
    "article-magazine": "article-journal",
    "article-newspaper": "article-journal",
    "review": "article-journal",
    "review-book": "article-journal",
    "paper-conference": "chapter",
    "entry-encyclopedia": "chapter",
    "entry-dictionary": "chapter",
    "post-weblog": "webpage",
    "post": "webpage",
    "standard": "report",
    "legislation": "document",
}


def work_type_of_csl(name) -> str | None:
    """The stored type of work a CSL type names, None when it names none we keep apart."""
    name = str(name or "").strip().lower()
    return name if name in WORK_TYPES else _CSL_TYPES.get(name)


def csl_type(values: dict) -> str:
    """The type of work a file said, or else a guess from the details: a journal paper when it has
    journal details, a report for a stand-alone guideline, else a document."""
    if values.get("work_type") in WORK_TYPES:
        return values["work_type"]
    if values.get("volume") or values.get("issue") or values.get("pages"):
        return "article-journal"
    if values.get("kind") == "guideline":
        return "report"
    return "article-journal" if values.get("source") else "document"


def to_csl(values: dict, *, item_id: str) -> dict:
    """One reference (its field values) as a CSL-JSON item with the given id."""
    item = {"id": item_id, "type": csl_type(values), "title": values.get("title", "")}
    names, et_al = names_of(values)
    if names:
        item["author"] = [csl_name(name) for name in names]
    if values.get("editors"):
        item["editor"] = [csl_name(name) for name in values["editors"]]
    if values.get("source"):
        item["container-title"] = values["source"]
        if item["type"] in ("report", "book", "thesis"):
            item["publisher"] = values["source"]
    if values.get("year"):
        item["issued"] = {"date-parts": [[int(values["year"])]]}
    for field, variable in (
        ("volume", "volume"),
        ("issue", "issue"),
        ("pages", "page"),
        ("doi", "DOI"),
        ("pmid", "PMID"),
        ("pmcid", "PMCID"),
        ("url", "URL"),
    ):
        if values.get(field):
            item[variable] = str(values[field])
    notes = [f"{_KIND_NOTE}{values['kind']}"] if values.get("kind") else []
    if et_al:
        notes.append(_ET_AL_NOTE)
    if notes:
        item["note"] = "\n".join(notes)
    return item


def csl_name(name: dict) -> dict:
    """One stored name as a CSL name: family, given (or spaced initials) and suffix, or a literal."""
    if "literal" in name:
        return {"literal": name["literal"]}
    csl = {"family": name["family"]}
    if given := given_or_initials(name, dotted=False):
        csl["given"] = given
    if name.get("suffix"):
        csl["suffix"] = name["suffix"]
    return csl


def from_csl(item: dict) -> dict:
    """Reference field values from a CSL-JSON item; fields the item lacks are left out.

    Raises ValueError with a sentence saying what is wrong when the item is not
    a usable reference (not an object, no title, unreadable year).
    """
    if not isinstance(item, dict):
        raise ValueError("it is not a JSON object.")
    values = {}
    if work_type := work_type_of_csl(item.get("type")):
        values["work_type"] = work_type
    title = item.get("title")
    if isinstance(title, str) and title.strip():
        values["title"] = " ".join(title.split())
    authors = item.get("author")
    names, et_al = [], False
    for name in authors if isinstance(authors, list) else []:
        read = _name(name) if isinstance(name, dict) else None
        if read == "et al.":
            et_al = True
        elif read:
            names.append(read)
    editors = item.get("editor") if isinstance(item.get("editor"), list) else []
    read = [_name(name) if isinstance(name, dict) else None for name in editors]
    if editors := [name for name in read if name and name != "et al."]:  # editors have no "et al." here
        values["editors"] = editors
    source = item.get("container-title") or item.get("publisher")
    if isinstance(source, str) and source.strip():
        values["source"] = " ".join(source.split())
    if (year := _year(item.get("issued"))) is not None:
        values["year"] = year
    for variable, field in (
        ("volume", "volume"),
        ("issue", "issue"),
        ("page", "pages"),
        ("DOI", "doi"),
        ("PMID", "pmid"),
        ("PMCID", "pmcid"),
        ("URL", "url"),
    ):
        value = item.get(variable)
        if isinstance(value, int | str) and str(value).strip():
            values[field] = str(value).strip()
    note = item.get("note")
    if isinstance(note, str):
        for line in note.splitlines():
            if line.startswith(_KIND_NOTE):
                values["kind"] = line[len(_KIND_NOTE) :].strip()
            elif line.strip() == _ET_AL_NOTE:
                et_al = True
    if names or et_al:
        values["author_list"], values["authors_et_al"] = names, et_al
        values["authors"] = vancouver_authors(names, et_al)
    return values


def _name(name: dict) -> dict | str | None:
    """A CSL name as a stored one; "et al." for a literal et al. (the list's flag), None for a blank one."""
    if isinstance(literal := name.get("literal"), str) and literal.strip():
        return "et al." if is_et_al(literal) else organisation(literal)
    family = " ".join(
        str(name.get(part) or "") for part in ("dropping-particle", "non-dropping-particle", "family")
    ).strip()
    if not family:
        return None
    return person(family, str(name.get("given") or ""), suffix=str(name.get("suffix") or ""))


def _year(issued) -> int | None:
    """The year of a CSL date: {"date-parts": [[2013, 4]]}, or {"raw": "2013"}/{"literal": …}."""
    if not isinstance(issued, dict):
        return None
    parts = issued.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        try:
            return int(parts[0][0])
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"its issued date {parts[0]!r} has no readable year.") from None
    for key in ("raw", "literal"):
        text = issued.get(key)
        if isinstance(text, str) and (match := _YEAR.search(text)):
            return int(match.group(1))
    return None
