"""Reading and writing reference files: what each format's fields become in our reference values."""

from pathlib import Path

import pytest

from references.formats import bibtex, csl_json, medline, ris
from references.formats.kinds import kind_from_publication_types
from references.formats.names import name_from_display, organisation, person, vancouver_authors, vancouver_name
from references.formats.records import ParsedEntry

SAMPLES = Path(__file__).parent / "samples" / "references"


def named(*names: dict, et_al: bool = False) -> dict:
    """The author values read from these names: the list, the flag when set, and their Vancouver string."""
    values = {"authors": vancouver_authors(list(names), et_al), "author_list": list(names)}
    return {**values, "authors_et_al": True} if et_al else values


YOUNGER_TITLE = "The use of low-dose naltrexone (LDN) as a novel anti-inflammatory treatment for chronic pain"
YOUNGER = {
    "title": YOUNGER_TITLE,
    **named(person("Younger", "Jarred"), person("Parkitny", "Luke"), person("McLain", "David")),
    "source": "Clinical Rheumatology",
    "year": 2014,
    "volume": "33",
    "issue": "4",
    "pages": "451-459",
    "doi": "10.1007/s10067-014-2517-2",
    "pmid": "24526250",
}
GUIDELINE = {
    "title": "Managing chronic pain in adults: a guideline for primary care",
    **named(organisation("Example Society for Pain Medicine")),
    "source": "Example Society for Pain Medicine",
    "year": 2022,
    "url": "https://example.org/guidelines/chronic-pain",
    "kind": "guideline",
}


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def ris_entry(*lines: str) -> dict:
    """The values of a one-entry RIS file made of these tag lines (of a type that names no type of work)."""
    (entry,) = ris.parse("\n".join(["TY  - GEN", *lines, "ER  - "]))
    return entry.values


def bibtex_entry(fields: str) -> ParsedEntry:
    """The one entry of a BibTeX file with these fields, of a type that names no type of work."""
    (entry,) = bibtex.parse("@misc{key,\n" + fields + "\n}\n")
    return entry


def medline_entry(*lines: str) -> ParsedEntry:
    (entry,) = medline.parse("\n".join(lines) + "\n")
    return entry


# RIS


def test_ris_sample_reads_into_exact_values_with_entry_numbers_and_first_lines():
    assert ris.parse(sample("ldn.ris")) == [
        ParsedEntry(number=1, line=3, values={**YOUNGER, "kind": "research", "work_type": "article-journal"}),
        ParsedEntry(
            number=2,
            line=21,
            values={
                "kind": "trial",
                "work_type": "article-journal",
                "title": "Low-dose naltrexone for fibromyalgia pain: a randomised, placebo-controlled crossover trial",
                **named(
                    person("Example", "Ann"), person("Sample", initials="BC"), person("van der Placeholder", "Carla")
                ),
                "source": "Journal of Example Pain Research",
                "year": 2021,
                "volume": "12",
                "issue": "3",
                "pages": "e1021",
                "doi": "10.5555/jepr.2021.1021",
                "url": "https://example.org/jepr/2021/e1021",
            },
        ),
        ParsedEntry(number=3, line=37, values={**GUIDELINE, "work_type": "report"}),
    ]


def test_ris_with_windows_line_endings_reads_like_any_other():
    assert ris.parse(sample("crlf.ris")) == [
        ParsedEntry(
            number=1,
            line=1,
            values={"work_type": "article-journal", "title": "Sample entry with Windows line endings", "year": 2020},
        )
    ]


def test_ris_title_comes_from_t1_when_there_is_no_ti():
    assert ris_entry("T1  - A primary title") == {"title": "A primary title"}


def test_ris_source_prefers_the_journal_over_the_publisher():
    values = ris_entry("TI  - Paper", "PB  - Example Press", "JA  - Ex J", "JF  - Example Journal")

    assert values == {"title": "Paper", "source": "Example Journal"}


def test_ris_year_is_the_first_four_digit_year_of_py_y1_or_da():
    assert ris_entry("TI  - Paper", "Y1  - 2019/06/01/", "DA  - 2018") == {"title": "Paper", "year": 2019}


def test_ris_pages_already_written_as_a_range_in_sp_stay_as_written():
    assert ris_entry("TI  - Paper", "SP  - 451-459", "EP  - 459") == {"title": "Paper", "pages": "451-459"}


def test_ris_single_page_with_equal_start_and_end_is_one_page():
    assert ris_entry("TI  - Paper", "SP  - 12", "EP  - 12") == {"title": "Paper", "pages": "12"}


def test_ris_doi_comes_from_a_doi_link_when_there_is_no_do_tag():
    values = ris_entry("TI  - Paper", "UR  - https://doi.org/10.5555/example.1")

    assert values == {"title": "Paper", "doi": "https://doi.org/10.5555/example.1"}


def test_ris_pmid_and_pmcid_come_from_pubmed_and_pmc_links():
    values = ris_entry(
        "TI  - Paper",
        "UR  - https://pubmed.ncbi.nlm.nih.gov/24526250/",
        "UR  - https://pmc.ncbi.nlm.nih.gov/articles/PMC0000001/",
        "UR  - https://example.org/paper",
    )

    assert values == {"title": "Paper", "pmid": "24526250", "pmcid": "PMC0000001", "url": "https://example.org/paper"}


def test_ris_accession_number_that_is_not_digits_is_not_a_pmid():
    assert ris_entry("TI  - Paper", "AN  - WOS:000000000000001") == {"title": "Paper"}


def test_ris_pmcid_comes_from_c2_where_endnote_puts_it():
    assert ris_entry("TI  - Paper", "C2  - PMC0000001") == {"title": "Paper", "pmcid": "PMC0000001"}


def test_ris_authors_repeated_as_a1_are_read_once():
    values = ris_entry("TI  - Paper", "AU  - Example, Ann", "A1  - Example, Ann")

    assert values == {"title": "Paper", **named(person("Example", "Ann"))}


def test_ris_identifiers_are_passed_on_as_written_for_the_importer_to_normalise():
    values = ris_entry("TI  - Paper", "DO  - https://doi.org/10.5555/X.1", "AN  - 24526250")

    assert values == {"title": "Paper", "doi": "https://doi.org/10.5555/X.1", "pmid": "24526250"}


def test_ris_entry_without_an_end_before_the_next_is_an_error_entry():
    entries = ris.parse("TY  - JOUR\nTI  - First\nTY  - JOUR\nTI  - Second\nER  - \n")

    assert entries == [
        ParsedEntry(number=1, line=1, error="has no end (“ER  -”) before the next entry starts on line 3."),
        ParsedEntry(number=2, line=3, values={"title": "Second", "work_type": "article-journal"}),
    ]


def test_ris_dump_writes_the_key_as_id_and_people_and_organisations_so_they_read_back():
    names = named(person("Younger", initials="JW"), organisation("Example Society for Pain Medicine"), et_al=True)
    text = ris.dump([("younger-2014", {**YOUNGER, **names})])

    assert text == (
        "TY  - JOUR\n"
        "ID  - younger-2014\n"
        f"TI  - {YOUNGER_TITLE}\n"
        "AU  - Younger, J. W.\n"
        "AU  - Example Society for Pain Medicine,\n"
        "T2  - Clinical Rheumatology\n"
        "PY  - 2014\n"
        "VL  - 33\n"
        "IS  - 4\n"
        "SP  - 451\n"
        "EP  - 459\n"
        "DO  - 10.1007/s10067-014-2517-2\n"
        "AN  - 24526250\n"
        "ER  - \n"
    )


def test_ris_dump_writes_a_guideline_without_journal_details_as_a_report_from_its_publisher():
    text = ris.dump([("guideline", GUIDELINE)])

    assert text.splitlines()[0] == "TY  - RPRT"
    assert "PB  - Example Society for Pain Medicine" in text.splitlines()


# BibTeX


def test_bibtex_sample_reads_into_exact_values_with_latex_decoded_and_repeated_keys_kept():
    assert bibtex.parse(sample("ldn.bib")) == [
        ParsedEntry(
            number=1,
            line=4,
            values={
                **YOUNGER,
                "work_type": "article-journal",
                "title": "The Use of Low-Dose Naltrexone (LDN) as a Novel Anti-Inflammatory Treatment for Chronic Pain",
            },
        ),
        ParsedEntry(
            number=2,
            line=16,
            values={
                "work_type": "article-journal",
                "title": "Low-Dose Naltrexone for Fibromyalgia Pain: A Randomised Crossover Trial in 5% of Clinics",
                **named(
                    person("Müller", "Jörg"),
                    person("Ejemplo", "José María"),
                    organisation("Example Pain Trials Consortium"),
                    et_al=True,
                ),
                "source": "Journal of Example Pain Research",
                "year": 2021,
                "volume": "12",
                "issue": "3",
                "pages": "e1021",
                "doi": "10.5555/jepr.2021.1021",
                "url": "https://example.org/jepr/2021/e1021?format=pdf&lang=en",
            },
        ),
        ParsedEntry(
            number=3,
            line=28,
            values={
                "work_type": "report",
                "title": "Managing Chronic Pain in Adults: A Guideline for Primary Care",
                **named(organisation("Example Society for Pain Medicine")),
                "source": "Example Society for Pain Medicine",
                "year": 2022,
                "url": "https://example.org/guidelines/chronic_pain",
            },
        ),
    ]


def test_bibtex_string_macros_and_concatenation_are_resolved_as_bibtex_does():
    entry = bibtex.parse(sample("bibtex-macros.bib"))[0]

    assert (entry.values["author_list"], entry.values["source"], entry.warnings) == (
        [person("César", "Jean"), organisation("Cancer Research UK, Oxford")],
        "Journal of Example Pain Research",
        [],
    )


def test_bibtex_undefined_macro_is_left_out_with_a_warning():
    entry = bibtex.parse(sample("bibtex-macros.bib"))[1]

    assert ("source" in entry.values, entry.warnings) == (
        False,
        ["gives its “journal” as “AIJ”, which the file never defines; it is left out."],
    )


def test_bibtex_month_macros_and_bare_numbers_are_values_not_undefined_macros():
    entry = bibtex_entry("title = {Paper}, month = mar, year = 2001, volume = 12")

    assert (entry.values, entry.warnings) == ({"title": "Paper", "year": 2001, "volume": "12"}, [])


def test_bibtex_math_in_a_title_is_read_as_text_with_sub_and_superscripts():
    (entry,) = bibtex.parse(sample("bibtex-math-and-editors.bib"))

    assert entry.values["title"] == (
        "Serum 25(OH)D below 30 nmol L⁻¹: vitamin D₃ and \N{GREEK SMALL LETTER ALPHA}-calcidol in ≥65-year-olds"
    )


def test_bibtex_editor_list_that_cannot_be_read_does_not_refuse_the_entry():
    (entry,) = bibtex.parse(sample("bibtex-math-and-editors.bib"))

    assert (entry.error, entry.values["author_list"]) == ("", [person("Example", "Ann")])


def test_bibtex_url_keeps_percent_and_tilde_that_latex_would_read_as_markup():
    entry = bibtex_entry("title = {Paper}, url = {https://example.org/~ann/a%20b}")

    assert entry.values == {"title": "Paper", "url": "https://example.org/~ann/a%20b"}


def test_bibtex_url_macro_and_escaped_underscore_are_unwrapped():
    entry = bibtex_entry(r"title = {Paper}, url = {\url{https://example.org/a_b}}, doi = {10.5555/a\_b}")

    assert entry.values == {"title": "Paper", "doi": "10.5555/a_b", "url": "https://example.org/a_b"}


def test_bibtex_names_in_first_last_order_with_particles_and_vancouver_names_are_read():
    entry = bibtex_entry("title = {Paper}, author = {Jan van der Berg and Younger J and Smith, Jr, John}")

    assert entry.values == {
        "title": "Paper",
        **named(person("van der Berg", "Jan"), person("Younger", initials="J"), person("Smith", "John", suffix="Jr")),
    }


def test_bibtex_braced_organisation_containing_and_is_one_author():
    entry = bibtex_entry("title = {Paper}, author = {{Example Society for Pain and Palliative Care}}")

    assert entry.values == {"title": "Paper", **named(organisation("Example Society for Pain and Palliative Care"))}


def test_bibtex_field_names_are_read_in_any_case_and_biblatex_pubmed_eprint_is_a_pmid():
    entry = bibtex_entry("TITLE = {Paper}, Date = {2020-05-01}, eprinttype = {pubmed}, eprint = {24526250}")

    assert entry.values == {"title": "Paper", "year": 2020, "pmid": "24526250"}


def test_bibtex_entry_giving_a_field_twice_is_an_error_entry():
    assert bibtex_entry("title = {One}, title = {Two}") == ParsedEntry(
        number=1, line=1, error="gives the field “title” more than once."
    )


def test_bibtex_entry_with_an_unreadable_author_name_is_an_error_entry_that_still_shows_its_title():
    assert bibtex_entry("title = {Paper}, author = {Smith, John, Jr, extra, more}") == ParsedEntry(
        number=1,
        line=1,
        values={"title": "Paper"},
        error="has an author name that could not be read: “Smith, John, Jr, extra, more”.",
    )


def test_bibtex_dump_writes_an_article_with_latex_escaped_and_a_safe_unique_key():
    values = {
        "title": "Pain & 5% of {COVID}-19 -- a_b",
        **named(person("Müller", initials="J"), organisation("Example Society"), et_al=True),
        "source": "Journal of Example Pain Research",
        "year": 2021,
        "pages": "1-9",
        "url": "https://example.org/a_b%20c",
    }

    text = bibtex.dump([("müller 2021/a", values), ("müller 2021/a", values)])

    assert text.split("\n\n")[0] == (
        "@article{mller2021a,\n"
        r"  title = {{Pain \& 5\% of \{COVID\}-19 -{}- a\_b}},"
        "\n"
        "  author = {Müller, J. and {Example Society} and others},\n"
        "  journal = {Journal of Example Pain Research},\n"
        "  year = {2021},\n"
        "  pages = {1--9},\n"
        "  url = {https://example.org/a_b%20c}\n"
        "}"
    )
    assert text.split("\n\n")[1].startswith("@article{mller2021a-2,\n")


# PubMed MEDLINE


def test_medline_sample_reads_into_exact_values_with_records_numbered_from_their_first_tag():
    assert medline.parse(sample("ldn.nbib")) == [
        ParsedEntry(
            number=1,
            line=2,
            values={
                **YOUNGER,
                "kind": "research",
                "work_type": "article-journal",
                "title": YOUNGER_TITLE + ".",
                "source": "Clinical rheumatology",
                "pages": "451-9",
            },
        ),
        ParsedEntry(
            number=2,
            line=25,
            values={
                "kind": "systematic_review",
                "work_type": "article-journal",
                "title": (
                    "Low-dose naltrexone for chronic pain: a systematic review and meta-analysis of example trials."
                ),
                **named(person("Example", "Ann"), organisation("Example Pain Review Group"), person("Sample", "Bea C")),
                "source": "Journal of example evidence",
                "year": 2023,
                "volume": "7",
                "issue": "1",
                "pages": "1-12",
                "doi": "10.5555/jee.2023.0001",
                "pmcid": "PMC0000001",
            },
        ),
    ]


def test_medline_without_full_author_names_reads_the_short_ones():
    entry = medline_entry("PMID- 24526250", "TI  - Paper.", "AU  - Younger J", "AU  - Parkitny L")

    assert entry.values == {
        "pmid": "24526250",
        "title": "Paper.",
        **named(person("Younger", initials="J"), person("Parkitny", initials="L")),
    }


def test_medline_book_record_gives_its_title_and_publisher():
    entry = medline_entry("PMID- 24526250", "BTI - A guideline on a bookshelf", "PB  - Example Society")

    assert entry.values == {
        "pmid": "24526250",
        "work_type": "book",
        "title": "A guideline on a bookshelf",
        "source": "Example Society",
    }


def test_medline_doi_comes_from_aid_when_lid_holds_only_the_publishers_id():
    entry = medline_entry("TI  - Paper", "LID - e1021 [pii]", "AID - e1021 [pii]", "AID - 10.5555/x.1 [doi]")

    assert entry.values == {"title": "Paper", "doi": "10.5555/x.1"}


@pytest.mark.parametrize(
    ("types", "kind"),
    [
        (["Journal Article", "Practice Guideline"], "guideline"),
        (["Guideline"], "guideline"),
        (["Journal Article", "Systematic Review"], "systematic_review"),
        (["Meta-Analysis"], "systematic_review"),
        (["Journal Article", "Randomized Controlled Trial"], "trial"),
        (["Clinical Trial, Phase III"], "trial"),
        (["Journal Article", "Review"], "research"),
        (["Journal Article"], "research"),
        (["Editorial"], "other"),
        (["Systematic Review", "Randomized Controlled Trial", "Practice Guideline"], "guideline"),
        ([], None),
    ],
)
def test_publication_types_name_the_strongest_evidence_kind_and_a_narrative_review_is_research(types, kind):
    assert kind_from_publication_types(types) == kind


def test_medline_dump_writes_tagged_lines_with_vancouver_names_and_group_authors():
    text = medline.dump(
        [
            (
                "ignored",
                {
                    **YOUNGER,
                    **named(person("Younger", "Jarred W"), organisation("Example Pain Review Group")),
                    "kind": "research",
                },
            )
        ]
    )

    assert text == (
        "PMID- 24526250\n"
        f"TI  - {YOUNGER_TITLE}\n"
        "FAU - Younger, Jarred W\n"
        "AU  - Younger JW\n"
        "CN  - Example Pain Review Group\n"
        "PT  - Journal Article\n"
        "JT  - Clinical Rheumatology\n"
        "DP  - 2014\n"
        "VI  - 33\n"
        "IP  - 4\n"
        "PG  - 451-459\n"
        "LID - 10.1007/s10067-014-2517-2 [doi]\n"
        "GN  - kind: research\n"
    )


# CSL-JSON


def test_csl_json_sample_reads_into_exact_values_without_line_numbers():
    assert csl_json.parse(sample("ldn.json")) == [
        ParsedEntry(number=1, line=None, values={**YOUNGER, "work_type": "article-journal"}),
        ParsedEntry(
            number=2,
            line=None,
            values={
                "kind": "trial",
                "work_type": "article-journal",
                "title": "Low-dose naltrexone for fibromyalgia pain: a randomised crossover trial",
                **named(
                    person("Example", "Ann"), person("Sample", "Bea C."), organisation("Example Pain Trials Consortium")
                ),
                "source": "Journal of Example Pain Research",
                "year": 2021,
                "volume": "12",
                "issue": "3",
                "pages": "e1021",
                "doi": "10.5555/jepr.2021.1021",
                "url": "https://example.org/jepr/2021/e1021",
            },
        ),
        ParsedEntry(number=3, line=None, values={**GUIDELINE, "work_type": "report"}),
    ]


def test_csl_json_object_with_items_reads_like_an_array():
    assert csl_json.parse('{"items": [{"title": "Paper"}]}') == [
        ParsedEntry(number=1, line=None, values={"title": "Paper"})
    ]


def test_csl_json_item_that_is_not_an_object_or_has_no_title_is_an_error_entry():
    assert csl_json.parse('[1, {"title": " "}, {"title": "Paper"}]') == [
        ParsedEntry(number=1, line=None, error="cannot be used: it is not a JSON object."),
        ParsedEntry(number=2, line=None, error="has no title."),
        ParsedEntry(number=3, line=None, values={"title": "Paper"}),
    ]


def test_csl_json_dump_writes_pretty_json_with_the_key_as_id():
    assert csl_json.dump([("guideline", GUIDELINE)]) == (
        "[\n"
        "  {\n"
        '    "id": "guideline",\n'
        '    "type": "report",\n'
        '    "title": "Managing chronic pain in adults: a guideline for primary care",\n'
        '    "author": [\n'
        "      {\n"
        '        "literal": "Example Society for Pain Medicine"\n'
        "      }\n"
        "    ],\n"
        '    "container-title": "Example Society for Pain Medicine",\n'
        '    "publisher": "Example Society for Pain Medicine",\n'
        '    "issued": {\n'
        '      "date-parts": [\n'
        "        [\n"
        "          2022\n"
        "        ]\n"
        "      ]\n"
        "    },\n"
        '    "URL": "https://example.org/guidelines/chronic-pain",\n'
        '    "note": "kind: guideline"\n'
        "  }\n"
        "]\n"
    )


# Names


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("Younger, Jarred W.", {"family": "Younger", "given": "Jarred W.", "initials": "JW"}),
        ("Jarred W. Younger", {"family": "Younger", "given": "Jarred W.", "initials": "JW"}),
        ("Younger JW", {"family": "Younger", "initials": "JW"}),
        ("Jan van der Berg", {"family": "van der Berg", "given": "Jan", "initials": "J"}),
        ("Jean-Paul Example", {"family": "Example", "given": "Jean-Paul", "initials": "JP"}),
        ("Smith, John, Jr", {"family": "Smith", "given": "John", "initials": "J", "suffix": "Jr"}),
        ("World Health Organization", {"literal": "World Health Organization"}),
        ("Example Pain Review Group", {"literal": "Example Pain Review Group"}),
        ("Mayo Clinic,", {"literal": "Mayo Clinic"}),
        ("University of California, San Francisco,", {"literal": "University of California, San Francisco"}),
        ("Cochrane", {"literal": "Cochrane"}),
        ("et al", "et al."),
    ],
)
def test_names_as_files_write_them_read_into_the_stored_shape(written, name):
    assert name_from_display(written) == name


def test_a_persons_vancouver_form_is_family_initials_and_suffix():
    assert vancouver_name(person("Smith", "John Adam", suffix="Jr")) == "Smith JA Jr"
