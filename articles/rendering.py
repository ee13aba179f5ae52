"""Turn an editor's inline Markdown into safe HTML, in time bounded whatever the text.

Claims allow bold, italic and links only. markdown-it runs with raw HTML off,
then nh3 cleans the result against an allowlist, so no stored text can ever
reach a reader as markup we did not intend.

Parsing time grows with the text's length and with how deep brackets and emphasis
may nest, so both are bounded: texts longer than any field allows (revisions frozen
before the limits) are shown as plain escaped text, and nesting stops at
`INLINE_MAX_NESTING` (deeper brackets are shown as typed). See bench/markdown.py.
"""

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from articles.models import CLAIM_MAX_CHARS, INTRO_MAX_CHARS, LEDE_MAX_CHARS

# The longest text rendered as Markdown: the longest field rendered with it (intros, ledes, claims).
INLINE_MAX_CHARS = max(CLAIM_MAX_CHARS, INTRO_MAX_CHARS, LEDE_MAX_CHARS)
# Links inside emphasis inside links...: a claim needs two or three levels. Each level allowed
# costs time on a run of "[" (markdown-it's default of 20 doubles the worst case).
INLINE_MAX_NESTING = 8

_INLINE_MARKDOWN = MarkdownIt("zero", {"html": False, "maxNesting": INLINE_MAX_NESTING}).enable(
    ["emphasis", "link", "escape"]
)
_ALLOWED_TAGS = {"strong", "em", "a"}
_ALLOWED_ATTRIBUTES = {"a": {"href"}}
_ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_inline(text: str) -> SafeString:
    """Return `text` rendered as inline HTML limited to bold, italic and links.

    A text longer than `INLINE_MAX_CHARS` is returned escaped, every word shown, no Markdown applied.
    """
    text = text or ""
    if len(text) > INLINE_MAX_CHARS:
        return escape(text)
    html = _INLINE_MARKDOWN.renderInline(text)
    cleaned = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)
