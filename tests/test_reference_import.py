"""Importing reference files: re-imports update and never duplicate, bad entries are reported, the rest imported."""

import pytest
from django.core.exceptions import PermissionDenied

from config.history import acting_as
from references.formats.records import ParsedEntry
from references.imports import ImportConflict, import_apply, import_plan, reference_file_import, reference_file_preview
from references.models import Reference, ReferenceImport
from tests.factories import ReferenceFactory

pytestmark = pytest.mark.django_db

LDN_TRIAL = {
    "title": "Low-dose naltrexone for the treatment of fibromyalgia",
    "authors": "Younger J, Noor N, McCue R, Mackey S",
    "source": "Arthritis Rheum",
    "year": 2013,
    "volume": "65",
    "issue": "2",
    "pages": "529-538",
    "doi": "https://doi.org/10.1002/ART.37734",
    "pmid": "23359310",
}


def entry(number=1, line=None, **values):
    return ParsedEntry(number=number, line=line, values=values)


def imported(*entries, user, replace=()):
    with acting_as(user):
        return import_apply(list(entries), format="ris", replace=replace)


def test_import_creates_a_reference_with_normalised_identifiers(editor):
    plan = imported(entry(**LDN_TRIAL), user=editor)

    reference = Reference.objects.get()
    assert plan.counts == {"new": 1, "update": 0, "unchanged": 0, "error": 0}
    assert (reference.title, reference.doi, reference.pmid, reference.pages) == (
        "Low-dose naltrexone for the treatment of fibromyalgia",
        "10.1002/art.37734",
        "23359310",
        "529-538",
    )


def test_import_history_names_the_importing_editor(editor):
    imported(entry(**LDN_TRIAL), user=editor)

    history = Reference.history.get()
    assert (history.history_type, history.history_user) == ("+", editor)


def test_reimporting_the_same_file_creates_nothing_and_writes_no_history(editor):
    imported(entry(**LDN_TRIAL), user=editor)

    plan = imported(entry(**LDN_TRIAL), user=editor)

    assert plan.counts == {"new": 0, "update": 0, "unchanged": 1, "error": 0}
    assert Reference.objects.count() == 1
    assert Reference.history.count() == 1


def test_reimport_keeps_the_librarys_differing_details_by_default_and_lists_them(editor):
    imported(entry(**LDN_TRIAL), user=editor)

    plan = imported(entry(**{**LDN_TRIAL, "pages": "529-38", "issue": "2a"}), user=editor)

    reference = Reference.objects.get()
    assert plan.counts == {"new": 0, "update": 0, "unchanged": 1, "error": 0}
    assert (plan.entries[0].changes, plan.entries[0].differences) == (
        {},
        {"issue": ("2", "2a"), "pages": ("529-538", "529-38")},
    )
    assert (reference.issue, reference.pages) == ("2", "529-538")
    assert Reference.history.count() == 1


def test_reimport_fills_details_the_library_lacks(editor):
    imported(entry(**{**LDN_TRIAL, "issue": "", "pages": ""}), user=editor)

    plan = imported(entry(**LDN_TRIAL), user=editor)

    reference = Reference.objects.get()
    assert plan.entries[0].changes == {"issue": ("", "2"), "pages": ("", "529-538")}
    assert (reference.issue, reference.pages) == ("2", "529-538")


def test_reimport_taking_the_files_values_updates_those_fields_in_one_history_row(editor):
    imported(entry(**LDN_TRIAL), user=editor)

    plan = imported(
        entry(**{**LDN_TRIAL, "pages": "529-38", "issue": "2a", "source": "Arthritis Rheumatol"}),
        user=editor,
        replace=("issue", "pages"),
    )

    reference = Reference.objects.get()
    assert plan.counts == {"new": 0, "update": 1, "unchanged": 0, "error": 0}
    assert plan.entries[0].changes == {"issue": ("2", "2a"), "pages": ("529-538", "529-38")}
    assert plan.entries[0].differences == {"source": ("Arthritis Rheum", "Arthritis Rheumatol")}
    assert (reference.issue, reference.pages, reference.source) == ("2a", "529-38", "Arthritis Rheum")
    assert [row.history_type for row in Reference.history.order_by("history_id")] == ["+", "~"]


def test_a_file_cannot_be_told_to_replace_identifiers(editor):
    with pytest.raises(ValueError, match="cannot replace these fields: doi"):
        imported(entry(**LDN_TRIAL), user=editor, replace=("doi",))


def test_import_never_blanks_a_detail_the_file_lacks(editor):
    reference = ReferenceFactory(doi="10.1002/art.37734", volume="65", url="https://example.org/ldn")

    imported(entry(title=reference.title, doi="10.1002/art.37734", year=reference.year), user=editor)

    reference.refresh_from_db()
    assert (reference.volume, reference.url) == ("65", "https://example.org/ldn")


def test_import_keeps_the_editors_judgement_of_the_kind_of_evidence(editor):
    reference = ReferenceFactory(doi="10.1002/art.37734", kind=Reference.Kind.TRIAL)

    imported(entry(title=reference.title, doi="10.1002/art.37734", kind="systematic_review"), user=editor)

    reference.refresh_from_db()
    assert reference.kind == Reference.Kind.TRIAL


def test_new_reference_takes_the_kind_the_file_gives(editor):
    imported(entry(**LDN_TRIAL, kind="trial"), user=editor)

    assert Reference.objects.get().kind == Reference.Kind.TRIAL


def test_import_never_touches_retraction_standing(editor):
    reference = ReferenceFactory(doi="10.1002/art.37734", retraction_status=Reference.Retraction.RETRACTED)

    imported(entry(**LDN_TRIAL), user=editor)

    reference.refresh_from_db()
    assert reference.retraction_status == Reference.Retraction.RETRACTED


def test_entry_matched_by_pmid_fills_the_missing_doi(editor):
    reference = ReferenceFactory(doi="", pmid="23359310")

    plan = imported(entry(**LDN_TRIAL), user=editor)

    reference.refresh_from_db()
    assert plan.counts["update"] == 1
    assert reference.doi == "10.1002/art.37734"


def test_entry_matched_by_title_and_year_when_it_has_no_identifiers(editor):
    reference = ReferenceFactory(title="Low-Dose Naltrexone for the Treatment of Fibromyalgia", year=2013, doi="")

    plan = imported(entry(title="Low dose naltrexone: for the treatment of fibromyalgia.", year=2013), user=editor)

    assert plan.entries[0].reference == reference
    assert Reference.objects.count() == 1


def test_same_title_and_year_but_a_different_doi_is_a_different_paper(editor):
    ReferenceFactory(title=LDN_TRIAL["title"], year=2013, doi="10.5555/another", pmid="")

    plan = imported(entry(title=LDN_TRIAL["title"], year=2013, doi="10.1002/art.37734"), user=editor)

    assert plan.counts["new"] == 1
    assert Reference.objects.count() == 2


def test_entry_whose_pmid_matches_a_reference_with_another_doi_is_refused(editor):
    ReferenceFactory(title="A different paper", doi="10.5555/other", pmid="23359310")

    plan = imported(entry(number=4, line=31, **LDN_TRIAL), user=editor)

    assert plan.problems == [
        ("entry 4 (line 31)", "it matches “A different paper”, whose DOI is 10.5555/other, not 10.1002/art.37734.")
    ]
    assert Reference.objects.count() == 1


def test_entry_whose_identifiers_point_at_two_references_is_refused(editor):
    ReferenceFactory(title="Paper A", doi="10.1002/art.37734", pmid="")
    ReferenceFactory(title="Paper B", doi="", pmid="23359310")

    plan = imported(entry(**LDN_TRIAL), user=editor)

    assert plan.problems == [
        (
            "entry 1",
            "its DOI matches “Paper A” but its PMID matches “Paper B”; merge those references or correct the entry.",
        )
    ]


def test_bad_entries_are_reported_with_position_and_the_good_ones_imported(editor):
    plan = imported(
        entry(1, 1, **LDN_TRIAL),
        entry(2, 14, title="A trial with a broken identifier", doi="not a doi"),
        entry(3, 20, title="A trial from the future", year=2999),
        ParsedEntry(number=4, line=31, error="has no title (TI or T1)."),
        user=editor,
    )

    assert [position for position, _ in plan.problems] == [
        "entry 2 (line 14)",
        "entry 3 (line 20)",
        "entry 4 (line 31)",
    ]
    assert plan.problems[0][1].startswith("DOI “not a doi”: ")
    assert plan.problems[1][1].startswith("year: The year must be between 1800 and ")
    assert plan.problems[2][1] == "has no title (TI or T1)."
    assert list(Reference.objects.values_list("title", flat=True)) == [LDN_TRIAL["title"]]


def test_the_same_reference_twice_in_one_file_is_imported_once(editor):
    plan = imported(entry(1, 1, **LDN_TRIAL), entry(2, 12, title="Same paper", pmid="PMID: 23359310"), user=editor)

    assert plan.problems == [("entry 2 (line 12)", "it is the same reference as entry 1 (line 1).")]
    assert Reference.objects.count() == 1


def test_two_entries_matching_one_stored_reference_update_it_once(editor):
    ReferenceFactory(doi="10.1002/art.37734", pmid="23359310")

    plan = imported(
        entry(1, title="By DOI", doi="10.1002/art.37734"),
        entry(2, title="By PMID", pmid="23359310"),
        user=editor,
        replace=("title",),
    )

    assert plan.problems == [("entry 2", "it is the same reference as entry 1.")]
    assert Reference.objects.get().title == "By DOI"


def test_an_author_list_too_long_to_store_is_shortened_with_et_al(editor):
    authors = ", ".join(f"Investigator{n} AB" for n in range(200))

    imported(entry(**{**LDN_TRIAL, "authors": authors}), user=editor)

    stored = Reference.objects.get().authors
    assert len(stored) <= 1000
    assert stored.startswith("Investigator0 AB, Investigator1 AB, ")
    assert stored.endswith(", et al.")


@pytest.mark.parametrize("size", [20, 200])
def test_planning_costs_two_queries_whatever_the_file_size(size, django_assert_num_queries):
    for n in range(0, size, 2):
        ReferenceFactory(title=f"Paper {n}", doi=f"10.5555/paper.{n}")
    entries = [entry(n, title=f"Paper {n}", doi=f"10.5555/paper.{n}") for n in range(size)]

    with django_assert_num_queries(2):
        plan = import_plan(entries, format="ris")

    assert plan.counts == {"new": size // 2, "update": 0, "unchanged": size // 2, "error": 0}


def test_apply_reports_progress_as_it_writes(editor, monkeypatch):
    monkeypatch.setattr("references.imports.BATCH_SIZE", 2)
    seen = []
    entries = [entry(n, title=f"Paper {n}", doi=f"10.5555/paper.{n}") for n in range(1, 6)]

    with acting_as(editor):
        import_apply(entries, format="ris", progress=lambda done, total: seen.append((done, total)))

    assert seen == [(2, 5), (4, 5), (5, 5)]


RIS_FILE = (
    b"TY  - JOUR\r\nTI  - Low-dose naltrexone for the treatment of fibromyalgia\r\nAU  - Younger, Jarred\r\n"
    b"T2  - Arthritis Rheum\r\nPY  - 2013\r\nDO  - 10.1002/art.37734\r\nER  - \r\n"
)


def test_preview_keeps_the_file_and_changes_nothing(editor):
    record, plan = reference_file_preview(data=RIS_FILE, file_name="ldn.ris", user=editor)

    assert plan.counts == {"new": 1, "update": 0, "unchanged": 0, "error": 0}
    assert Reference.objects.count() == 0
    record.refresh_from_db()
    assert (record.status, record.format, record.size, bytes(record.content)) == (
        ReferenceImport.Status.PREVIEWED,
        "ris",
        len(RIS_FILE),
        RIS_FILE,
    )


def test_confirming_a_preview_imports_it_and_records_the_outcome(editor):
    record, _ = reference_file_preview(data=RIS_FILE, file_name="ldn.ris", user=editor)

    with acting_as(editor):
        reference_file_import(record=record, user=editor)

    record.refresh_from_db()
    assert record.status == ReferenceImport.Status.IMPORTED
    assert record.counts == {"new": 1, "update": 0, "unchanged": 0, "error": 0}
    assert Reference.objects.get().doi == "10.1002/art.37734"


def test_a_preview_is_imported_only_once(editor):
    record, _ = reference_file_preview(data=RIS_FILE, file_name="ldn.ris", user=editor)
    with acting_as(editor):
        reference_file_import(record=record, user=editor)

    with pytest.raises(ImportConflict, match=r"This file, ldn\.ris, was already imported on "):
        reference_file_import(record=record, user=editor)


def test_only_the_uploader_confirms_their_preview(editor):
    from tests.factories import EditorFactory

    record, _ = reference_file_preview(data=RIS_FILE, file_name="ldn.ris", user=editor)

    with pytest.raises(PermissionDenied):
        reference_file_import(record=record, user=EditorFactory(username="editor2"))
    assert Reference.objects.count() == 0


def test_a_board_member_cannot_import_references(board_member):
    with pytest.raises(PermissionDenied):
        reference_file_preview(data=RIS_FILE, file_name="ldn.ris", user=board_member)
    assert ReferenceImport.objects.count() == 0


def test_an_entry_describes_itself_in_one_line_for_the_preview():
    plan = import_plan([entry(**LDN_TRIAL)], format="ris")

    assert plan.entries[0].details == (
        "Younger J, Noor N, McCue R, Mackey S. Arthritis Rheum, 2013. DOI 10.1002/art.37734. PMID 23359310"
    )


# A title and year match only the same work.


def test_a_thesis_with_the_title_and_year_of_a_stored_paper_is_a_new_reference_with_a_warning(editor):
    paper = ReferenceFactory(
        title="Sleep and pain in fibromyalgia", year=2019, work_type="article-journal", doi="10.5555/sleep.1"
    )

    plan = imported(
        entry(title="Sleep and pain in fibromyalgia", year=2019, work_type="thesis", source="Example University"),
        user=editor,
    )

    assert plan.counts == {"new": 1, "update": 0, "unchanged": 0, "error": 0}
    assert plan.warnings == [
        (
            "entry 1",
            "has the same title and year as “Sleep and pain in fibromyalgia”, but it is a thesis, not a journal "
            "article; it is added as a new reference, and shown among the possible duplicates.",
        )
    ]
    paper.refresh_from_db()
    assert (paper.doi, paper.source) == ("10.5555/sleep.1", "Journal of Clinical Examples")
    assert sorted(Reference.objects.values_list("work_type", flat=True)) == ["article-journal", "thesis"]


def test_a_book_review_is_not_matched_to_the_book_it_reviews(editor):
    ReferenceFactory(title="Pain medicine", year=2020, work_type="book", source="Example Press", volume="", pages="")

    plan = imported(
        entry(title="Pain medicine", year=2020, source="Example Journal", volume="3", pages="12"), user=editor
    )

    assert plan.counts["new"] == 1
    assert "it is a journal article, not a book" in plan.warnings[0][1]


def test_a_stored_paper_of_no_recorded_type_is_known_by_its_journal_details(editor):
    ReferenceFactory(title="Sleep and pain", year=2019, work_type="", volume="4", pages="1-9")

    plan = imported(entry(title="Sleep and pain", year=2019, work_type="thesis"), user=editor)

    assert plan.counts["new"] == 1


def test_a_title_and_year_with_a_different_doi_is_a_new_reference_with_a_warning(editor):
    ReferenceFactory(title="Sleep and pain", year=2019, doi="10.5555/a")

    plan = imported(entry(title="Sleep and pain", year=2019, doi="10.5555/b"), user=editor)

    assert plan.counts["new"] == 1
    assert "but its DOI differs; it is added as a new reference" in plan.warnings[0][1]


def test_a_title_and_year_of_the_same_type_still_match(editor):
    stored = ReferenceFactory(title="Sleep and pain", year=2019, work_type="article-journal", volume="", pages="")

    plan = imported(entry(title="Sleep and pain", year=2019, work_type="article-journal", volume="4"), user=editor)

    assert plan.counts == {"new": 0, "update": 1, "unchanged": 0, "error": 0}
    assert plan.entries[0].reference.pk == stored.pk


def test_two_entries_of_one_file_with_one_title_and_year_but_two_types_are_both_new(editor):
    plan = imported(
        entry(1, title="Sleep and pain", year=2019, work_type="thesis"),
        entry(2, title="Sleep and pain", year=2019, work_type="article-journal"),
        user=editor,
    )

    assert plan.counts["new"] == 2


def test_the_import_record_keeps_the_fields_the_uploader_let_the_file_replace(editor):
    imported(entry(**LDN_TRIAL), user=editor)
    record, _ = reference_file_preview(
        data=b"TY  - JOUR\nTI  - Low-dose naltrexone\nDO  - 10.1002/art.37734\nSP  - 1\nER  - \n",
        file_name="fix.ris",
        user=editor,
    )

    with acting_as(editor):
        reference_file_import(record=record, user=editor, replace=("pages", "title"))

    record.refresh_from_db()
    assert record.replaced_fields == ["title", "pages"]
    assert (Reference.objects.get().title, Reference.objects.get().pages) == ("Low-dose naltrexone", "1")
