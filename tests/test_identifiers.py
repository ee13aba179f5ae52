"""DOIs and PMIDs are stored in one canonical form, whatever form an editor pastes."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from references.identifiers import normalise_doi, normalise_pmid


@pytest.mark.parametrize(
    "pasted",
    [
        "10.1007/s11916-020-0835-4",
        "doi:10.1007/s11916-020-0835-4",
        "DOI: 10.1007/S11916-020-0835-4",
        "https://doi.org/10.1007/s11916-020-0835-4",
        "http://dx.doi.org/10.1007/s11916-020-0835-4",
        "doi.org/10.1007/s11916-020-0835-4",
        "  10.1007/s11916-020-0835-4.  ",
        "https://doi.org/10.1007%2Fs11916-020-0835-4",
    ],
)
def test_doi_is_normalised_from_every_common_form(pasted):
    assert normalise_doi(pasted) == "10.1007/s11916-020-0835-4"


def test_short_doi_is_kept_as_given_in_lower_case():
    assert normalise_doi("https://doi.org/10/FQD6HJ") == "10/fqd6hj"


@pytest.mark.parametrize("pasted", ["11.1000/abc", "10.12/abc", "10.1007", "not a doi", "https://example.org/10.1/x"])
def test_doi_that_is_not_a_doi_is_refused_with_an_example(pasted):
    with pytest.raises(ValidationError) as error:
        normalise_doi(pasted)
    assert "is not a DOI" in error.value.messages[0]
    assert "10.1002/art.37734" in error.value.messages[0]


@pytest.mark.parametrize(
    "pasted", ["23359310", "PMID: 23359310", "pmid23359310", "https://pubmed.ncbi.nlm.nih.gov/23359310/", " 23359310 "]
)
def test_pmid_is_normalised_from_every_common_form(pasted):
    assert normalise_pmid(pasted) == "23359310"


@pytest.mark.parametrize("pasted", ["123456789", "0", "01234", "PMC123456", "12a4"])
def test_pmid_that_is_not_1_to_8_digits_is_refused(pasted):
    with pytest.raises(ValidationError) as error:
        normalise_pmid(pasted)
    assert "is not a PubMed ID" in error.value.messages[0]


def test_blank_identifiers_stay_blank():
    assert (normalise_doi("  "), normalise_pmid("")) == ("", "")


@given(st.text())
def test_doi_normalisation_refuses_only_with_a_validation_error_and_is_idempotent(text):
    try:
        doi = normalise_doi(text)
    except ValidationError:
        return
    assert normalise_doi(doi) == doi


@given(st.text())
def test_pmid_normalisation_refuses_only_with_a_validation_error_and_is_idempotent(text):
    try:
        pmid = normalise_pmid(text)
    except ValidationError:
        return
    assert normalise_pmid(pmid) == pmid
