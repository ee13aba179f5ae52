"""Editorial pages' Markdown as safe HTML: bounded in size and nesting, rendered once per text."""

import hashlib
import logging

import nh3
from django import template
from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

from reader.models import EDITORIAL_PAGE_MAX_CHARS

register = template.Library()
logger = logging.getLogger(__name__)

# Blocks inside blocks: a list item inside a list counts two levels, so 10 allows lists four deep
# (a quote counts one). Every level allowed adds parsing time on runs of "[" in a paragraph.
BLOCK_MAX_NESTING = 10
# Named by the text's SHA-256, so an entry can never be stale; bump the version when rendering changes.
CACHE_PREFIX = "reader:markdown:v1:"
CACHE_TIMEOUT = 60 * 60 * 24 * 7

_TAGS = {"p", "h2", "h3", "ul", "ol", "li", "strong", "em", "a"}


def _too_deep(state, start_line, end_line, silent):
    """Stop at the nesting limit and say so, where markdown-it would drop the rest of the text unseen."""
    if state.level < BLOCK_MAX_NESTING:
        return False
    state.env["too_deep"] = True
    state.line = end_line
    return True


# markdown-it's own limit (one above ours) is never reached: `_too_deep`, tried first, stops there.
_BLOCK_MARKDOWN = MarkdownIt("commonmark", {"html": False, "maxNesting": BLOCK_MAX_NESTING + 1})
_BLOCK_MARKDOWN.block.ruler.before("table", "too_deep", _too_deep)


@register.filter
def block_markdown(text):
    """Render an editorial page's Markdown (paragraphs, headings, lists, emphasis, links) as safe HTML.

    The HTML of each text is kept in the cache, so a page is rendered once per change. A text
    longer than the page limit, or nested deeper than `BLOCK_MAX_NESTING`, is shown as plain
    escaped paragraphs: every word, no Markdown, and a warning in the log.
    """
    text = text or ""
    key = CACHE_PREFIX + hashlib.sha256(text.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = _render_block(text)
        cache.set(key, html, CACHE_TIMEOUT)
    return mark_safe(html)  # cleaned by nh3's allowlist in _render_block


def _render_block(text: str) -> str:
    env = {}
    if len(text) > EDITORIAL_PAGE_MAX_CHARS:
        logger.warning("Markdown of %s characters shown as plain text (limit %s).", len(text), EDITORIAL_PAGE_MAX_CHARS)
        html = _plain_paragraphs(text)
    else:
        html = _BLOCK_MARKDOWN.render(text, env)
        if env.get("too_deep"):
            logger.warning("Markdown nested deeper than %s levels shown as plain text.", BLOCK_MAX_NESTING)
            html = _plain_paragraphs(text)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def _plain_paragraphs(text: str) -> str:
    paragraphs = (paragraph.strip() for paragraph in text.replace("\r\n", "\n").split("\n\n"))
    return "".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs if paragraph)
