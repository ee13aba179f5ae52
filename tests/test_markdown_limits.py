"""Markdown is rendered within limits of size and nesting, never loses words, never shows raw HTML."""

import hashlib

import pytest
from django.core.cache import cache
from django.urls import reverse

from articles.rendering import INLINE_MAX_CHARS, INLINE_MAX_NESTING, render_inline
from reader.models import EDITORIAL_PAGE_MAX_CHARS
from reader.templatetags.reader_text import BLOCK_MAX_NESTING, CACHE_PREFIX, block_markdown
from tests.page_helpers import page_approved


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def _nested_list(depth: int) -> str:
    return "".join("  " * level + f"- level {level + 1}\n" for level in range(depth)) + "\nAfter the list."


# Inline Markdown (claims, ledes, intros)


def test_inline_text_at_the_limit_is_rendered():
    text = "**bold** " + "a" * (INLINE_MAX_CHARS - 9)
    assert render_inline(text).startswith("<strong>bold</strong> aaa")


def test_inline_text_past_the_limit_is_shown_escaped_whole_without_markdown():
    text = "**bold** <b>raw</b> " + "a" * INLINE_MAX_CHARS
    assert render_inline(text) == "**bold** &lt;b&gt;raw&lt;/b&gt; " + "a" * INLINE_MAX_CHARS


def test_inline_brackets_deeper_than_the_nesting_limit_are_shown_as_typed():
    text = "[" * (INLINE_MAX_NESTING * 3) + "dose](https://example.org) <script>"
    assert render_inline(text) == "[" * (INLINE_MAX_NESTING * 3 - 1) + (
        '<a href="https://example.org" rel="noopener noreferrer nofollow">dose</a> &lt;script&gt;'
    )


def test_inline_links_inside_emphasis_within_the_nesting_limit_are_rendered():
    html = render_inline("**see *[the trial](https://example.org)***")
    assert html == (
        '<strong>see <em><a href="https://example.org" rel="noopener noreferrer nofollow">the trial</a></em></strong>'
    )


# Block Markdown (editorial pages)


def test_block_lists_four_deep_are_rendered_as_lists():
    html = block_markdown(_nested_list(4))
    assert html.count("<ul>") == 4 and "<li>level 4</li>" in html and "<p>After the list.</p>" in html


@pytest.mark.parametrize(
    "text",
    [_nested_list(5), "> " * (BLOCK_MAX_NESTING + 2) + "quoted\n\nAfter the list.", "- " * 50 + "x\n\nAfter the list."],
)
def test_block_nested_past_the_limit_is_shown_as_plain_paragraphs_with_every_word(text):
    html = block_markdown(text)
    assert "<ul>" not in html
    assert html.endswith("<p>After the list.</p>")
    assert text.split("\n\n")[0].replace(">", "&gt;") in html


def test_block_text_past_the_page_limit_is_shown_as_plain_paragraphs():
    text = "## Heading\n\n" + "word " * (EDITORIAL_PAGE_MAX_CHARS // 5)
    html = block_markdown(text)
    assert html.startswith("<p>## Heading</p><p>word word")
    assert "<h2>" not in html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<div onclick='x()'>raw</div>",
        "[click](javascript:alert(1))",
        "> " * 30 + "<script>alert(1)</script>",
        "<b>raw</b>\n" * (EDITORIAL_PAGE_MAX_CHARS // 10),
    ],
)
def test_block_never_shows_raw_html(text):
    html = block_markdown(text)
    assert "<script" not in html and "<div" not in html and "<b>" not in html and "href" not in html


def test_block_html_is_rendered_once_per_text_and_kept_in_the_cache():
    text = "## Our policy\n\nWe *check* every claim."
    key = CACHE_PREFIX + hashlib.sha256(text.encode()).hexdigest()
    html = block_markdown(text)
    assert cache.get(key) == html == "<h2>Our policy</h2>\n<p>We <em>check</em> every claim.</p>\n"
    cache.set(key, "<p>served from the cache</p>")
    assert block_markdown(text) == "<p>served from the cache</p>"
    assert block_markdown(text + " Changed.") == "<h2>Our policy</h2>\n<p>We <em>check</em> every claim. Changed.</p>\n"


@pytest.mark.django_db
def test_editorial_policy_page_shows_an_approved_version_at_once(client, editor, managing_editor):
    page_approved("editorial-policy", editor=editor, managing_editor=managing_editor, body="## First\n\nFirst words.")
    assert "First words." in client.get(reverse("reader:editorial_policy")).content.decode()
    longest = "## Second\n\n" + "[![" * ((EDITORIAL_PAGE_MAX_CHARS - 11) // 3)
    page_approved("editorial-policy", editor=editor, managing_editor=managing_editor, body=longest)
    html = client.get(reverse("reader:editorial_policy")).content.decode()
    assert "<h2>Second</h2>" in html and "First words." not in html
