"""Time both Markdown renderers on the slowest inputs found, before (markdown-it's defaults) and now.

    .venv/bin/python bench/markdown.py

Each pattern is repeated up to a length: the field limits (20,000 characters for an editorial
page, 2,000 for inline text) and 200,000 characters, as stored before the limits existed.
"Before" is markdown-it with its default nesting limit and no size limit, then nh3, as the
renderers were; "now" is `reader_text._render_block` (no cache) and `rendering.render_inline`.
No database is needed.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django

django.setup()

import nh3  # noqa: E402
from markdown_it import MarkdownIt  # noqa: E402

from articles.rendering import INLINE_MAX_CHARS, render_inline  # noqa: E402
from reader.models import EDITORIAL_PAGE_MAX_CHARS  # noqa: E402
from reader.templatetags.reader_text import _render_block  # noqa: E402

BEFORE_BLOCK = MarkdownIt("commonmark", {"html": False})
BEFORE_INLINE = MarkdownIt("zero", {"html": False}).enable(["emphasis", "link", "escape"])
TAGS = {"p", "h2", "h3", "ul", "ol", "li", "strong", "em", "a"}

# The slowest of about forty patterns tried (runs of brackets, emphasis, links, lists, quotes,
# entities, code spans...), plus deep nesting, which markdown-it cuts short silently.
PATTERNS = ["[![", "[a\n", "[", "[<", "- [", "[`", "*_", "* a\n", "1) a\n", "**_a", "> ", "- "]


def before_block(text):
    return nh3.clean(BEFORE_BLOCK.render(text), tags=TAGS)


def before_inline(text):
    return nh3.clean(BEFORE_INLINE.renderInline(text), tags={"strong", "em", "a"})


def seconds(function, text, repeat=3):
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        function(text)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best


def main():
    print(f"{'renderer':8} {'pattern':10} {'chars':>8} {'before ms':>10} {'now ms':>8}")
    rows = [("block", EDITORIAL_PAGE_MAX_CHARS, before_block, _render_block)]
    rows += [("block", 200_000, before_block, _render_block)]
    rows += [("inline", INLINE_MAX_CHARS, before_inline, render_inline)]
    rows += [("inline", 200_000, before_inline, render_inline)]
    for renderer, length, before, now in rows:
        for pattern in PATTERNS:
            text = (pattern * (length // len(pattern) + 1))[:length]
            repeat = 1 if length > 100_000 else 3
            print(
                f"{renderer:8} {pattern!r:10} {length:8,} {seconds(before, text, repeat) * 1000:10.1f} "
                f"{seconds(now, text, repeat) * 1000:8.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
