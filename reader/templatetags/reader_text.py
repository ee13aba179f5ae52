import nh3
from django import template
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

register = template.Library()

_BLOCK_MARKDOWN = MarkdownIt("commonmark", {"html": False})
_TAGS = {"p", "h2", "h3", "ul", "ol", "li", "strong", "em", "a"}


@register.filter
def block_markdown(text):
    """Render an editorial page's Markdown (paragraphs, headings, lists, emphasis, links) as safe HTML."""
    html = _BLOCK_MARKDOWN.render(text or "")
    cleaned = nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)  # cleaned by nh3's allowlist just above
