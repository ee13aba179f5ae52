"""Reference values as CSL-JSON items, the shape citeproc and reference managers share.

CSL has no word for our evidence kinds (a systematic review is an
"article-journal" like any paper), so `kind` travels in `note` as
"kind: systematic_review" and is read back from there; everything else maps to
a standard CSL variable.
"""

import re

from references.formats.names import join_authors, split_authors, vancouver

_KIND_NOTE = "kind: "
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def csl_type(values: dict) -> str:
    """A journal paper when it has journal details, a report for a stand-alone guideline, else a document."""
    if values.get("volume") or values.get("issue") or values.get("pages"):
        return "article-journal"
    if values.get("kind") == "guideline":
        return "report"
    return "article-journal" if values.get("source") else "document"


def to_csl(values: dict, *, item_id: str) -> dict:
    """One reference (its field values) as a CSL-JSON item with the given id."""
    item = {"id": item_id, "type": csl_type(values), "title": values.get("title", "")}
    if authors := split_authors(values.get("authors", "")):
        item["author"] = authors
    if values.get("source"):
        item["container-title"] = values["source"]
        if item["type"] == "report":
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
    if values.get("kind"):
        item["note"] = f"{_KIND_NOTE}{values['kind']}"
    return item


def from_csl(item: dict) -> dict:
    """Reference field values from a CSL-JSON item; fields the item lacks are left out.

    Raises ValueError with a sentence saying what is wrong when the item is not
    a usable reference (not an object, no title, unreadable year).
    """
    if not isinstance(item, dict):
        raise ValueError("it is not a JSON object.")
    values = {}
    title = item.get("title")
    if isinstance(title, str) and title.strip():
        values["title"] = " ".join(title.split())
    authors = item.get("author")
    names = [_name(name) for name in authors if isinstance(name, dict)] if isinstance(authors, list) else []
    if names := [name for name in names if name]:
        values["authors"] = join_authors(names)
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
    return values


def _name(name: dict) -> str:
    if name.get("literal"):
        return " ".join(str(name["literal"]).split())
    return vancouver(str(name.get("family") or ""), str(name.get("given") or ""))


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
