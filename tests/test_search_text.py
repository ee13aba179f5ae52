"""The search index reads each claim's words without their Markdown: read out once, when a revision is frozen."""

from html import unescape

import pytest
from django.utils.html import strip_tags
from hypothesis import given
from hypothesis import strategies as st

from articles.rendering import render_inline
from articles.search import document_text, plain_text
from editorial.models import RevisionSearchText
from tests.workflow_helpers import approved, citable_article, edit_claim


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


# Read out once, when a revision is frozen


@pytest.mark.django_db
def test_a_frozen_revision_keeps_its_words_as_plain_text(editor, managing_editor):
    article = citable_article(lede="The **short** answer.", plain_lede="In *plain* words.")
    edit_claim(article, "A *small* but [real](https://example.org) effect, 3 \\* 2 trials.", user=editor)
    revision, _ = approved(article, editor, managing_editor)

    stored = RevisionSearchText.objects.get(revision=revision)

    content = revision.content
    assert (stored.lede, stored.plain_lede, stored.body) == (
        "The short answer.",
        "In plain words.",
        document_text(content),
    )
    assert "A small but real effect, 3 * 2 trials." in stored.body.splitlines()
