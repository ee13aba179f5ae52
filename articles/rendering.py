"""Turn an editor's inline Markdown into safe HTML.

Claims allow bold, italic and links only. markdown-it runs with raw HTML off,
then nh3 cleans the result against an allowlist, so no stored text can ever
reach a reader as markup we did not intend.
"""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_INLINE_MARKDOWN = MarkdownIt("zero", {"html": False}).enable(["emphasis", "link", "escape"])
_ALLOWED_TAGS = {"strong", "em", "a"}
_ALLOWED_ATTRIBUTES = {"a": {"href"}}
_ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_inline(text: str) -> SafeString:
    """Return `text` rendered as inline HTML limited to bold, italic and links."""
    html = _INLINE_MARKDOWN.renderInline(text or "")
    cleaned = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)
