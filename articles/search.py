"""What full-text search reads of an article document: its words without markup, weighted by where they stand."""

import re
from html import unescape

from django.contrib.postgres.search import SearchVector
from django.utils.html import strip_tags

from articles.rendering import render_inline

# What inline Markdown can act on (`articles.rendering`: emphasis, links and escapes; markdown-it also normalises
# line ends and NULs). A text with none of these is its own plain text.
MARKUP_CHARACTERS = re.compile(r"[*_\[\\\r\0]")


def plain_text(markdown: str) -> str:
    """The words of an inline-Markdown text, without markup.

    Most claims have no markup at all: they skip the Markdown pass (a test
    holds the shortcut to the full pass's answer for any text).
    """
    if not MARKUP_CHARACTERS.search(markdown):
        return markdown
    return unescape(strip_tags(render_inline(markdown)))


def document_text(content: dict) -> str:
    """All the words readers read in an article document's sections, as one plain text for search."""
    parts = []
    for section in content["sections"]:
        parts += [section["heading"], plain_text(section["intro"])]
        for claim in section["claims"]:
            parts += [claim["lead_in"], plain_text(claim["text"]), plain_text(claim["plain_text"])]
    return "\n".join(part for part in parts if part)


def weighted_search_vector(question, title, lede, plain_lede, specialty, body) -> SearchVector:
    """PostgreSQL's search vector of an article's words: question and title weigh most, then ledes, then claims.

    Each argument is a column name or an expression (a `Value` for words not
    stored in a column yet), so the reader's index and a revision's stored
    search text weigh words the same way.
    """
    return (
        SearchVector(question, title, weight="A", config="english")
        + SearchVector(lede, plain_lede, specialty, weight="B", config="english")
        + SearchVector(body, weight="C", config="english")
    )
