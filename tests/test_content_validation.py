"""Bad input gets a clear message and saves nothing; the database refuses what must never be true."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from articles.models import Claim, Section
from references.models import Reference
from tests.factories import ArticleFactory, ClaimFactory, ReferenceFactory, SectionFactory

pytestmark = pytest.mark.django_db


def reference(**overrides):
    values = {"kind": Reference.Kind.TRIAL, "title": "A trial", "source": "A journal", "year": 2020}
    return Reference(**(values | overrides))


def test_reference_identifiers_are_stored_canonically():
    ref = reference(doi="https://doi.org/10.1002/ART.37734", pmid="PMID: 23359310")
    ref.full_clean()
    ref.save()
    ref.refresh_from_db()
    assert (ref.doi, ref.pmid) == ("10.1002/art.37734", "23359310")


def test_reference_with_bad_doi_is_refused_and_not_saved():
    ref = reference(doi="doi:11.2/xyz")
    with pytest.raises(ValidationError) as error:
        ref.full_clean()
    assert error.value.message_dict["doi"] == [
        "“doi:11.2/xyz” is not a DOI. A DOI starts with 10., then a registrant code, "
        "a slash and a suffix, for example 10.1002/art.37734."
    ]
    assert Reference.objects.count() == 0


def test_reference_with_bad_pmid_is_refused():
    with pytest.raises(ValidationError) as error:
        reference(pmid="123456789").full_clean()
    assert list(error.value.message_dict) == ["pmid"]


def test_reference_with_a_doi_already_used_is_refused_in_any_form():
    ReferenceFactory(doi="10.1002/art.37734")
    with pytest.raises(ValidationError) as error:
        reference(doi="https://doi.org/10.1002/ART.37734").full_clean()
    assert error.value.messages == ["Another reference already has this DOI."]


def test_reference_with_a_pmid_already_used_is_refused():
    ReferenceFactory(pmid="23359310")
    with pytest.raises(ValidationError) as error:
        reference(pmid="23359310").full_clean()
    assert error.value.messages == ["Another reference already has this PMID."]


def test_references_without_identifiers_do_not_collide():
    for title in ("First guideline", "Second guideline"):
        ref = reference(title=title, doi="", pmid="")
        ref.full_clean()
        ref.save()
    assert Reference.objects.count() == 2


@pytest.mark.parametrize("year", [1799, 2999])
def test_reference_with_implausible_year_is_refused(year):
    with pytest.raises(ValidationError) as error:
        reference(year=year).full_clean()
    assert "year" in error.value.message_dict


def test_reference_from_next_year_is_refused_beyond_it(settings):
    from django.utils import timezone

    next_year = timezone.now().year + 1
    reference(year=next_year).full_clean()
    with pytest.raises(ValidationError):
        reference(year=next_year + 1).full_clean()


def test_database_refuses_duplicate_doi_even_without_validation():
    ReferenceFactory(doi="10.1002/art.37734")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reference.objects.create(title="Copy", doi="10.1002/art.37734")


def test_database_refuses_an_implausible_year():
    with pytest.raises(IntegrityError), transaction.atomic():
        Reference.objects.create(title="Old", year=1500)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_claim_is_refused_with_a_clear_message(text):
    section = SectionFactory()
    claim = Claim(section=section, order=1, text=text)
    with pytest.raises(ValidationError) as error:
        claim.full_clean()
    assert error.value.message_dict == {"text": ["A claim cannot be empty."]}
    assert Claim.objects.count() == 0


def test_database_refuses_a_whitespace_only_claim():
    section = SectionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(section=section, order=1, text="   ")


def test_database_refuses_two_sections_at_the_same_position():
    article = ArticleFactory()
    SectionFactory(article=article, order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Section.objects.create(article=article, order=1, heading="Again")


def test_database_refuses_two_claims_at_the_same_position():
    claim = ClaimFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(section=claim.section, order=claim.order, text="Another claim.")


def test_database_refuses_a_heading_level_other_than_2_or_3():
    with pytest.raises(IntegrityError), transaction.atomic():
        Section.objects.create(article=ArticleFactory(), order=1, heading="Deep", level=4)


def test_article_slug_is_unique():
    ArticleFactory(slug="same")
    with pytest.raises(ValidationError) as error:
        ArticleFactory.build(slug="same").full_clean()
    assert error.value.message_dict["slug"] == ["Article with this Slug already exists."]
