"""Writes to the reference library."""

from config.history import save_if_changed
from references.identifiers import normalise_doi, normalise_pmcid, normalise_pmid
from references.models import Reference

REFERENCE_FIELDS = (
    "kind",
    "work_type",
    "title",
    "authors",
    "editors",
    "source",
    "year",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "url",
)


def reference_find(*, doi: str = "", pmid: str = "", pmcid: str = "", title: str = "", year: int | None = None):
    """Return the stored reference with the same identifier (or title and year), or None.

    Identifiers are tried in order: DOI, PMID, PMCID, then title and year.
    """
    doi, pmid, pmcid = normalise_doi(doi), normalise_pmid(pmid), normalise_pmcid(pmcid)
    if doi and (found := Reference.objects.filter(doi=doi).first()):
        return found
    if pmid and (found := Reference.objects.filter(pmid=pmid).first()):
        return found
    if pmcid and (found := Reference.objects.filter(pmcid=pmcid).first()):
        return found
    if title:
        return Reference.objects.filter(title__iexact=title.strip(), year=year).first()
    return None


def reference_upsert(*, data: dict) -> Reference:
    """Create the reference described by `data`, or update the one it matches.

    A reference matches by DOI, then PMID, then PMCID, then title and year, so that
    importing the same entry twice never makes a duplicate. Nothing is saved
    (and no history row written) when nothing changed.
    """
    values = {field: data[field] for field in REFERENCE_FIELDS if field in data}
    values["doi"] = normalise_doi(values.get("doi", ""))
    values["pmid"] = normalise_pmid(values.get("pmid", ""))
    if "pmcid" in values:
        # Older payloads carry no PMCID: leave a stored one alone rather than blank it.
        values["pmcid"] = normalise_pmcid(values["pmcid"])
    reference = (
        reference_find(
            doi=values.get("doi", ""),
            pmid=values.get("pmid", ""),
            pmcid=values.get("pmcid", ""),
            title=values.get("title", ""),
            year=values.get("year"),
        )
        or Reference()
    )
    return save_if_changed(reference, values)
