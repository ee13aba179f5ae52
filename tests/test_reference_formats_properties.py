"""Every format reads back what it writes, and no text crashes a reader: over generated input and the samples."""

import contextlib
import logging
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from references.formats import bibtex, csl_json, medline, ris
from references.formats.names import join_authors, split_authors, vancouver, vancouver_from_display
from references.formats.reading import read_entries
from references.formats.records import ReferenceFileError, clean

SAMPLE = Path(__file__).parent / "samples" / "references" / "ldn.json"
FAST = settings(max_examples=200, deadline=None)

capitalised = st.from_regex(r"[A-Z][a-z]{1,9}", fullmatch=True)
particles = st.sampled_from(["", "van ", "van der ", "de ", "de la ", "von "])
family_names = st.builds(
    lambda particle, words: particle + " ".join(words), particles, st.lists(capitalised, min_size=1, max_size=2)
)
given_names = st.lists(capitalised, min_size=1, max_size=3).map(" ".join)
initials = st.from_regex(r"[A-Z]{1,3}", fullmatch=True)
people = st.builds(vancouver, family_names, initials)
# A name whose last word is not initials is kept whole: an organisation.
organisations = st.lists(capitalised, min_size=1, max_size=4).map(" ".join)
author_lists = st.builds(
    lambda names, et_al: join_authors([*names, "et al."] if et_al else names),
    st.lists(people | organisations, min_size=1, max_size=5),
    st.booleans(),
)
# Any letters, digits, punctuation, symbols and spaces, as titles and journal names hold.
texts = (
    st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=80)
    .map(clean)
    .filter(bool)
)
common = {
    "authors": author_lists,
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
# What each format carries. RIS and MEDLINE write a kind as a PubMed publication type,
# and "other" has none; BibTeX has no place for a kind, MEDLINE none for a URL.
kinds = st.sampled_from(["guideline", "systematic_review", "trial", "research"])
carried = {
    ris: {**common, "kind": kinds},
    bibtex: common,
    medline: {**{name: value for name, value in common.items() if name != "url"}, "kind": kinds},
    csl_json: {**common, "kind": kinds | st.just("other")},
}
FORMAT_MODULES = [ris, bibtex, medline, csl_json]


@pytest.fixture(autouse=True)
def quiet_bibtexparser():
    """bibtexparser logs a warning for every block it cannot read; generated text has many."""
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)


def reference_values(module):
    return st.fixed_dictionaries({"title": texts}, optional=carried[module])


@pytest.mark.parametrize("module", FORMAT_MODULES, ids=lambda module: module.__name__.rsplit(".", 1)[-1])
@FAST
@given(data=st.data())
def test_every_format_reads_back_what_it_writes(module, data):
    references = data.draw(st.lists(reference_values(module), min_size=1, max_size=4))

    entries = module.parse(module.dump([(f"ref{number}", values) for number, values in enumerate(references)]))

    assert [(entry.values, entry.error) for entry in entries] == [(values, "") for values in references]


# BibTeX has no place for an evidence kind, MEDLINE none for a URL.
@pytest.mark.parametrize(
    ("module", "dropped"),
    [(ris, set()), (bibtex, {"kind"}), (medline, {"url"}), (csl_json, set())],
    ids=["ris", "bibtex", "medline", "csl_json"],
)
def test_every_format_reads_back_the_sample_references_it_writes(module, dropped):
    references = [entry.values for entry in csl_json.parse(SAMPLE.read_text(encoding="utf-8"))]

    entries = module.parse(module.dump([(f"ref{number}", values) for number, values in enumerate(references)]))

    assert [entry.values for entry in entries] == [
        {field: value for field, value in values.items() if field not in dropped} for values in references
    ]


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
def test_vancouver_name_is_the_same_from_family_comma_given_and_from_itself(family, given):
    name = vancouver(family, given)

    assert (vancouver_from_display(f"{family}, {given}"), vancouver_from_display(name)) == (name, name)


@FAST
@given(
    family=st.sampled_from(["Younger", "Parkitny", "McLain", "Okafor", "Nguyen", "Kowalski", "O'Brien"]),
    given=given_names,
)
def test_vancouver_name_is_the_same_from_given_then_family(family, given):
    assert vancouver_from_display(f"{given} {family}") == vancouver(family, given)


@FAST
@given(authors=author_lists)
def test_author_list_is_rebuilt_from_its_name_parts(authors):
    parts = split_authors(authors)

    rebuilt = [part["literal"] if "literal" in part else vancouver(part["family"], part["given"]) for part in parts]

    assert join_authors(rebuilt) == authors
