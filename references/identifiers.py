"""Parse, normalise and validate bibliographic identifiers.

Editors paste identifiers in whatever form a reference manager or a browser
gave them; we store one canonical form so that uniqueness means something.
Each function returns the canonical form or raises `ValidationError` with a
message an editor can act on.
"""

import re
from urllib.parse import unquote

from django.core.exceptions import ValidationError

_DOI_PREFIXES = re.compile(
    r"^(?:doi:\s*|(?:https?://)?(?:www\.|dx\.)?doi\.org/)",
    re.IGNORECASE,
)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
# A short DOI (shortdoi.org): "10/" and a few letters and digits. doi.org resolves it, but only doi.org
# knows which full DOI it stands for, so it is kept as given and cannot match one offline.
_SHORT_DOI = re.compile(r"^10/[a-z0-9]+$")
_PMID_PREFIXES = re.compile(
    r"^(?:pmid:?\s*|https?://(?:www\.)?(?:pubmed\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov/pubmed)/)",
    re.IGNORECASE,
)
_PMID = re.compile(r"^[1-9]\d{0,7}$")
_PMCID_PREFIXES = re.compile(
    r"^(?:pmcid:?\s*|(?:https?://)?(?:(?:www\.)?ncbi\.nlm\.nih\.gov/pmc|pmc\.ncbi\.nlm\.nih\.gov)/articles/)",
    re.IGNORECASE,
)
# ASCII digits only: `\d` would also accept digits from other scripts.
_PMCID = re.compile(r"PMC([1-9][0-9]{0,7})", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:"


def normalise_doi(value: str) -> str:
    """Return the canonical DOI (lower case, no prefix) for `value`, or '' for blank.

    Accepts `10.x/y`, `doi:10.x/y` and doi.org links (also www.doi.org and dx.doi.org), with surrounding spaces
    and trailing punctuation, in any case (DOIs are case-insensitive); and short DOIs (`10/fqd6hj`), as given.
    """
    text = (value or "").strip()
    if not text:
        return ""
    text = unquote(_DOI_PREFIXES.sub("", text, count=1)).strip().rstrip(_TRAILING_PUNCTUATION)
    doi = text.lower()
    if not (_DOI.match(doi) or _SHORT_DOI.match(doi)):
        raise ValidationError(
            "“%(value)s” is not a DOI. A DOI starts with 10., then a registrant code, "
            "a slash and a suffix, for example 10.1002/art.37734.",
            code="invalid_doi",
            params={"value": value.strip()},
        )
    return doi


def is_short_doi(doi: str) -> bool:
    """Whether a normalised DOI is a short one ("10/fqd6hj")."""
    return bool(_SHORT_DOI.match(doi))


def normalise_pmid(value: str) -> str:
    """Return the canonical PubMed ID (digits only) for `value`, or '' for blank.

    Accepts `12345678`, `PMID: 12345678` and PubMed links.
    """
    text = (value or "").strip()
    if not text:
        return ""
    text = _PMID_PREFIXES.sub("", text, count=1).strip().rstrip("/" + _TRAILING_PUNCTUATION)
    if not _PMID.match(text):
        raise ValidationError(
            "“%(value)s” is not a PubMed ID. A PMID is a number of 1 to 8 digits, for example 23359310.",
            code="invalid_pmid",
            params={"value": value.strip()},
        )
    return text


def normalise_pmcid(value: str) -> str:
    """Return the canonical PubMed Central ID (`PMC` and digits) for `value`, or '' for blank.

    Accepts `PMC1234567` in any case, `PMCID: PMC1234567` and PMC article links
    on www.ncbi.nlm.nih.gov/pmc or pmc.ncbi.nlm.nih.gov.
    """
    text = (value or "").strip()
    if not text:
        return ""
    text = _PMCID_PREFIXES.sub("", text, count=1).strip().rstrip("/" + _TRAILING_PUNCTUATION)
    match = _PMCID.fullmatch(text)
    if not match:
        raise ValidationError(
            "“%(value)s” is not a PubMed Central ID. A PMCID is PMC followed by 1 to 8 digits, for example PMC3570769.",
            code="invalid_pmcid",
            params={"value": value.strip()},
        )
    return "PMC" + match.group(1)
