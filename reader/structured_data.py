"""schema.org JSON-LD for an article page."""

import json

from django.utils import timezone

from references.formats.names import names_of, vancouver_name

# schema.org's medical audiences are patients and clinicians; a student is an educational audience.
AUDIENCE = {
    "patient": ("medicalAudience", {"@type": "MedicalAudience", "audienceType": "Patient"}),
    "clinician": ("medicalAudience", {"@type": "MedicalAudience", "audienceType": "Clinician"}),
    "student": ("audience", {"@type": "EducationalAudience", "educationalRole": "student"}),
}

# schema.org's context reads `propertyID` as an address: the DOI scheme is named by its registry entry, not "DOI",
# which would resolve against the page's own address.
DOI_SCHEME = "https://registry.identifiers.org/registry/doi"


def medical_web_page(*, page, document: dict, url: str, audience: str, changes_url: str = "") -> str:
    """Return the page's `MedicalWebPage` as JSON, safe to embed in a script element.

    The newest correction the board approved is its `correction`, linked to its entry in the change history.
    """
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "url": url,
        "name": document["question"],
        "headline": document["title"],
        "description": document["lede"],
        "about": {"@type": "MedicalSpecialty", "name": document["specialty"]},
        "dateModified": page.content_updated_at.date().isoformat() if page.content_updated_at else None,
        "lastReviewed": page.reviewed_at.date().isoformat() if page.reviewed_at else None,
        "reviewedBy": [
            {
                "@type": "Person",
                "name": certifier.reviewer.display_name,
                "honorificSuffix": certifier.reviewer.credentials,
            }
            for certifier in page.reviewers
        ],
        "citation": [_citation(reference) for reference in document["references"]],
        "correction": _correction(page.correction, changes_url) if page.correction else None,
    }
    audience_property, audience_value = AUDIENCE[audience]
    data[audience_property] = audience_value
    text = json.dumps({key: value for key, value in data.items() if value not in (None, [])}, ensure_ascii=False)
    # "</script>" inside a string must not end the element.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _correction(change, changes_url: str) -> dict:
    """The newest correction as a `CorrectionComment`, linked to its entry in the change history."""
    return {
        "@type": "CorrectionComment",
        "text": change.summary,
        "datePublished": timezone.localdate(change.went_live_at).isoformat(),
        "url": f"{changes_url}#{change.anchor}",
    }


def _author(name: dict) -> dict:
    """A structured name as schema.org's `Person` (family and given names) or `Organization`."""
    if "literal" in name:
        return {"@type": "Organization", "name": name["literal"]}
    person = {"@type": "Person", "name": vancouver_name(name), "familyName": name["family"]}
    if name.get("given"):
        person["givenName"] = name["given"]
        person["name"] = f"{name['given']} {name['family']}"
    if name.get("orcid"):
        person["sameAs"] = f"https://orcid.org/{name['orcid']}"
    return person


def _citation(reference: dict) -> dict:
    citation = {"@type": "ScholarlyArticle", "name": reference["title"]}
    names, _et_al = names_of(reference)
    if names:
        citation["author"] = [_author(name) for name in names]
    if reference["source"]:
        citation["isPartOf"] = {"@type": "Periodical", "name": reference["source"]}
    if reference["year"]:
        citation["datePublished"] = str(reference["year"])
    if reference["doi"]:
        citation["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": DOI_SCHEME,
            "value": reference["doi"],
            "url": f"https://doi.org/{reference['doi']}",
        }
        citation["sameAs"] = f"https://doi.org/{reference['doi']}"
    elif reference["url"]:
        citation["sameAs"] = reference["url"]
    return citation
