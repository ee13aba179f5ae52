"""CSL-JSON, the citation data Zotero, Mendeley and citeproc read and write.

The mapping itself is `csl.py`'s; this module reads and writes the file around it.
"""

import json

from references.formats.csl import from_csl, to_csl
from references.formats.records import ParsedEntry, ReferenceFileError, make_entry, text_lines


def parse(text: str) -> list[ParsedEntry]:
    """Read a JSON array of CSL items, or an object whose "items" is one.

    JSON gives no line numbers for the items, so entries have none. Raises
    ReferenceFileError when the text is not JSON (naming where it breaks) or
    not a list of items.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        end = text.rstrip()
        if error.pos >= len(end) or not end.endswith(("]", "}")):
            raise ReferenceFileError(
                f"The file ends at line {len(text_lines(end))} before its JSON is complete: it looks truncated."
            ) from None
        raise ReferenceFileError(
            f"The file is not valid JSON: {error.msg.lower()} (line {error.lineno}, column {error.colno})."
        ) from None
    except RecursionError:
        raise ReferenceFileError("The JSON in the file is nested too deeply to read.") from None
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ReferenceFileError("This is not a CSL-JSON file: it should hold a list of items, as Zotero exports them.")
    return [_entry(number, item) for number, item in enumerate(items, start=1)]


def dump(items: list[tuple[str, dict]]) -> str:
    """Write (key, values) pairs as a CSL-JSON array, the key as each item's id."""
    return json.dumps([to_csl(values, item_id=key) for key, values in items], indent=2, ensure_ascii=False) + "\n"


def _entry(number: int, item) -> ParsedEntry:
    try:
        values = from_csl(item)
    except ValueError as problem:
        return ParsedEntry(number=number, line=None, error=f"cannot be used: {problem}")
    return make_entry(number, None, values, [] if values.get("title") else ["has no title."])
