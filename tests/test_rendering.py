"""Claims allow bold, italic and links; nothing else reaches a reader as markup."""

import pytest

from articles.rendering import render_inline


def test_bold_italic_and_links_are_rendered():
    html = render_inline("**Target dose** is *4.5 mg*; see [the trial](https://example.org/t).")
    assert html == (
        "<strong>Target dose</strong> is <em>4.5 mg</em>; see "
        '<a href="https://example.org/t" rel="noopener noreferrer nofollow">the trial</a>.'
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('<img src=x onerror="alert(1)">', '&lt;img src=x onerror="alert(1)"&gt;'),
        ("[click](javascript:alert(1))", "[click](javascript:alert(1))"),
        ("[file](file:///etc/passwd)", "[file](file:///etc/passwd)"),
        ("# Not a heading", "# Not a heading"),
    ],
)
def test_raw_html_and_unsafe_links_are_never_rendered_as_markup(text, expected):
    assert render_inline(text) == expected


def test_mailto_links_are_allowed():
    assert 'href="mailto:desk@example.org"' in render_inline("[write to us](mailto:desk@example.org)")
