"""Time the reviewers' word diff on long and hostile texts, before (plain difflib) and now.

    .venv/bin/python bench/diff.py [--before-timeout SECONDS]

Prints one row per case: the texts' sizes, the time of `editorial.diffs.word_diff` and whether
it showed the change word by word or whole, then the time of the former difflib diff (stopped
after --before-timeout seconds, 20 by default). No database is needed.
"""

import argparse
import difflib
import os
import random
import re
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django

django.setup()

from django.utils.html import escape  # noqa: E402

from editorial.diffs import WHOLE_CHANGE_NOTE, word_diff  # noqa: E402

# Few distinct words, as in real claims: the hard case for a word matcher.
SENTENCE = (
    "low dose naltrexone pain patients trial placebo reduced mg daily fibromyalgia the of and in a with for "
    "was were study studies evidence small randomised controlled weeks outcome symptoms adverse events"
)
VOCABULARY = tuple(SENTENCE.split())


def difflib_word_diff(old: str, new: str) -> str:
    """The word diff as it was before it was bounded: difflib over every word of both texts."""
    old_words, new_words = re.findall(r"\S+|\s+", old), re.findall(r"\S+|\s+", new)
    parts = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            parts.append(f"<del>{escape(''.join(old_words[a1:a2]))}</del>")
        if op in ("replace", "insert"):
            parts.append(f"<ins>{escape(''.join(new_words[b1:b2]))}</ins>")
        if op == "equal":
            parts.append(escape("".join(new_words[b1:b2])))
    return "".join(parts)


def words(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 - repeatable texts, not secrets
    return [rng.choice(VOCABULARY) for _ in range(count)]


def every_nth_changed(text: list[str], n: int) -> list[str]:
    return [f"{word}-{i}" if i % n == 0 else word for i, word in enumerate(text)]


def chars(text: list[str], limit: int) -> str:
    return " ".join(text)[:limit]


def cases():
    claim = words(230, 1)  # about 1,500 characters, the claim limit
    thousand = words(1_000, 2)
    five = words(5_000, 3)
    long = words(15_000, 4)  # cut to 100,000 characters
    middle = len(long) // 2
    yield "claim 1,500 chars, 1 word changed", " ".join(claim), " ".join(["Changed", *claim[1:]])
    yield "claim 1,500 chars, every 5th word changed", " ".join(claim), " ".join(every_nth_changed(claim, 5))
    yield "claim 1,500 chars, rewritten", " ".join(claim), " ".join(words(230, 99))
    yield "1,000 words, every 10th word changed", " ".join(thousand), " ".join(every_nth_changed(thousand, 10))
    yield "1,000 words, rewritten", " ".join(thousand), " ".join(words(1_000, 98))
    yield "5,000 words, every 10th word changed", " ".join(five), " ".join(every_nth_changed(five, 10))
    yield "5,000 words, every 100th word changed", " ".join(five), " ".join(every_nth_changed(five, 100))
    yield "5,000 words, rewritten", " ".join(five), " ".join(words(5_000, 97))
    yield "5,000 words, shuffled", " ".join(five), " ".join(random.Random(5).sample(five, len(five)))  # noqa: S311
    yield (
        "100,000 chars, 1 word changed mid-way",
        chars(long, 100_000),
        chars([*long[:middle], "changed", *long[middle + 1 :]], 100_000),
    )
    yield "100,000 chars, every 10th word changed", chars(long, 100_000), chars(every_nth_changed(long, 10), 100_000)
    yield "100,000 chars, rewritten", chars(long, 100_000), chars(words(15_000, 96), 100_000)
    yield "100,000 chars vs empty", chars(long, 100_000), ""
    yield "'a ' x 50,000 vs 'b ' x 50,000", "a " * 50_000, "b " * 50_000


class TimedOut(Exception):
    pass


def timed(function, *args, timeout: float | None = None):
    if timeout:
        signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimedOut()))
        signal.setitimer(signal.ITIMER_REAL, timeout)
    start = time.perf_counter()
    try:
        result = function(*args)
    except TimedOut:
        return None, None
    finally:
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return time.perf_counter() - start, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before-timeout", type=float, default=20.0)
    args = parser.parse_args()
    print(f"{'case':42} {'old chars':>9} {'new chars':>9} {'now ms':>8} {'shown':>6} {'before ms':>10}")
    for name, old, new in cases():
        seconds, html = timed(word_diff, old, new)
        shown = "whole" if WHOLE_CHANGE_NOTE in html else "words"
        before, _ = timed(difflib_word_diff, old, new, timeout=args.before_timeout)
        print(
            f"{name:42} {len(old):9,} {len(new):9,} {seconds * 1000:8.1f} {shown:>6} "
            f"{_milliseconds(before, args.before_timeout):>10}",
            flush=True,
        )


def _milliseconds(seconds: float | None, timeout: float) -> str:
    if seconds is None:
        return f"> {timeout * 1000:,.0f}"
    return f"{seconds * 1000:.1f}"


if __name__ == "__main__":
    main()
