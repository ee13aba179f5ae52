"""Editors: an ordered list of names beside the authors, read and written by every format and shown by the styles."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from articles.documents import reference_document
from config.history import acting_as
from references.citation_styles import AMA, VANCOUVER, format_references
from references.formats import bibtex, csl_json, medline, ris
from references.formats.names import organisation, person
from references.formats.reading import FORMATS, read_entries, write_entries
from references.formats.records import ParsedEntry
from references.imports import import_apply
from tests.factories import ReferenceFactory

SAMPLES = Path(__file__).parent / "samples" / "references"
NOOR = person("Noor", "Nadia")
SMITH = person("Smith", initials="JA", suffix="Jr")
SOCIETY = organisation("Example Pain Society")
CHAPTER = {
    "work_type": "chapter",
    "title": "Pain after surgery in older adults",
    "author_list": [person("Example", "Ann")],
    "editors": [NOOR, SMITH, SOCIETY],
    "source": "A handbook of perioperative care",
    "year": 2021,
    "pages": "45-67",
}


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("format", FORMATS)
def test_editors_survive_a_round_trip_through_every_format_in_order(format):
    written = write_entries(format, [("example2021", CHAPTER)])

    _, (entry,) = read_entries(written.encode(), format=format)

    assert (entry.values["editors"], entry.values["author_list"], entry.warnings) == (
        [NOOR, SMITH, SOCIETY],
        [person("Example", "Ann")],
        [],
    )


@pytest.mark.parametrize("format", FORMATS)
def test_an_entry_without_editors_is_written_and_read_without_them(format):
    values = {key: value for key, value in CHAPTER.items() if key != "editors"}

    _, (entry,) = read_entries(write_entries(format, [("k", values)]).encode(), format=format)

    assert "editors" not in entry.values


def test_ris_reads_a2_as_the_editors_of_a_chapter_and_ed_as_the_older_tag_but_not_a3_series_editors():
    chapter, book = ris.parse(sample("chapter-editors.ris"))

    assert chapter.values["editors"] == [NOOR, SMITH, SOCIETY]
    assert book.values["editors"] == [person("Roe", "Rita")]


def test_ris_writes_editors_in_a2_the_specifications_tag():
    written = ris.dump([("k", CHAPTER)])

    assert [line for line in written.splitlines() if line.startswith("A2")] == [
        "A2  - Noor, Nadia",
        "A2  - Smith, J. A., Jr",
        "A2  - Example Pain Society,",
    ]


def test_medline_reads_bookshelf_editors_from_fed_and_ed_with_their_orcid_apart_from_the_authors():
    book, chapter = medline.parse(sample("bookshelf-editors.nbib"))

    assert book.values["editors"] == [
        {**person("Noor", "Nadia"), "orcid": "0000-0002-1825-0097"},
        person("Roe", "Rita Anne"),
    ]
    assert book.values["author_list"] == [organisation("Example Guideline Group")]
    assert chapter.values["author_list"] == [person("Example", "Ann")]
    assert chapter.values["editors"] == [{**person("Noor", "Nadia"), "orcid": "0000-0001-5109-3700"}]


def test_csl_editors_skip_blank_names_and_et_al():
    (entry,) = csl_json.parse(sample("editors.json"))

    assert entry.values["editors"] == [NOOR, SOCIETY]


def test_bibtex_editors_are_read_in_order_without_others():
    (entry,) = bibtex.parse(sample("editors.bib"))

    assert (entry.values["editors"], entry.warnings) == ([NOOR, SMITH, SOCIETY], [])


def test_bibtex_editor_list_that_cannot_be_read_is_a_warning_naming_an_editor_not_an_author():
    (entry,) = bibtex.parse(sample("bibtex-math-and-editors.bib"))

    assert entry.error == ""
    assert "editors" not in entry.values
    assert entry.warnings == [
        "has an editor name that could not be read: “a, name, list, at, all”; the editors are left out."
    ]


@pytest.mark.django_db
def test_a_stored_editor_list_that_is_not_names_is_refused_as_a_bad_editor():
    reference = ReferenceFactory.build(editors=[person("Noor", "Nadia"), {"given": "Nobody"}])

    with pytest.raises(ValidationError) as refused:
        reference.full_clean(validate_unique=False, validate_constraints=False)

    assert refused.value.message_dict == {
        "editors": ["Editor 2: a person needs a family name and only family, given, initials, suffix, orcid."]
    }


@pytest.mark.django_db
def test_import_stores_the_editors_and_fills_them_on_a_reference_that_has_none(editor):
    stored = ReferenceFactory(title=CHAPTER["title"], year=2021, doi="10.5555/chapter.1", pmid="")
    entry = ParsedEntry(number=1, line=None, values={**CHAPTER, "doi": "10.5555/chapter.1"})

    with acting_as(editor):
        plan = import_apply([entry], format="ris")

    stored.refresh_from_db()
    assert plan.counts == {"new": 0, "update": 1, "unchanged": 0, "error": 0}
    assert stored.editors == [NOOR, SMITH, SOCIETY]


@pytest.mark.django_db
def test_import_keeps_the_librarys_different_editors_unless_told_to_take_the_files(editor):
    stored = ReferenceFactory(editors=[person("Roe", "Rita")], doi="10.5555/chapter.1")
    entry = ParsedEntry(number=1, line=None, values={**CHAPTER, "doi": "10.5555/chapter.1"})

    with acting_as(editor):
        kept = import_apply([entry], format="ris")
        replaced = import_apply([entry], format="ris", replace=("editors",))

    stored.refresh_from_db()
    assert kept.entries[0].differences["editors"] == (
        "Roe, Rita",
        "Noor, Nadia; Smith, JA, Jr; Organisation: Example Pain Society",
    )
    assert replaced.counts["update"] == 1
    assert stored.editors == [NOOR, SMITH, SOCIETY]


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        (AMA, "Example A. Pain after surgery in older adults. In: Noor N, Smith JA Jr, Example Pain Society, eds."),
        (
            VANCOUVER,
            "Example A. Pain after surgery in older adults. In: Noor N, Smith JA Jr, Example Pain Society, editors.",
        ),
    ],
)
def test_citation_styles_name_a_chapters_editors(style, expected):
    reference = {"id": 1, **CHAPTER, "authors": "Example A"}

    (formatted,) = format_references([reference], style)

    assert formatted.startswith(expected)


@pytest.mark.django_db
def test_a_reference_document_carries_editors_only_when_there_are_some():
    without, with_editors = ReferenceFactory(), ReferenceFactory(editors=[NOOR])

    assert "editors" not in reference_document(without)
    assert reference_document(with_editors)["editors"] == [NOOR]


@pytest.mark.django_db
def test_editors_are_edited_as_lines_in_the_admin(client, editor):
    reference = ReferenceFactory()
    client.force_login(editor)
    url = reverse("admin:references_reference_change", args=[reference.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}

    response = client.post(url, {**data, "editors": "Noor, Nadia\nOrganisation: Example Pain Society\n"})

    reference.refresh_from_db()
    assert response.status_code == 302
    assert reference.editors == [NOOR, SOCIETY]


@pytest.mark.django_db
def test_the_admin_refuses_et_al_among_the_editors(client, editor):
    reference = ReferenceFactory()
    client.force_login(editor)
    url = reverse("admin:references_reference_change", args=[reference.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}

    response = client.post(url, {**data, "editors": "Noor, Nadia\net al.\n"})

    assert response.context["adminform"].form.errors["editors"] == [
        "Editors are listed in full: remove the “et al.” line."
    ]
