"""The search index reads each claim's words without their Markdown, quickly for the many claims that have none."""

from html import unescape

from django.utils.html import strip_tags
from hypothesis import given
from hypothesis import strategies as st

from articles.rendering import render_inline
from reader.index import plain_text


def through_markdown(text: str) -> str:
    return unescape(strip_tags(render_inline(text)))


@given(st.text(max_size=300))
def test_a_text_s_plain_words_are_what_the_markdown_pass_leaves_whatever_the_text(text):
    assert plain_text(text) == through_markdown(text)


@given(st.text(alphabet=st.sampled_from("ab *_[]()\\<>&;\"'\n\r\t.:/"), max_size=60))
def test_markup_and_escapes_are_read_as_the_markdown_pass_reads_them(text):
    assert plain_text(text) == through_markdown(text)


def test_bold_italic_and_links_leave_only_their_words():
    assert plain_text("**Weekly** *semaglutide* lowers [weight](https://example.org).") == (
        "Weekly semaglutide lowers weight."
    )
