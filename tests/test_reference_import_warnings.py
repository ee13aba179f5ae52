"""Warnings, not refusals: an entry is refused only for want of a title or for being unreadable.

Each sample in tests/samples/references/ is a minimal case from a real export
that used to refuse an entry (or the whole file) over a detail the reference
can do without.
"""

from pathlib import Path

import pytest
from django.urls import reverse

from references.formats.reading import read_entries
from references.imports import import_plan, reference_file_preview
from references.models import ReferenceImport

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "samples" / "references"


def planned(name: str):
    """The plan of importing a sample file into an empty library."""
    format, entries = read_entries((SAMPLES / name).read_bytes(), filename=name)
    return import_plan(entries, format=format)


def outcome(name: str) -> list[tuple]:
    """(outcome, warnings) per entry of a sample file."""
    return [(plan.outcome.value, plan.warnings) for plan in planned(name).entries]


def test_endnote_go_to_isi_link_is_left_out_with_a_warning():
    plan = planned("wos-isi-url.ris").entries[0]

    assert (plan.outcome.value, "url" in plan.values, plan.warnings) == (
        "new",
        False,
        ["has a URL “<Go to ISI>://WOS:000123456700001” that is not a web address; it is left out."],
    )


def test_mendeley_url_field_with_two_links_keeps_the_first_and_one_with_spaces_is_encoded():
    plans = planned("mendeley-urls.bib").entries

    assert [(plan.outcome.value, plan.values["url"], plan.warnings) for plan in plans] == [
        (
            "new",
            "https://example.org/a",
            [
                "has a URL field holding “https://example.org/a https://example.org/b”; "
                "the first web address in it is used."
            ],
        ),
        (
            "new",
            "https://example.org/a%20file.pdf",
            ["has a URL with spaces, “https://example.org/a file.pdf”; it is used with the spaces encoded."],
        ),
    ]


def test_pages_saying_there_are_none_are_left_out_with_a_warning():
    assert outcome("no-pagination.bib") == [
        (
            "new",
            [
                "has pages “No Pagination Specified-No Pagination Specified”, which say there are none; "
                "they are left out."
            ],
        )
    ]


def test_an_issue_too_long_to_store_is_left_out_with_a_warning():
    assert outcome("ovid-long-issue.ris") == [
        (
            "new",
            [
                "has an issue “3 Supplement 1 (Proceedings of the Annual Meeting)” longer than 32 characters; "
                "it is left out."
            ],
        )
    ]


def test_a_field_given_twice_keeps_the_first_with_a_warning():
    assert outcome("scopus-repeated-field.bib") == [
        ("new", ["gives the field “funding_details” more than once; the first is used."])
    ]


def test_an_endnote_bibtex_entry_without_a_citation_key_is_read():
    plan = planned("endnote-keyless.bib").entries[0]

    assert (plan.outcome.value, plan.values["title"], plan.values["authors"]) == (
        "new",
        "An EndNote record without a citation key",
        "Younger J, Noor N",
    )


def test_ris_written_with_single_spaces_is_read():
    plan = planned("single-space.ris").entries[0]

    assert (plan.outcome.value, plan.values["title"], plan.values["authors"], plan.values["year"]) == (
        "new",
        "A file written with single spaces",
        "Younger J",
        2013,
    )


def test_a_title_only_in_the_short_title_is_used_with_a_warning():
    plan = planned("short-title-only.ris").entries[0]

    assert (plan.outcome.value, plan.values["title"], plan.warnings) == (
        "new",
        "A title only in the short title",
        ["has no title (TI or T1); its short title (ST) is used."],
    )


def test_the_import_record_keeps_the_warnings(editor):
    data = (SAMPLES / "wos-isi-url.ris").read_bytes()

    record, _ = reference_file_preview(data=data, file_name="wos-isi-url.ris", user=editor)

    assert ReferenceImport.objects.get(pk=record.pk).warnings == [
        ["entry 1 (line 1)", "has a URL “<Go to ISI>://WOS:000123456700001” that is not a web address; it is left out."]
    ]


def test_the_preview_lists_the_warnings_with_their_entry(client, editor):
    data = (SAMPLES / "no-pagination.bib").read_bytes()
    record, _ = reference_file_preview(data=data, file_name="no-pagination.bib", user=editor)
    client.force_login(editor)

    html = client.get(reverse("admin:references_referenceimport_change", args=[record.pk])).content.decode()

    assert (
        '<ul class="import-warnings"><li>Warning: it has pages “No Pagination Specified-No Pagination Specified”, '
        "which say there are none; they are left out.</li></ul>"
    ) in html


# DOIs wherever the source puts them.


def test_ebsco_doi_in_l3_is_the_references_doi():
    plan = planned("ebsco-l3-doi.ris").entries[0]

    assert (plan.values["doi"], plan.warnings) == ("10.5555/ebsco.l3", [])


def test_eric_medline_doi_written_as_a_link_in_aid_is_the_references_doi():
    plan = planned("eric-aid-link.nbib").entries[0]

    assert (plan.values["doi"], plan.warnings) == ("10.5555/eric.aid", [])


def test_zotero_short_doi_is_kept_as_given_with_a_warning():
    plan = planned("zotero-short-doi.json").entries[0]

    assert (plan.outcome.value, plan.values["doi"], plan.warnings) == (
        "new",
        "10/fqd6hj",
        [
            "has a short DOI, “10/fqd6hj”; it is kept as given, and cannot be matched to the full DOI it stands "
            "for without asking doi.org."
        ],
    )


def test_a_doi_field_holding_a_link_after_the_doi_uses_the_doi_with_a_warning():
    (entry_plan,) = planned("mendeley-doi-with-link.bib").entries
    assert (entry_plan.outcome.value, entry_plan.values["doi"]) == ("new", "10.5555/example.3000")
    assert entry_plan.warnings == [
        "has a DOI field holding more than a DOI, “10.5555/example.3000 "
        "http://example.org/journal/abs/example3000.html#supplementary-information”; "
        "the DOI at its start, 10.5555/example.3000, is used."
    ]
