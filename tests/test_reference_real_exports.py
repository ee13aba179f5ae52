"""Quirks of real exports found by reading them against other parsers (bench/reference_corpus.py).

Each sample is a made-up entry written the way one tool writes them.
"""

from pathlib import Path

from references.formats import bibtex
from references.formats.names import person

SAMPLES = Path(__file__).parent / "samples" / "references"


def parsed(name: str):
    (entry,) = bibtex.parse((SAMPLES / name).read_text(encoding="utf-8"))
    return entry


def test_bibtex_bare_ampersand_in_a_journal_or_title_is_kept_as_a_word():
    entry = parsed("sciencedirect-ampersand.bib")

    assert (entry.values["title"], entry.values["source"]) == (
        "Sleep & pain in adults: a made-up cohort",
        "Example Letters in Bioorganic & Medicinal Chemistry",
    )


def test_bibtex_short_capitalised_family_name_before_a_comma_stays_the_family_name():
    entry = parsed("jabref-capitalised-families.bib")

    assert entry.values["author_list"] == [
        person("XIAO", "Wenhong"),
        person("WU", "Li"),
        person("Example", "Ann"),
        person("Younger", initials="J"),  # written without a comma, Vancouver style
    ]


def test_bibtex_comma_left_after_each_name_is_ignored():
    entry = parsed("mendeley-trailing-commas.bib")

    assert (entry.error, entry.values["author_list"], entry.values["authors_et_al"]) == (
        "",
        [person("Example", initials="A"), person("Sample", initials="B")],
        True,
    )


def test_bibtex_names_in_biblatex_extended_form_are_read_with_their_particles():
    entry = parsed("betterbibtex-extended-names.bib")

    assert entry.error == ""
    assert entry.values["author_list"] == [
        person("Example", "Ann"),
        person("van Lissa", "Caspar J."),
        person("van den Berg", "Jan"),
    ]
    assert entry.values["editors"] == [person("van Aert", "Robbie")]


def test_bibtex_names_that_run_together_with_commas_still_refuse_the_entry():
    (entry,) = bibtex.parse("@article{a, author = {Example, A., Sample, B.,}, title = {Two people in one name}}")

    assert entry.error == "has an author name that could not be read: “Example, A., Sample, B.”."


def test_bibtex_html_written_with_textless_keeps_its_brackets_and_sub_and_superscripts_read_as_characters():
    entry = parsed("mendeley-html-in-title.bib")

    assert entry.values["title"] == "Atmospheric CO₂ and Ca²⁺ in <i>example</i> oceans"
