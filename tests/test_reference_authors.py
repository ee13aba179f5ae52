"""Authors as an ordered list of persons and organisations, read and written by each format's rules.

Each sample file in tests/samples/references/ is a minimal case of a name that a
real export holds and that the string form got wrong.
"""

import json
from pathlib import Path

import pytest

from references.formats import bibtex, csl_json, medline, ris
from references.formats.names import (
    NamesTextError,
    names_from_text,
    names_from_vancouver,
    names_text,
    organisation,
    person,
)
from references.formats.reading import read_entries, write_entries

SAMPLES = Path(__file__).parent / "samples" / "references"
UCSF = organisation("University of California, San Francisco")
CRUK = organisation("Cancer Research UK")


def read(name: str) -> dict:
    """The values of the one entry of a sample file."""
    _, (entry,) = read_entries((SAMPLES / name).read_bytes(), filename=name)
    return entry.values


def written(format: str, values: dict) -> str:
    return write_entries(format, [("ref1", values)])


def reread(format: str, values: dict) -> dict:
    """The values of an entry written in `format` and read back."""
    _, (entry,) = read_entries(written(format, values).encode(), format=format)
    return entry.values


# A group author whose name has a comma stays one author.


def test_medline_group_author_with_a_comma_is_one_organisation():
    assert read("group-author-comma.nbib")["author_list"] == [person("Example", "Ann"), UCSF]


@pytest.mark.parametrize("format", ["ris", "bibtex", "medline", "csl-json"])
def test_group_author_with_a_comma_is_one_organisation_after_a_round_trip(format):
    values = read("group-author-comma.nbib")

    assert reread(format, values)["author_list"] == [person("Example", "Ann"), UCSF]


# An organisation is never written as a person.


def test_csl_literal_organisation_is_read_as_an_organisation():
    assert read("group-author.json")["author_list"] == [CRUK]


def test_organisation_is_written_to_csl_as_a_literal():
    item = json.loads(written("csl-json", read("group-author.json")))[0]

    assert item["author"] == [{"literal": "Cancer Research UK"}]


def test_organisation_is_written_to_medline_as_a_group_author():
    assert "CN  - Cancer Research UK\n" in written("medline", read("group-author.json"))


def test_organisation_is_written_to_ris_whole_with_endnotes_trailing_comma():
    assert "AU  - Cancer Research UK,\n" in written("ris", read("group-author.json"))


def test_organisation_is_written_to_bibtex_braced():
    assert "author = {{Cancer Research UK}}" in written("bibtex", read("group-author.json"))


def test_stored_string_naming_an_organisation_reads_as_one():
    assert names_from_vancouver("Cancer Research UK, Younger J") == ([CRUK, person("Younger", initials="J")], False)


# Initials that are not ASCII are initials.


def test_medline_names_with_non_ascii_initials_are_persons():
    assert read("non-ascii-initials.nbib")["author_list"] == [
        person("Strand", "Liv Åse", initials="LÅ"),
        person("Sensoy", initials="Ö"),
    ]


def test_names_with_non_ascii_initials_are_written_to_csl_as_persons():
    item = json.loads(written("csl-json", {"title": "Paper", "authors": "Strand LÅ, Sensoy Ö"}))[0]

    assert item["author"] == [{"family": "Strand", "given": "L Å"}, {"family": "Sensoy", "given": "Ö"}]


def test_names_with_non_ascii_initials_are_written_to_medline_as_authors_not_group_authors():
    text = written("medline", {"title": "Paper", "authors": "Strand LÅ, Sensoy Ö"})

    assert [line for line in text.splitlines() if line[:4] in ("AU  ", "CN  ")] == [
        "AU  - Strand LÅ",
        "AU  - Sensoy Ö",
    ]


# "et al." is a flag on the list, never an author.


def test_ris_et_al_is_read_as_the_lists_flag():
    values = read("et-al.ris")

    assert (values["author_list"], values["authors_et_al"], values["authors"]) == (
        [person("Younger", "Jarred")],
        True,
        "Younger J, et al.",
    )


def test_et_al_is_not_written_to_ris_as_an_author():
    assert [line for line in written("ris", read("et-al.ris")).splitlines() if line.startswith("AU")] == [
        "AU  - Younger, Jarred"
    ]


def test_et_al_is_not_written_to_medline_as_an_author_or_group():
    text = written("medline", read("et-al.ris"))

    assert [line for line in text.splitlines() if line[:4] in ("FAU ", "AU  ", "CN  ")] == [
        "FAU - Younger, Jarred",
        "AU  - Younger J",
    ]


def test_et_al_is_written_to_csl_as_a_note_not_an_author():
    item = json.loads(written("csl-json", read("et-al.ris")))[0]

    assert (item["author"], item["note"]) == ([{"family": "Younger", "given": "Jarred"}], "authors: et al.")


def test_et_al_is_written_to_bibtex_as_others():
    assert "author = {Younger, Jarred and others}" in written("bibtex", read("et-al.ris"))


@pytest.mark.parametrize("format", ["bibtex", "csl-json"])
def test_et_al_survives_a_round_trip_where_the_format_can_say_it(format):
    values = read("et-al.ris")

    assert reread(format, values)["authors_et_al"] is True


# Names as each database writes them.


def test_embase_family_then_dotted_initials_reads_as_family_and_initials():
    assert read("embase-names.ris")["author_list"] == [
        person("Liu", initials="R"),
        person("Smith", initials="JA"),
    ]


def test_web_of_science_initials_after_the_comma_are_kept_whole():
    values = read("wos-names.ris")

    assert (values["author_list"], values["authors"]) == (
        [person("Dianiska", initials="RE"), person("Meissner", initials="CA")],
        "Dianiska RE, Meissner CA",
    )


def test_medline_orcid_is_kept_on_the_name_before_it():
    (entry,) = medline.parse("TI  - Paper\nFAU - Younger, Jarred\nAU  - Younger J\nAUID- ORCID: 0000-0002-1825-0097\n")

    assert entry.values["author_list"] == [person("Younger", "Jarred", orcid="0000-0002-1825-0097")]


def test_orcid_survives_a_medline_round_trip():
    values = {"title": "Paper", "author_list": [person("Younger", "Jarred", orcid="0000-0002-1825-0097")]}

    assert reread("medline", values)["author_list"] == values["author_list"]


def test_csl_particles_belong_to_the_family_name():
    item = {"title": "Paper", "author": [{"family": "Berg", "non-dropping-particle": "van der", "given": "Jan"}]}

    (entry,) = csl_json.parse(json.dumps([item]))

    assert entry.values["author_list"] == [person("van der Berg", "Jan")]


def test_bibtex_suffix_is_written_between_family_and_given_names():
    text = written("bibtex", {"title": "Paper", "author_list": [person("Smith", "John", suffix="Jr")]})

    assert "author = {Smith, Jr, John}" in text


def test_ris_suffix_is_written_after_the_given_names():
    text = written("ris", {"title": "Paper", "author_list": [person("Smith", "John", suffix="Jr")]})

    assert "AU  - Smith, John, Jr\n" in text


# Evidence kinds and URLs survive every format.


def test_bibtex_evidence_kind_is_read_from_its_own_field():
    _, entries = read_entries((SAMPLES / "evidence-kinds.bib").read_bytes(), filename="evidence-kinds.bib")

    assert [entry.values["kind"] for entry in entries] == ["guideline", "other"]


@pytest.mark.parametrize("kind", ["guideline", "systematic_review", "trial", "research", "other"])
@pytest.mark.parametrize("format", ["ris", "bibtex", "medline", "csl-json"])
def test_every_evidence_kind_survives_a_round_trip_in_every_format(format, kind):
    assert reread(format, {"title": "Paper", "kind": kind})["kind"] == kind


def test_ris_kind_note_names_other_which_no_publication_type_does():
    assert read("kind-other.ris")["kind"] == "other"


def test_medline_kind_note_and_url_are_read():
    values = read("kind-other-url.nbib")

    assert (values["kind"], values["url"]) == ("other", "https://example.org/editorial")


def test_url_survives_a_medline_round_trip():
    assert reread("medline", {"title": "Paper", "url": "https://example.org/paper"})["url"] == (
        "https://example.org/paper"
    )


def test_kind_note_wins_over_the_publication_types_in_medline():
    (entry,) = medline.parse("TI  - Paper\nPT  - Journal Article\nGN  - kind: other\n")

    assert entry.values["kind"] == "other"


# The editor's text form.


def test_editor_text_reads_persons_suffixes_orcids_organisations_and_et_al():
    text = (
        "Younger, Jarred W | https://orcid.org/0000-0002-1825-0097\n"
        "Smith, John, Jr\n"
        "Dianiska, RE\n"
        "Organisation: University of California, San Francisco\n"
        "et al."
    )

    assert names_from_text(text) == (
        [
            person("Younger", "Jarred W", orcid="0000-0002-1825-0097"),
            person("Smith", "John", suffix="Jr"),
            person("Dianiska", initials="RE"),
            UCSF,
        ],
        True,
    )


def test_editor_text_is_written_back_as_it_reads():
    names = [person("Younger", "Jarred W", orcid="0000-0002-1825-0097"), person("Smith", suffix="Jr"), CRUK]

    assert names_from_text(names_text(names, True)) == (names, True)


def test_editor_text_names_each_line_that_is_not_a_name():
    with pytest.raises(NamesTextError) as error:
        names_from_text("Younger, Jarred\nCancer Research UK\n, John\net al.\nNoor, N | 1234")

    assert error.value.problems == [
        "Line 2: “Cancer Research UK” — write a person as “Family, Given” "
        "or an organisation as “Organisation: Cancer Research UK”.",
        "Line 3: the family name (before the comma) is missing.",
        "Line 4: “et al.” can only be the last line.",
        "Line 5: “1234” is not an ORCID iD (four groups of four digits, such as 0000-0002-1825-0097).",
    ]


@pytest.mark.parametrize(
    ("stored", "names", "et_al"),
    [
        (
            "Younger J, Noor N, McCue R, et al.",
            [person("Younger", initials="J"), person("Noor", initials="N"), person("McCue", initials="R")],
            True,
        ),
        ("Strand LÅ, Sensoy Ö", [person("Strand", initials="LÅ"), person("Sensoy", initials="Ö")], False),
        (
            "Smith JA Jr, Roe R III",
            [person("Smith", initials="JA", suffix="Jr"), person("Roe", initials="R", suffix="III")],
            False,
        ),
        ("World Health Organization", [organisation("World Health Organization")], False),
        ("Cochrane", [organisation("Cochrane")], False),
        ("van der Berg J", [person("van der Berg", initials="J")], False),
        ("Doe J,, Roe R,", [person("Doe", initials="J"), person("Roe", initials="R")], False),
        ("Example A, et al., Sample B", [person("Example", initials="A"), person("Sample", initials="B")], True),
        ("et al.", [], True),
        ("", [], False),
    ],
)
def test_stored_strings_read_into_names(stored, names, et_al):
    assert names_from_vancouver(stored) == (names, et_al)


def test_bibtex_braced_organisation_with_a_comma_is_one_author():
    (entry,) = bibtex.parse("@article{k, title = {Paper}, author = {{University of California, San Francisco}}}")

    assert entry.values["author_list"] == [UCSF]


def test_ris_organisation_with_a_comma_and_endnotes_trailing_comma_is_one_author():
    (entry,) = ris.parse("TY  - JOUR\nTI  - Paper\nAU  - University of California, San Francisco,\nER  - \n")

    assert entry.values["author_list"] == [UCSF]
