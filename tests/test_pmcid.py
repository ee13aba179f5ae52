"""PubMed Central IDs are stored in one canonical form and identify a reference like DOIs and PMIDs do."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from references.identifiers import normalise_doi, normalise_pmcid
from references.models import Reference
from references.services import reference_find, reference_upsert
from tests.factories import ReferenceFactory


@pytest.mark.parametrize(
    "pasted",
    [
        "PMC3570769",
        "pmc3570769",
        "PMCID: PMC3570769",
        "pmcid:PMC3570769",
        "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC3570769/",
        "https://ncbi.nlm.nih.gov/pmc/articles/PMC3570769",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC3570769/",
        "pmc.ncbi.nlm.nih.gov/articles/pmc3570769",
        "  PMC3570769.  ",
        "PMC3570769;",
    ],
)
def test_pmcid_is_normalised_from_every_common_form(pasted):
    assert normalise_pmcid(pasted) == "PMC3570769"


def test_pmcid_of_one_to_eight_digits_is_accepted():
    assert (normalise_pmcid("PMC1"), normalise_pmcid("PMC12345678")) == ("PMC1", "PMC12345678")


@pytest.mark.parametrize(
    "pasted", ["3570769", "PMC", "PMC123456789", "PMC0123", "PMC12a4", "PMID: 23359310", "https://example.org/PMC1/"]
)
def test_pmcid_that_is_not_pmc_and_1_to_8_digits_is_refused_with_an_example(pasted):
    with pytest.raises(ValidationError) as error:
        normalise_pmcid(pasted)
    assert error.value.messages == [
        f"“{pasted}” is not a PubMed Central ID. A PMCID is PMC followed by 1 to 8 digits, for example PMC3570769."
    ]
    assert error.value.error_list[0].code == "invalid_pmcid"


def test_blank_pmcid_stays_blank():
    assert normalise_pmcid("  ") == ""


@given(st.text())
def test_pmcid_normalisation_refuses_only_with_a_validation_error_and_is_idempotent(text):
    try:
        pmcid = normalise_pmcid(text)
    except ValidationError:
        return
    assert normalise_pmcid(pmcid) == pmcid


@given(st.from_regex(r"\A(?:pmcid:\s?)?[Pp][Mm][Cc][1-9][0-9]{0,7}[.,;:]?\Z"))
def test_pmcid_in_any_accepted_form_normalises_to_pmc_and_its_digits(text):
    pmcid = normalise_pmcid(text)
    assert pmcid.startswith("PMC")
    assert pmcid[3:].isdigit()
    assert pmcid[3:] in text


@pytest.mark.parametrize(
    "pasted",
    ["https://www.doi.org/10.1002/art.37734", "www.doi.org/10.1002/art.37734", "https://dx.doi.org/10.1002/ART.37734"],
)
def test_doi_link_on_www_doi_org_is_normalised(pasted):
    assert normalise_doi(pasted) == "10.1002/art.37734"


@pytest.mark.django_db
def test_pmcid_is_normalised_when_a_reference_is_cleaned():
    reference = ReferenceFactory.build(pmcid="https://pmc.ncbi.nlm.nih.gov/articles/PMC3570769/")
    reference.full_clean()
    assert reference.pmcid == "PMC3570769"


@pytest.mark.django_db
def test_invalid_pmcid_is_refused_on_the_pmcid_field_only():
    reference = ReferenceFactory.build(pmcid="PMC12a4")
    with pytest.raises(ValidationError) as error:
        reference.full_clean()
    assert error.value.message_dict == {
        "pmcid": [
            "“PMC12a4” is not a PubMed Central ID. A PMCID is PMC followed by 1 to 8 digits, for example PMC3570769."
        ]
    }


@pytest.mark.django_db
def test_two_references_cannot_share_a_pmcid():
    ReferenceFactory(pmcid="PMC3570769")
    duplicate = ReferenceFactory.build(pmcid="pmc3570769")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert error.value.messages == ["Another reference already has this PMCID."]


@pytest.mark.django_db
def test_many_references_may_have_no_pmcid():
    ReferenceFactory(pmcid="")
    second = ReferenceFactory.build(pmcid="")
    second.full_clean()
    second.save()
    assert Reference.objects.filter(pmcid="").count() == 2


@pytest.mark.django_db
def test_reference_is_found_by_pmcid_after_doi_and_pmid():
    by_pmcid = ReferenceFactory(doi="", pmid="", pmcid="PMC3570769")
    by_pmid = ReferenceFactory(doi="", pmid="23359310", pmcid="")
    assert reference_find(pmcid="https://pmc.ncbi.nlm.nih.gov/articles/PMC3570769/") == by_pmcid
    assert reference_find(pmid="23359310", pmcid="PMC3570769") == by_pmid
    assert reference_find(pmcid="PMC1") is None


@pytest.mark.django_db
def test_upsert_matches_by_pmcid_and_makes_no_duplicate():
    stored = ReferenceFactory(doi="", pmid="", pmcid="PMC3570769", title="Old title", year=2013)
    updated = reference_upsert(
        data={"title": "Low-dose naltrexone for fibromyalgia", "year": 2013, "pmcid": "pmc3570769"}
    )
    assert updated.pk == stored.pk
    assert Reference.objects.count() == 1
    stored.refresh_from_db()
    assert (stored.title, stored.pmcid) == ("Low-dose naltrexone for fibromyalgia", "PMC3570769")


@pytest.mark.django_db
def test_upsert_without_a_pmcid_keeps_the_stored_one():
    stored = ReferenceFactory(doi="10.1002/art.37734", pmcid="PMC3570769")
    reference_upsert(data={"title": stored.title, "doi": "10.1002/art.37734", "pmid": stored.pmid})
    stored.refresh_from_db()
    assert stored.pmcid == "PMC3570769"
    assert stored.history.count() == 1
