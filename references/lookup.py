"""Fetch one reference's record by DOI from Crossref, or by PMID from PubMed, for the import to read.

A record fetched is treated exactly like a file uploaded: it is kept as a
`ReferenceImport` (its bytes, their SHA-256, who asked), previewed, matched to
the library and confirmed by the same rules. Crossref answers a DOI with a CSL-JSON
item (`/works/{doi}/transform/application/vnd.citationstyles.csl+json`); PubMed's
E-utilities answer a PMID with a MEDLINE record (`efetch.fcgi?db=pubmed&rettype=medline`).
Both readers already exist, so nothing here interprets the record.

The services are outside the site: every request has a timeout, and every
failure (off, offline, slow, not found, an answer that is not the record) is a
`LookupFailed` whose sentence says what happened and that nothing was saved.
"""

import json
from dataclasses import dataclass
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.exceptions import ValidationError

from references.identifiers import is_short_doi, normalise_doi, normalise_pmid

# A record is a few kilobytes; anything far larger is not the record asked for.
MAX_RECORD_BYTES = 1024 * 1024


class LookupFailed(Exception):
    """The record could not be fetched; the message is a sentence for the person who asked."""


@dataclass(frozen=True)
class FetchedRecord:
    data: bytes
    format: str  # a key of references.formats.reading.FORMATS
    file_name: str  # how the import record names its source, e.g. "DOI 10.1002/art.37734 (Crossref)"


def lookup_enabled() -> bool:
    return settings.REFERENCE_LOOKUP_ENABLED


def fetch_record(identifier: str) -> FetchedRecord:
    """The record of a DOI (any pasted form) or a PMID. Raises LookupFailed, or ValidationError when
    the identifier is neither."""
    if not lookup_enabled():
        raise LookupFailed("Adding references by DOI or PMID is turned off on this site.")
    text = (identifier or "").strip()
    try:
        pmid = normalise_pmid(text)
    except ValidationError:
        pmid = ""
    if pmid:
        return _pubmed(pmid)
    try:
        doi = normalise_doi(text)
    except ValidationError:
        doi = ""
    if not doi:
        raise ValidationError(
            "Give a DOI (such as 10.1002/art.37734, or its doi.org link) or a PubMed ID (such as 23359310)."
        )
    if is_short_doi(doi):
        raise ValidationError(f"“{doi}” is a short DOI, which Crossref does not look up; give the full DOI.")
    return _crossref(doi)


def _crossref(doi: str) -> FetchedRecord:
    url = f"{settings.REFERENCE_LOOKUP_CROSSREF_URL}/works/{quote(doi, safe='')}/transform/"
    url += "application/vnd.citationstyles.csl+json"
    data = _get(url, service="Crossref", what=f"DOI {doi}")
    try:
        item = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise LookupFailed(f"Crossref's answer for DOI {doi} is not a citation record. Nothing was saved.") from None
    if not isinstance(item, dict) or not item.get("title"):
        raise LookupFailed(f"Crossref's answer for DOI {doi} is not a citation record. Nothing was saved.")
    return FetchedRecord(
        data=(json.dumps([item], ensure_ascii=False, indent=2) + "\n").encode(),
        format="csl-json",
        file_name=f"DOI {doi} (Crossref)",
    )


def _pubmed(pmid: str) -> FetchedRecord:
    query = {"db": "pubmed", "id": pmid, "rettype": "medline", "retmode": "text", "tool": "editorial-cms"}
    if settings.REFERENCE_LOOKUP_CONTACT:
        query["email"] = settings.REFERENCE_LOOKUP_CONTACT
    data = _get(
        f"{settings.REFERENCE_LOOKUP_EUTILS_URL}/efetch.fcgi?{urlencode(query)}", service="PubMed", what=f"PMID {pmid}"
    )
    if f"PMID- {pmid}".encode() not in data:  # efetch answers an unknown PMID with an empty page, or an error text
        raise LookupFailed(f"PubMed has no record with PMID {pmid}. Nothing was saved.")
    return FetchedRecord(data=data, format="medline", file_name=f"PMID {pmid} (PubMed)")


def _get(url: str, *, service: str, what: str) -> bytes:
    agent = "editorial-cms reference lookup"
    if settings.REFERENCE_LOOKUP_CONTACT:
        agent += f" (mailto:{settings.REFERENCE_LOOKUP_CONTACT})"
    if not url.startswith(("https://", "http://")):
        raise LookupFailed(f"The address set for {service} is not a web address. Nothing was saved.")
    request = Request(url, headers={"User-Agent": agent, "Accept": "application/json, text/plain"})  # noqa: S310
    try:
        with urlopen(request, timeout=settings.REFERENCE_LOOKUP_TIMEOUT_SECONDS) as response:  # noqa: S310 (checked above)
            data = response.read(MAX_RECORD_BYTES + 1)
    except HTTPError as error:
        if error.code == 404:
            raise LookupFailed(f"{service} has no record of {what}. Nothing was saved.") from None
        raise LookupFailed(
            f"{service} answered the request for {what} with an error ({error.code}); try again later. "
            "Nothing was saved."
        ) from None
    except (URLError, OSError) as error:
        if isinstance(error, TimeoutError) or isinstance(getattr(error, "reason", None), TimeoutError):
            raise LookupFailed(
                f"{service} did not answer within {settings.REFERENCE_LOOKUP_TIMEOUT_SECONDS:g} seconds; try "
                "again later, or import a file instead. Nothing was saved."
            ) from None
        raise LookupFailed(
            f"{service} could not be reached (is the site offline?); import a file instead, or try again later. "
            "Nothing was saved."
        ) from None
    if len(data) > MAX_RECORD_BYTES:
        raise LookupFailed(f"{service}'s answer for {what} is far larger than one record. Nothing was saved.")
    return data
