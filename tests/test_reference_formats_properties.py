"""Every format reads back what it writes, and no text crashes a reader: over generated input and the samples."""

import contextlib
import logging
from pathlib import Path

import pytest
from bibtexparser.library import Library
from bibtexparser.model import String
from hypothesis import given, settings
from hypothesis import strategies as st

from references.formats import bibtex, csl_json, medline, ris
from references.formats.csl import WORK_TYPES, csl_type
from references.formats.names import (
    SUFFIXES,
    name_from_display,
    names_from_vancouver,
    organisation,
    person,
    vancouver_authors,
    vancouver_name,
)
from references.formats.reading import read_entries
from references.formats.records import ReferenceFileError, clean

SAMPLE = Path(__file__).parent / "samples" / "references" / "ldn.json"
FAST = settings(max_examples=200, deadline=None)

capitalised = st.from_regex(r"[A-Z][a-z]{1,9}", fullmatch=True)
particles = st.sampled_from(["", "van ", "van der ", "de ", "de la ", "von "])
family_names = st.builds(
    lambda particle, words: particle + " ".join(words), particles, st.lists(capitalised, min_size=1, max_size=2)
)
# A given name never ends in a generational suffix ("Smith, John Jr" rightly reads "Jr" as the suffix), and
# its initials are never one ("Smith II" is a suffix in Vancouver form, whatever the given names were).
given_names = (
    st.lists(capitalised, min_size=1, max_size=3)
    .map(" ".join)
    .filter(lambda given: given.split()[-1] not in SUFFIXES)
    .filter(lambda given: "".join(word[0] for word in given.split()) not in SUFFIXES)
)
initials = st.from_regex(r"[A-ZÅÖÉ]{1,3}", fullmatch=True)
suffixes = st.sampled_from(["", "", "Jr", "III"])
people = st.builds(
    lambda family, initials, suffix: person(family, initials=initials, suffix=suffix), family_names, initials, suffixes
) | st.builds(lambda family, given, suffix: person(family, given, suffix=suffix), family_names, given_names, suffixes)
# Organisations, some with commas in their names, which the stored list keeps whole.
organisations = st.builds(
    lambda words, place: organisation(" ".join(words) + (f", {place}" if place else "")),
    st.lists(capitalised, min_size=1, max_size=4),
    st.sampled_from(["", "", "San Francisco"]),
)
name_lists = st.lists(people | organisations, min_size=1, max_size=5)


def with_names(names: list[dict], et_al: bool) -> dict:
    values = {"authors": vancouver_authors(names, et_al), "author_list": names}
    return {**values, "authors_et_al": True} if et_al else values


author_lists = st.builds(with_names, name_lists, st.booleans())
# RIS and MEDLINE have no "et al.": their lists are written as far as they go.
whole_author_lists = st.builds(with_names, name_lists, st.just(False))
# Any letters, digits, punctuation, symbols and spaces, as titles and journal names hold.
texts = (
    st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=80)
    .map(clean)
    .filter(bool)
)
common = {
    "names": author_lists,
    "source": texts,
    "year": st.integers(1800, 2100),
    "volume": st.from_regex(r"[1-9][0-9]{0,3}|Suppl [1-9]", fullmatch=True),
    "issue": st.from_regex(r"[1-9][0-9]{0,2}|[1-9]-[1-9]", fullmatch=True),
    "pages": st.from_regex(r"[1-9][0-9]{0,4}(-[1-9][0-9]{0,4})?|e[1-9][0-9]{0,5}", fullmatch=True),
    "doi": st.from_regex(r"10\.5555/[a-z0-9][a-z0-9._\-/()]{0,30}", fullmatch=True),
    "pmid": st.from_regex(r"[1-9][0-9]{0,7}", fullmatch=True),
    "pmcid": st.from_regex(r"PMC[1-9][0-9]{0,7}", fullmatch=True),
    "url": st.from_regex(r"https://example\.org/[a-z0-9/_\-.?=&%~]{0,30}", fullmatch=True),
}
# What each format carries: every kind and URL everywhere; "et al." only in BibTeX ("others") and CSL.
kinds = st.sampled_from(["guideline", "systematic_review", "trial", "research", "other"])
carried = {
    ris: {**common, "names": whole_author_lists, "kind": kinds},
    bibtex: {**common, "kind": kinds},
    medline: {**common, "names": whole_author_lists, "kind": kinds},
    csl_json: {**common, "kind": kinds},
}
FORMAT_MODULES = [ris, bibtex, medline, csl_json]
# The types of work each format names. RIS's GEN and BibTeX's misc say nothing, so "document" reads back as no
# type there; MEDLINE tells only a journal paper (by its journal), a book and a chapter (by its book).
work_types = {
    ris: [work_type for work_type in WORK_TYPES if work_type != "document"],
    bibtex: [work_type for work_type in WORK_TYPES if work_type != "document"],
    csl_json: list(WORK_TYPES),
}


@pytest.fixture(autouse=True)
def quiet_bibtexparser():
    """bibtexparser logs a warning for every block it cannot read; generated text has many."""
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)


def reference_values(module):
    if module is medline:
        with_source = {name: value for name, value in carried[medline].items() if name != "source"}
        sourced = {"title": texts, "work_type": st.sampled_from(["article-journal", "chapter"]), "source": texts}
        book = {"title": texts, "work_type": st.just("book")}
        return (
            st.fixed_dictionaries(sourced, optional=with_source)
            | st.fixed_dictionaries(book, optional=carried[medline])
        ).map(_flat)
    required = {"title": texts, "work_type": st.sampled_from(work_types[module])}
    return st.fixed_dictionaries(required, optional=carried[module]).map(_flat)


def _flat(values: dict) -> dict:
    names = values.pop("names", {})
    return {**values, **names}


@pytest.mark.parametrize("module", FORMAT_MODULES, ids=lambda module: module.__name__.rsplit(".", 1)[-1])
@FAST
@given(data=st.data())
def test_every_format_reads_back_what_it_writes(module, data):
    references = data.draw(st.lists(reference_values(module), min_size=1, max_size=4))

    entries = module.parse(module.dump([(f"ref{number}", values) for number, values in enumerate(references)]))

    assert [(entry.values, entry.error) for entry in entries] == [(values, "") for values in references]


@pytest.mark.parametrize("module", [ris, bibtex, csl_json], ids=lambda module: module.__name__.rsplit(".", 1)[-1])
@FAST
@given(data=st.data())
def test_a_reference_of_no_known_type_is_written_as_the_type_its_details_suggest(module, data):
    values = data.draw(st.fixed_dictionaries({"title": texts}, optional=carried[module]).map(_flat))
    suggested = csl_type(values)

    (entry,) = module.parse(module.dump([("ref", values)]))

    says_nothing = suggested == "document" and module is not csl_json  # RIS's GEN, BibTeX's misc
    assert entry.values == (values if says_nothing else {**values, "work_type": suggested})


@pytest.mark.parametrize("module", FORMAT_MODULES, ids=lambda module: module.__name__.rsplit(".", 1)[-1])
def test_every_format_reads_back_the_sample_references_it_writes(module):
    references = [entry.values for entry in csl_json.parse(SAMPLE.read_text(encoding="utf-8"))]
    if module in (ris, medline):  # no "et al." in these formats
        references = [{**values, "authors_et_al": False} for values in references]
        for values in references:
            values.pop("authors_et_al")
            values["authors"] = vancouver_authors(values.get("author_list", []))
            if not values["authors"]:
                del values["authors"]
    expected = references
    if module is medline:  # a report is a type of work MEDLINE has no tag for
        expected = [{name: value for name, value in values.items() if value != "report"} for values in references]

    entries = module.parse(module.dump([(f"ref{number}", values) for number, values in enumerate(references)]))

    assert [entry.values for entry in entries] == expected


@pytest.mark.parametrize("module", FORMAT_MODULES, ids=lambda module: module.__name__.rsplit(".", 1)[-1])
@FAST
@given(text=st.text())
def test_every_format_refuses_arbitrary_text_only_with_a_reference_file_error(module, text):
    with contextlib.suppress(ReferenceFileError):
        module.parse(text)


@FAST
@given(data=st.binary())
def test_reading_refuses_arbitrary_bytes_only_with_a_reference_file_error(data):
    with contextlib.suppress(ReferenceFileError):
        read_entries(data, filename="upload")


@FAST
@given(family=family_names, given=given_names)
def test_a_name_reads_the_same_from_family_comma_given_and_from_its_vancouver_form(family, given):
    name = person(family, given)

    assert (name_from_display(f"{family}, {given}"), name_from_display(vancouver_name(name))) == (
        name,
        {key: value for key, value in name.items() if key != "given"},
    )


@FAST
@given(
    family=st.sampled_from(["Younger", "Parkitny", "McLain", "Okafor", "Nguyen", "Kowalski", "O'Brien"]),
    given=given_names,
)
def test_a_name_reads_the_same_from_given_then_family(family, given):
    assert name_from_display(f"{given} {family}") == person(family, given)


@FAST
@given(
    names=st.lists(people | organisations.filter(lambda name: "," not in name["literal"]), max_size=5),
    et_al=st.booleans(),
)
def test_a_vancouver_string_reads_back_into_the_list_it_was_written_from(names, et_al):
    """Without given names, and with no comma inside an organisation, the string says all the list does."""
    names = [{key: value for key, value in name.items() if key != "given"} for name in names]

    assert names_from_vancouver(vancouver_authors(names, et_al)) == (names, et_al)


# BibTeX text without macros, math or special characters is read by a fast path: it must read as pylatexenc does.
plain_latex = st.lists(
    st.sampled_from([*"abcXYZ019 .,;:?!`'-\"()/é", "{", "}", "{}", "--", "---", "``", "''"]), max_size=40
).map("".join)


@FAST
@given(text=plain_latex)
def test_bibtex_text_without_macros_reads_as_a_latex_reader_reads_it(text):
    balanced = text.count("{") == text.count("}") and all(
        text[: index + 1].count("{") >= text[: index + 1].count("}") for index in range(len(text))
    )
    if not balanced:
        return  # pylatexenc's tolerant reading of stray braces is not a promise either way

    assert bibtex._braces_and_ligatures(text) == bibtex._LATEX.transform_block(String("v", text), Library()).value
