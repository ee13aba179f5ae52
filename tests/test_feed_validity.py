"""The Atom feed is well-formed Atom that feed readers parse cleanly, with every element RFC 4287 requires.

feedparser, which many feed readers build on, must find nothing wrong (`bozo`
false). The elements are read from the XML as served, not from feedparser's
result, which fills gaps in: the feed has an id, a title, an update time and
an author; each entry an id, a title, an update time, an author (its own, or
the feed's) and a link to the page it announces (rel alternate) or content.
Ids are absolute IRIs, and unique.
"""

import xml.etree.ElementTree as ElementTree
from urllib.parse import urlsplit

import feedparser
import pytest
from django.urls import reverse

from editorial.corrections import ChangeType
from tests.test_corrections import approve_working_copy
from tests.workflow_helpers import approved, citable_article, edit_claim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

ATOM = "{http://www.w3.org/2005/Atom}"
SUMMARY = "The starting dose was ten times too high; it now reads 1.5 mg."


@pytest.fixture
def feed(client, editor, managing_editor) -> bytes:
    """The feed of two answers, one corrected since: three entries, the correction one of its own."""
    approved(citable_article(), editor, managing_editor)
    corrected = citable_article()
    approved(corrected, editor, managing_editor)
    edit_claim(corrected, "Start at 1.5 mg once daily.", user=editor)
    approve_working_copy(corrected, editor, managing_editor, change_type=ChangeType.CORRECTION, change_summary=SUMMARY)
    response = client.get(reverse("reader:feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    return response.content


def is_absolute_iri(text: str | None) -> bool:
    parts = urlsplit(text or "")
    return bool(parts.scheme) and bool(parts.netloc or parts.path)


def test_feedparser_reads_the_feed_as_atom_with_nothing_wrong(feed):
    parsed = feedparser.parse(feed)

    assert (parsed.bozo, parsed.version, len(parsed.entries)) == (False, "atom10", 3)


def test_the_feed_has_an_id_a_title_an_update_time_and_an_author(feed):
    root = ElementTree.fromstring(feed)  # noqa: S314 - our own feed

    assert root.tag == f"{ATOM}feed"
    assert is_absolute_iri(root.findtext(f"{ATOM}id"))
    assert root.findtext(f"{ATOM}title") == "Medically reviewed answers"
    assert feedparser.parse(feed).feed.updated_parsed is not None  # a date RFC 3339 allows
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "The editors of Medically reviewed answers"


def test_each_entry_has_an_id_a_title_an_update_time_an_author_and_a_link_to_its_page(feed):
    root = ElementTree.fromstring(feed)  # noqa: S314 - our own feed
    feed_author = root.find(f"{ATOM}author/{ATOM}name")
    parsed = feedparser.parse(feed)

    missing = []
    for number, (entry, read) in enumerate(zip(root.findall(f"{ATOM}entry"), parsed.entries, strict=True), 1):
        alternates = [
            link.get("href") for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"
        ]
        has = {
            "id": is_absolute_iri(entry.findtext(f"{ATOM}id")),
            "title": bool((entry.findtext(f"{ATOM}title") or "").strip()),
            "updated": entry.find(f"{ATOM}updated") is not None and read.updated_parsed is not None,
            "author": entry.find(f"{ATOM}author/{ATOM}name") is not None or feed_author is not None,
            "link or content": any(map(is_absolute_iri, alternates)) or entry.find(f"{ATOM}content") is not None,
        }
        missing += [f"entry {number}: {name}" for name, present in has.items() if not present]

    assert missing == []


def test_the_entries_ids_are_unique_and_the_correction_is_one_of_them(feed):
    root = ElementTree.fromstring(feed)  # noqa: S314 - our own feed
    ids = [entry.findtext(f"{ATOM}id") for entry in root.findall(f"{ATOM}entry")]
    titles = [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")]

    assert len(set(ids)) == len(ids) == 3
    assert sum(title.startswith("Correction: ") for title in titles) == 1
