"""Files that cannot be imported as a whole are refused with a message that says why; bad entries are pointed at."""

from pathlib import Path

import pytest

from references.formats import csl_json, medline, ris
from references.formats.reading import FORMATS, MAX_FILE_BYTES, read_entries, write_entries
from references.formats.records import ParsedEntry, ReferenceFileError

SAMPLES = Path(__file__).parent / "samples" / "references"
ACCEPTED = "The formats accepted are RIS (.ris), BibTeX (.bib), PubMed MEDLINE (.nbib) and CSL-JSON (.json)."
ONE_RIS_ENTRY = b"TY  - GEN\nTI  - Paper\nER  - \n"


def sample_bytes(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def refusal(data: bytes, **options) -> str:
    with pytest.raises(ReferenceFileError) as error:
        read_entries(data, **options)
    return str(error.value)


# Bad entries are reported where they are.


def test_ris_entries_without_a_title_or_with_an_unreadable_year_are_pointed_at_by_number_and_line():
    (_, entries) = read_entries(sample_bytes("two-bad-entries.ris"), filename="two-bad-entries.ris")

    assert [(entry.position, entry.error) for entry in entries] == [
        ("entry 1 (line 1)", ""),
        ("entry 2 (line 6)", "has no title (TI or T1)."),
        ("entry 3 (line 11)", ""),
        ("entry 4 (line 15)", "has a year “in press” that is not a number."),
    ]


def test_ris_entry_with_two_problems_names_both_in_one_sentence():
    (entry,) = ris.parse("TY  - GEN\nPY  - soon\nER  - \n")

    assert entry == ParsedEntry(
        number=1, line=1, error="has no title (TI or T1) and has a year “soon” that is not a number."
    )


def test_bibtex_entry_with_unbalanced_braces_mid_file_is_an_error_entry_and_the_rest_are_read():
    (_, entries) = read_entries(sample_bytes("unbalanced.bib"), filename="unbalanced.bib")

    assert entries == [
        ParsedEntry(number=1, line=1, values={"title": "A complete example entry", "year": 2019}),
        ParsedEntry(number=2, line=6, error="could not be read: a brace, quote or comma in it is out of place."),
        ParsedEntry(number=3, line=11, values={"title": "Another complete example entry", "year": 2021}),
    ]


def test_medline_record_with_neither_pmid_nor_title_is_an_error_entry():
    entries = medline.parse("PMID- 24526250\nTI  - Paper.\n\nAU  - Example A\nDP  - 2020\n")

    assert entries == [
        ParsedEntry(number=1, line=1, values={"pmid": "24526250", "title": "Paper."}),
        ParsedEntry(
            number=2,
            line=4,
            values={"authors": "Example A", "author_list": [{"family": "Example", "initials": "A"}], "year": 2020},
            error="has neither a PMID nor a title (TI).",
        ),
    ]


# Truncated files


def test_ris_file_ending_inside_an_entry_is_refused_as_truncated():
    assert refusal(sample_bytes("truncated.ris"), filename="truncated.ris") == (
        "The file ends inside entry 2 (line 6): it looks truncated."
    )


def test_bibtex_file_ending_inside_an_entry_is_refused_as_truncated():
    assert refusal(sample_bytes("truncated.bib"), filename="truncated.bib") == (
        "The file ends inside entry 2 (line 6): it looks truncated."
    )


def test_csl_json_file_cut_off_is_refused_as_truncated():
    assert refusal(sample_bytes("truncated.json"), filename="truncated.json") == (
        "The file ends at line 45 before its JSON is complete: it looks truncated."
    )


def test_csl_json_that_is_not_json_names_the_line_and_column():
    with pytest.raises(ReferenceFileError) as error:
        csl_json.parse('[\n  {"title": "Paper"},\n]\n')

    assert str(error.value) == "The file is not valid JSON: expecting value (line 3, column 1)."


def test_csl_json_that_is_not_a_list_of_items_is_refused():
    with pytest.raises(ReferenceFileError) as error:
        csl_json.parse('{"title": "Paper"}')

    assert str(error.value) == ("This is not a CSL-JSON file: it should hold a list of items, as Zotero exports them.")


# Files that are not text, not UTF-8, too big or empty


def test_file_in_latin_1_is_refused_naming_the_byte_and_asking_for_utf_8():
    assert refusal(sample_bytes("latin1.ris"), filename="latin1.ris") == (
        "The file is not UTF-8 text: the byte at offset 22 (line 2), 0xE9, is not UTF-8. "
        "Save the file as UTF-8 and upload it again."
    )


def test_utf_8_byte_order_mark_is_accepted():
    assert read_entries(b"\xef\xbb\xbf" + ONE_RIS_ENTRY, filename="refs.ris") == (
        "ris",
        [ParsedEntry(number=1, line=1, values={"title": "Paper"})],
    )


def test_binary_file_is_refused():
    assert refusal(b"%PDF-1.7\n\x00\x01\x02binary", filename="paper.ris") == (
        "This is not a text file: it contains null bytes, as binary files and UTF-16 text do. "
        "Export the references as text saved in UTF-8."
    )


def test_file_over_the_limit_is_refused_with_both_sizes():
    too_big = ONE_RIS_ENTRY + b" " * (MAX_FILE_BYTES - len(ONE_RIS_ENTRY) + 1)

    assert refusal(too_big, filename="refs.ris") == (
        "The file is 50.1 MiB; the largest file accepted is 50.0 MiB. Split it into smaller files."
    )


@pytest.mark.parametrize("data", [b"", b" \n\r\n\t"])
def test_empty_file_is_refused(data):
    assert refusal(data, filename="refs.ris") == "The file is empty."


def test_file_of_a_known_format_with_no_entries_is_refused():
    assert refusal(b"% only a comment\n", filename="refs.bib") == (
        "The file holds no references: it is BibTeX with no entries."
    )


def test_text_with_no_ris_entry_is_not_ris():
    with pytest.raises(ReferenceFileError) as error:
        ris.parse("TI  - A title with no entry around it\n")

    assert str(error.value) == "This is not a RIS file: no entry starts with “TY  -”."


def test_text_with_no_medline_tags_is_not_medline():
    with pytest.raises(ReferenceFileError) as error:
        medline.parse("Younger J, Parkitny L, McLain D. The use of low-dose naltrexone.\n")

    assert str(error.value) == (
        "This is not a PubMed MEDLINE file: no line starts with a tag such as “PMID- ” or “TI  - ”."
    )


# Telling the format


@pytest.mark.parametrize(
    ("filename", "sample", "format_name"),
    [
        ("refs.ris", "ldn.ris", "ris"),
        ("REFS.RIS", "ldn.ris", "ris"),
        ("refs.bib", "ldn.bib", "bibtex"),
        ("refs.bibtex", "ldn.bib", "bibtex"),
        ("pubmed-naltrexone.nbib", "ldn.nbib", "medline"),
        ("refs.medline", "ldn.nbib", "medline"),
        ("refs.json", "ldn.json", "csl-json"),
        ("refs.csl.json", "ldn.json", "csl-json"),
    ],
)
def test_format_is_told_by_the_file_extension(filename, sample, format_name):
    (name, _) = read_entries(sample_bytes(sample), filename=filename)

    assert name == format_name


@pytest.mark.parametrize(
    ("filename", "sample", "format_name"),
    [
        ("pubmed-result.txt", "ldn.nbib", "medline"),
        ("export.txt", "ldn.ris", "ris"),
        ("references", "ldn.bib", "bibtex"),
        ("", "ldn.json", "csl-json"),
    ],
)
def test_format_of_a_txt_file_or_one_without_extension_is_told_by_its_content(filename, sample, format_name):
    (name, _) = read_entries(sample_bytes(sample), filename=filename)

    assert name == format_name


def test_format_given_by_the_caller_overrides_the_extension():
    (name, entries) = read_entries(sample_bytes("ldn.nbib"), filename="export.ris", format="medline")

    assert (name, len(entries)) == ("medline", 2)


def test_text_file_of_no_known_format_is_refused_listing_the_formats_accepted():
    assert refusal(b"Younger J, Parkitny L. A paper. 2014.\n", filename="refs.txt") == (
        f"The format of the file was not recognised. {ACCEPTED}"
    )


def test_unknown_format_name_is_refused_listing_the_formats_accepted():
    assert refusal(ONE_RIS_ENTRY, format="endnote-xml") == f"“endnote-xml” is not a format we read or write. {ACCEPTED}"


def test_formats_list_what_the_views_need_to_offer_and_serve_them():
    assert {name: (format.label, format.extension, format.media_type) for name, format in FORMATS.items()} == {
        "ris": ("RIS", ".ris", "application/x-research-info-systems"),
        "bibtex": ("BibTeX", ".bib", "application/x-bibtex"),
        "medline": ("PubMed MEDLINE", ".nbib", "text/plain"),
        "csl-json": ("CSL-JSON", ".json", "application/vnd.citationstyles.csl+json"),
    }


def test_write_entries_writes_in_the_named_format():
    assert write_entries("ris", [("k", {"title": "Paper"})]) == "TY  - GEN\nID  - k\nTI  - Paper\nER  - \n"
