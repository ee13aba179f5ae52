"""Adding a reference by DOI or PMID: the record is fetched from Crossref or PubMed and previewed like a file.

The services are played by a local HTTP server answering in their documented
formats: Crossref's CSL-JSON transform of a work, and E-utilities' efetch of a
PubMed record as MEDLINE text (an unknown PMID gets an empty page, as efetch gives).
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from references.models import Reference, ReferenceImport
from tests.factories import ReferenceFactory
from tests.redis_server import free_port

pytestmark = pytest.mark.django_db

LOOKUP_URL = reverse("admin:references_referenceimport_lookup")

# As Crossref answers /works/10.1002%2Fart.37734/transform/application/vnd.citationstyles.csl+json
CROSSREF_ITEM = {
    "type": "article-journal",
    "title": "Low-dose naltrexone for the treatment of fibromyalgia",
    "author": [
        {"given": "Jarred", "family": "Younger", "sequence": "first"},
        {"given": "Noorulain", "family": "Noor", "sequence": "additional"},
    ],
    "container-title": "Arthritis & Rheumatism",
    "volume": "65",
    "issue": "2",
    "page": "529-538",
    "DOI": "10.1002/art.37734",
    "URL": "https://doi.org/10.1002/art.37734",
    "issued": {"date-parts": [[2013, 1, 28]]},
    "publisher": "Wiley",
}
# As efetch.fcgi?db=pubmed&id=23359310&rettype=medline&retmode=text answers.
PUBMED_RECORD = """
PMID- 23359310
TI  - Low-dose naltrexone for the treatment of fibromyalgia: findings of a small,
      randomized, double-blind, placebo-controlled, counterbalanced, crossover trial
      assessing daily pain levels.
FAU - Younger, Jarred
AU  - Younger J
FAU - Noor, Noorulain
AU  - Noor N
PT  - Journal Article
PT  - Randomized Controlled Trial
DP  - 2013 Feb
TA  - Arthritis Rheum
JT  - Arthritis and rheumatism
VI  - 65
IP  - 2
PG  - 529-38
LID - 10.1002/art.37734 [doi]

"""


class Services(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlsplit(self.path)
        if url.path.startswith("/slow/"):
            time.sleep(2)
        if url.path.endswith("/works/10.1002%2Fart.37734/transform/application/vnd.citationstyles.csl+json"):
            return self._answer(200, json.dumps(CROSSREF_ITEM), "application/vnd.citationstyles.csl+json")
        if url.path.endswith("/works/10.5555%2Fnot-json/transform/application/vnd.citationstyles.csl+json"):
            return self._answer(200, "<html>Maintenance</html>", "text/html")
        if url.path.endswith("/efetch.fcgi"):
            query = parse_qs(url.query)
            assert (query["db"], query["rettype"]) == (["pubmed"], ["medline"])
            return self._answer(200, PUBMED_RECORD if query["id"] == ["23359310"] else "\n", "text/plain")
        return self._answer(404, "Resource not found.", "text/plain")

    def _answer(self, status, body, content_type):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def services():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Services)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def lookup(settings, services):
    settings.REFERENCE_LOOKUP_ENABLED = True
    settings.REFERENCE_LOOKUP_CROSSREF_URL = services
    settings.REFERENCE_LOOKUP_EUTILS_URL = f"{services}/entrez/eutils"
    settings.REFERENCE_LOOKUP_TIMEOUT_SECONDS = 0.5
    return settings


def fetch(client, identifier):
    return client.post(LOOKUP_URL, {"identifier": identifier})


def test_a_doi_is_fetched_from_crossref_and_kept_as_an_import_to_preview(client, editor, lookup):
    client.force_login(editor)

    response = fetch(client, "https://doi.org/10.1002/ART.37734")

    record = ReferenceImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:references_referenceimport_change", args=[record.pk])
    assert (record.file_name, record.format, record.status, record.counts["new"]) == (
        "DOI 10.1002/art.37734 (Crossref)",
        "csl-json",
        ReferenceImport.Status.PREVIEWED,
        1,
    )
    assert Reference.objects.count() == 0


def test_confirming_a_fetched_doi_adds_the_reference_with_its_details(client, editor, lookup):
    client.force_login(editor)
    preview = fetch(client, "10.1002/art.37734").url

    client.post(preview, {})

    reference = Reference.objects.get()
    assert (reference.title, reference.authors, reference.source, reference.year, reference.pages) == (
        "Low-dose naltrexone for the treatment of fibromyalgia",
        "Younger J, Noor N",
        "Arthritis & Rheumatism",
        2013,
        "529-538",
    )
    assert (reference.doi, reference.work_type) == ("10.1002/art.37734", "article-journal")


def test_a_pmid_is_fetched_from_pubmed_as_a_medline_record(client, editor, lookup):
    client.force_login(editor)

    fetch(client, "PMID: 23359310")

    record = ReferenceImport.objects.get()
    assert (record.file_name, record.format, record.counts["new"]) == ("PMID 23359310 (PubMed)", "medline", 1)


def test_a_fetched_record_of_a_reference_the_library_holds_is_matched_not_duplicated(client, editor, lookup):
    ReferenceFactory(doi="10.1002/art.37734", pmid="", title="Low-dose naltrexone for the treatment of fibromyalgia")
    client.force_login(editor)

    fetch(client, "10.1002/art.37734")

    assert ReferenceImport.objects.get().counts["new"] == 0


def test_a_doi_crossref_does_not_know_is_said_and_nothing_is_kept(client, editor, lookup):
    client.force_login(editor)

    response = fetch(client, "10.5555/unknown")

    assert response.status_code == 502
    assert "Crossref has no record of DOI 10.5555/unknown. Nothing was saved." in response.content.decode()
    assert ReferenceImport.objects.count() == 0


def test_a_pmid_pubmed_does_not_know_is_said(client, editor, lookup):
    client.force_login(editor)

    response = fetch(client, "99999999")

    assert "PubMed has no record with PMID 99999999. Nothing was saved." in response.content.decode()
    assert ReferenceImport.objects.count() == 0


def test_an_answer_that_is_not_a_citation_record_is_refused(client, editor, lookup):
    client.force_login(editor)

    response = fetch(client, "10.5555/not-json")

    assert "answer for DOI 10.5555/not-json is not a citation record" in response.content.decode()


def test_a_service_that_does_not_answer_in_time_is_said_within_the_timeout(client, editor, lookup, services):
    lookup.REFERENCE_LOOKUP_CROSSREF_URL = f"{services}/slow"
    client.force_login(editor)

    started = time.monotonic()
    response = fetch(client, "10.1002/art.37734")

    assert time.monotonic() - started < 1.9
    assert "Crossref did not answer within 0.5 seconds" in response.content.decode()


def test_an_unreachable_service_is_said_clearly(client, editor, lookup):
    lookup.REFERENCE_LOOKUP_EUTILS_URL = f"http://127.0.0.1:{free_port()}"
    client.force_login(editor)

    response = fetch(client, "23359310")

    assert response.status_code == 502
    assert "PubMed could not be reached (is the site offline?)" in response.content.decode()


def test_text_that_is_neither_a_doi_nor_a_pmid_is_refused_with_examples(client, editor, lookup):
    client.force_login(editor)

    response = fetch(client, "naltrexone fibromyalgia")

    assert response.status_code == 400
    assert "Give a DOI (such as 10.1002/art.37734" in response.content.decode()


def test_the_lookup_is_not_there_when_turned_off(client, editor, settings):
    settings.REFERENCE_LOOKUP_ENABLED = False
    client.force_login(editor)

    assert client.get(LOOKUP_URL).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("board_member", 403), ("editor", 200), ("managing_editor", 200)]
)
def test_only_those_who_may_import_references_may_look_one_up(client, lookup, request, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    assert client.get(LOOKUP_URL).status_code == status


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("board_member", 403)])
def test_those_who_may_not_import_references_cannot_fetch_one(client, lookup, request, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    response = fetch(client, "10.1002/art.37734")

    assert (response.status_code, ReferenceImport.objects.count()) == (status, 0)
