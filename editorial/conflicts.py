"""Where a board member's standing disclosures touch an article: the words both of them name.

A member who declares speaker fees from a drug's maker should be prompted when
the article names that drug or that maker, or sits in the specialty the
disclosure names. The match is deliberately plain (whole words of the
disclosure found in the article's words), so the warning can say exactly which
word it found; it prompts a person to think, it decides nothing.
"""

import re
from dataclasses import dataclass

WORD = re.compile(r"[^\W_][\w-]*[^\W_]", re.UNICODE)
MIN_LENGTH = 4
# Words every disclosure uses that say nothing about what it concerns.
DISCLOSURE_WORDS = frozenset(
    """
    about advisory advisor advisors also award board boards company companies compensation consultancy
    consultant consulting currently declare declared declares disclosure disclosures does educational employee
    employment equity expenses fees fellowship from funded funding grant grants have holds honoraria honorarium
    inc interest interests invited lecture lectures limited ltd meeting meetings member none other owns paid
    past payment payments personal previously program received receives research royalties salary scientific
    shares speaker speakers speaking sponsored stock support supported their these this travel trial trials
    unrelated unpaid with within years conflict conflicts nothing known manufacturer manufacturers maker makers
    pharmaceutical pharmaceuticals product products drug drugs medicine medicines treatment treatments
    """.split()  # noqa: SIM905 - a list of words reads best as words
)


@dataclass(frozen=True)
class DisclosureOverlap:
    """A member's standing disclosure, and the words of it that the article names too."""

    reviewer: object
    words: tuple[str, ...]

    @property
    def touches_the_article(self) -> bool:
        return bool(self.words)


def disclosure_words(disclosure: str) -> dict[str, str]:
    """{lower-case word: word as written} for the words of a disclosure that say what it concerns."""
    words = {}
    for match in WORD.finditer(disclosure):
        word = match.group()
        if len(word) >= MIN_LENGTH and not word.isdigit() and word.lower() not in DISCLOSURE_WORDS:
            words.setdefault(word.lower(), word)
    return words


def document_words(document: dict) -> set[str]:
    """The lower-case words of a revision's document: its question, title, ledes, specialty, headings and claims."""
    texts = [document.get(key) or "" for key in ("question", "title", "lede", "plain_lede", "specialty")]
    for section in document.get("sections", []):
        texts += [section.get("heading") or "", section.get("intro") or ""]
        for claim in section.get("claims", []):
            texts += [claim.get("lead_in") or "", claim.get("text") or "", claim.get("plain_text") or ""]
    return {match.group().lower() for text in texts for match in WORD.finditer(text)}


def disclosure_overlap(reviewer, document: dict, *, article_words: set[str] | None = None) -> DisclosureOverlap:
    """The words of `reviewer`'s standing disclosure that the article names too, in the disclosure's order."""
    article_words = article_words if article_words is not None else document_words(document)
    found = tuple(word for key, word in disclosure_words(reviewer.conflict_of_interest).items() if key in article_words)
    return DisclosureOverlap(reviewer=reviewer, words=found)


def disclosure_overlaps(reviewers, document: dict) -> list[DisclosureOverlap]:
    """`disclosure_overlap` for each member, reading the article's words once."""
    article_words = document_words(document)
    return [disclosure_overlap(reviewer, document, article_words=article_words) for reviewer in reviewers]
