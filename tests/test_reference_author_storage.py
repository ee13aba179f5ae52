"""The structured authors stored, edited, migrated, imported and frozen into revisions."""

import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from articles.documents import REFERENCE_KEYS, reference_document
from config.history import acting_as
from editorial.corrections import words_of
from editorial.revisions import content_hash, reference_editors, revision_is_intact, working_copy_document
from references.citation_styles import AMA, format_references
from references.formats.names import organisation, person
from references.formats.records import ParsedEntry
from references.imports import import_apply, import_plan
from references.models import Reference
from tests.admin_forms import admin_form_data
from tests.factories import EditorFactory, ReferenceFactory
from tests.workflow_helpers import approved, citable_article

migration = importlib.import_module("references.migrations.0007_structured_authors")
YOUNGER = person("Younger", "Jarred W")
CRUK = organisation("Cancer Research UK")


def change_url(reference):
    return reverse("admin:references_reference_change", args=[reference.pk])


def first_reference(article):
    return article.sections.first().claims.first().citations.first().reference


# The model keeps the string and the list saying the same.


@pytest.mark.django_db
def test_a_string_set_alone_is_read_into_the_list():
    reference = ReferenceFactory(authors="Younger J, Cancer Research UK, et al.")

    assert (reference.author_list, reference.authors_et_al) == ([person("Younger", initials="J"), CRUK], True)


@pytest.mark.django_db
def test_a_list_set_is_written_out_as_the_string():
    reference = ReferenceFactory(authors="", author_list=[YOUNGER, CRUK], authors_et_al=True)

    assert reference.authors == "Younger JW, Cancer Research UK, et al."


@pytest.mark.django_db
def test_changing_the_string_of_a_stored_reference_rereads_the_list():
    reference = ReferenceFactory(author_list=[YOUNGER])
    reference.authors = "Noor N"
    reference.save()

    assert Reference.objects.get(pk=reference.pk).author_list == [person("Noor", initials="N")]


@pytest.mark.django_db
def test_a_string_that_reads_as_the_list_is_never_rewritten():
    reference = ReferenceFactory(authors="Doe J,,  Roe R")
    reference.title = "Retitled"
    reference.save()

    assert Reference.objects.get(pk=reference.pk).authors == "Doe J,,  Roe R"


@pytest.mark.django_db
def test_a_list_not_in_the_stored_shape_is_refused():
    reference = ReferenceFactory.build(author_list=[{"given": "Jarred"}])

    with pytest.raises(Exception) as error:
        reference.full_clean()

    assert error.value.message_dict["author_list"] == [
        "Author 1: a person needs a family name and only family, given, initials, suffix, orcid."
    ]


# Revisions: the structure is frozen only where it says more than the string.


@pytest.mark.django_db
def test_document_of_a_reference_whose_list_is_its_string_has_the_keys_it_always_had():
    reference = ReferenceFactory(authors="Younger J, Noor N, et al.")

    assert set(reference_document(reference)) == {"id", *REFERENCE_KEYS}


@pytest.mark.django_db
def test_document_carries_the_list_when_it_says_more_than_the_string():
    reference = ReferenceFactory(authors="", author_list=[YOUNGER, organisation("University of California, SF")])

    document = reference_document(reference)

    assert (document["authors"], document["author_list"], document["authors_et_al"]) == (
        "Younger JW, University of California, SF",
        [YOUNGER, organisation("University of California, SF")],
        False,
    )


@pytest.mark.django_db
def test_an_approved_revision_still_matches_its_working_copy_and_its_hash_after_the_migration(editor, managing_editor):
    """A reference stored as a string alone (as before the migration) and then migrated changes no document."""
    article = citable_article()
    reference = first_reference(article)
    reference.authors = "Younger J, Strand LÅ, Cancer Research UK, et al."
    reference.save()
    Reference.objects.filter(pk=reference.pk).update(author_list=[], authors_et_al=False)  # the string alone
    revision, _ = approved(article, editor, managing_editor)

    migration.structure_authors(django_apps, None)

    # The revision also carries its kind of change, which a working copy never does: compare the words.
    assert (revision_is_intact(revision), content_hash(working_copy_document(article))) == (
        True,
        content_hash(words_of(revision.content)),
    )
    assert Reference.objects.get(pk=reference.pk).authors_et_al is True


@pytest.mark.django_db
def test_readers_export_of_a_revision_frozen_with_the_string_writes_no_et_al_author(client, editor, managing_editor):
    article = citable_article()
    reference = first_reference(article)
    reference.authors = "Younger J, et al."
    reference.save()
    approved(article, editor, managing_editor)

    text = client.get(reverse("reader:article_references", args=[article.slug, "ris"])).content.decode()

    assert [line for line in text.splitlines() if line.startswith("AU")][:2] == ["AU  - Younger, J.", "AU  - Doe, J."]


@pytest.mark.django_db
def test_citation_style_shows_a_shortened_list_with_et_al_after_the_names():
    reference = {"id": 1, "title": "Paper", "authors": "Younger J, et al.", "source": "J Ex", "year": 2020}

    (line,) = format_references([reference], AMA, with_identifiers=False)

    assert line.startswith("Younger J, et al. Paper.")


@pytest.mark.django_db
def test_citation_style_shows_an_organisation_whole():
    reference = {"id": 1, "title": "Paper", "authors": "Cancer Research UK", "source": "J Ex", "year": 2020}

    (line,) = format_references([reference], AMA, with_identifiers=False)

    assert line.startswith("Cancer Research UK. Paper.")


@pytest.mark.django_db
def test_a_history_row_from_before_the_structure_counts_as_the_same_authors(editor, managing_editor):
    """Only a change to the frozen words makes someone a contributor: gaining the list is not one."""
    reference = ReferenceFactory(authors="Younger J, Noor N")
    since = reference.history.latest().history_date
    other = EditorFactory(username="other")
    reference.retraction_source = "A notice"
    with acting_as(other):
        reference.save()

    assert reference_editors([reference.pk], since=since) == set()


# The admin: one name a line.


@pytest.mark.django_db
def test_admin_shows_the_authors_one_a_line_with_organisations_marked(client, editor):
    reference = ReferenceFactory(authors="", author_list=[YOUNGER, CRUK], authors_et_al=True)
    client.force_login(editor)

    form = admin_form_data(client.get(change_url(reference)))

    assert form["author_list"] == "Younger, Jarred W\nOrganisation: Cancer Research UK\net al."


@pytest.mark.django_db
def test_admin_saves_the_names_typed(client, editor):
    reference = ReferenceFactory()
    client.force_login(editor)
    form = admin_form_data(client.get(change_url(reference)))
    form["author_list"] = "Younger, Jarred W | 0000-0002-1825-0097\r\nOrganisation: Cancer Research UK, Oxford\r\n"

    response = client.post(change_url(reference), form)

    reference.refresh_from_db()
    assert (response.status_code, reference.author_list, reference.authors) == (
        302,
        [person("Younger", "Jarred W", orcid="0000-0002-1825-0097"), organisation("Cancer Research UK, Oxford")],
        "Younger JW, Cancer Research UK, Oxford",
    )


@pytest.mark.django_db
def test_admin_refuses_a_line_that_is_not_a_name_and_keeps_the_text_typed(client, editor):
    reference = ReferenceFactory()
    client.force_login(editor)
    form = admin_form_data(client.get(change_url(reference)))
    form["author_list"] = "Younger, Jarred\nCancer Research UK"

    response = client.post(change_url(reference), form)

    assert (response.status_code, admin_form_data(response)["author_list"], Reference.objects.get().authors) == (
        200,
        "Younger, Jarred\nCancer Research UK",
        "Doe J, Roe R",
    )
    assert "Line 2: “Cancer Research UK” — write a person as “Family, Given”" in response.content.decode()


@pytest.mark.django_db
def test_admin_save_without_changes_keeps_a_migrated_string_as_it_was(client, editor):
    reference = ReferenceFactory(authors="Doe J,,  Roe R")
    client.force_login(editor)
    form = admin_form_data(client.get(change_url(reference)))

    client.post(change_url(reference), form)

    assert Reference.objects.get().authors == "Doe J,,  Roe R"


# Imports store the structure and compare it.


def entry(**values):
    return ParsedEntry(number=1, line=None, values={"title": "Paper", "doi": "10.5555/x.1", **values})


@pytest.mark.django_db
def test_import_stores_the_files_names_as_read(editor):
    with acting_as(editor):
        import_apply([entry(author_list=[YOUNGER, CRUK], authors_et_al=True)], format="ris")

    reference = Reference.objects.get()
    assert (reference.author_list, reference.authors_et_al, reference.authors) == (
        [YOUNGER, CRUK],
        True,
        "Younger JW, Cancer Research UK, et al.",
    )


@pytest.mark.django_db
def test_import_of_fuller_names_taking_the_files_authors_is_an_update_of_the_authors():
    ReferenceFactory(title="Paper", doi="10.5555/x.1", authors="Younger JW")

    plan = import_plan([entry(author_list=[YOUNGER])], format="ris", replace=("authors",))

    assert plan.entries[0].changes == {"authors": ("Younger, JW", "Younger, Jarred W")}


@pytest.mark.django_db
def test_import_of_other_names_for_a_paper_with_authors_keeps_the_stored_ones_by_default():
    ReferenceFactory(title="Paper", doi="10.5555/x.1", authors="Younger JW")

    plan = import_plan([entry(author_list=[YOUNGER])], format="ris")

    assert (plan.entries[0].changes, plan.entries[0].differences) == (
        {},
        {"authors": ("Younger, JW", "Younger, Jarred W")},
    )


# The migration reads every stored string.


# It really migrates, so it commits: the tables are emptied and the data reloaded afterwards, like
# every committing test's, and the schema goes back to the latest migrations whatever happens.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_reads_each_stored_string_into_names_and_leaves_the_string_alone():
    try:
        _migration_reads_each_stored_string()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def _migration_reads_each_stored_string():
    before, after = [("references", "0006_merged_reference")], [("references", "0007_structured_authors")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("references", "Reference")
    strings = ["Younger J, Noor N, et al.", "Strand LÅ, Sensoy Ö", "Cancer Research UK", "Smith JA Jr", "", "et al."]
    for number, authors in enumerate(strings):
        old.objects.create(title=f"Paper {number}", authors=authors)
    executor = MigrationExecutor(connection)
    executor.migrate(after)

    rows = Reference.objects.order_by("title").values_list("authors", "author_list", "authors_et_al")
    assert [tuple(row) for row in rows] == [
        ("Younger J, Noor N, et al.", [person("Younger", initials="J"), person("Noor", initials="N")], True),
        ("Strand LÅ, Sensoy Ö", [person("Strand", initials="LÅ"), person("Sensoy", initials="Ö")], False),
        ("Cancer Research UK", [CRUK], False),
        ("Smith JA Jr", [person("Smith", initials="JA", suffix="Jr")], False),
        ("", [], False),
        ("et al.", [], True),
    ]
    assert json.dumps(rows[0][1])  # plain JSON, as stored
