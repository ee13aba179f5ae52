"""Importing a reference file from the admin or the command line: upload, preview, confirm."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from references.models import Reference, ReferenceImport
from tests.factories import EditorFactory, ReferenceFactory, UserFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "samples" / "references"
UPLOAD_URL = reverse("admin:references_referenceimport_add")


def upload(client, name, content: bytes, **data):
    return client.post(UPLOAD_URL, {"file": SimpleUploadedFile(name, content), **data})


def preview_url(record):
    return reverse("admin:references_referenceimport_change", args=[record.pk])


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(UPLOAD_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_without_reference_rights_cannot_upload(client):
    client.force_login(UserFactory(username="intern", is_staff=True))

    assert client.get(UPLOAD_URL).status_code == 403


def test_a_board_member_cannot_upload(client, board_member):
    client.force_login(board_member)

    assert client.get(UPLOAD_URL).status_code == 403


def test_an_editor_sees_the_upload_form(client, editor):
    client.force_login(editor)

    page = client.get(UPLOAD_URL)

    assert page.status_code == 200
    assert "Preview the import" in page.content.decode()


def test_the_reference_list_links_to_the_import(client, editor):
    client.force_login(editor)

    page = client.get(reverse("admin:references_reference_changelist"))

    assert f'href="{UPLOAD_URL}"' in page.content.decode()


def test_uploading_shows_a_preview_and_saves_no_reference(client, editor):
    client.force_login(editor)

    response = upload(client, "ldn.ris", (SAMPLES / "ldn.ris").read_bytes())

    record = ReferenceImport.objects.get()
    assert response.status_code == 302
    assert response.url == preview_url(record)
    page = client.get(response.url).content.decode()
    assert "New references (" in page
    assert 'value="Import ' in page
    assert Reference.objects.count() == 0


def test_confirming_the_preview_imports_the_references(client, editor):
    client.force_login(editor)
    record = ReferenceImport.objects.get(pk=_uploaded(client, "ldn.ris"))
    expected_new = client.get(preview_url(record)).context["plan"].counts["new"]

    response = client.post(preview_url(record), follow=True)

    record.refresh_from_db()
    assert record.status == ReferenceImport.Status.IMPORTED
    assert Reference.objects.count() == expected_new > 0
    assert {row.history_user for row in Reference.history.all()} == {editor}
    assert "Imported ldn.ris: " in response.content.decode()


def test_an_imported_file_cannot_be_confirmed_again(client, editor):
    client.force_login(editor)
    record_pk = _uploaded(client, "ldn.ris")
    client.post(preview_url(ReferenceImport(pk=record_pk)))
    count = Reference.objects.count()

    response = client.post(preview_url(ReferenceImport(pk=record_pk)), follow=True)

    assert "This file, ldn.ris, was already imported on " in response.content.decode()
    assert Reference.objects.count() == count


def test_another_editor_sees_the_preview_but_cannot_confirm_it(client, editor):
    client.force_login(editor)
    record = ReferenceImport.objects.get(pk=_uploaded(client, "ldn.ris"))
    client.force_login(EditorFactory(username="editor2"))

    page = client.get(preview_url(record)).content.decode()
    response = client.post(preview_url(record))

    assert "Only editor, who uploaded this file, can import it." in page
    assert response.status_code == 403
    assert Reference.objects.count() == 0


def test_a_truncated_file_is_refused_with_its_reason_and_nothing_kept(client, editor):
    client.force_login(editor)

    page = upload(client, "truncated.ris", (SAMPLES / "truncated.ris").read_bytes())

    assert page.status_code == 200
    assert "looks truncated. Nothing was imported." in page.content.decode()
    assert ReferenceImport.objects.count() == 0


def test_a_file_that_is_not_utf8_is_refused(client, editor):
    client.force_login(editor)

    page = upload(client, "latin1.ris", (SAMPLES / "latin1.ris").read_bytes())

    assert "UTF-8" in page.content.decode()
    assert ReferenceImport.objects.count() == 0


def test_the_preview_lists_bad_entries_with_their_position(client, editor):
    client.force_login(editor)
    record = ReferenceImport.objects.get(pk=_uploaded(client, "two-bad-entries.ris"))

    plan = client.get(preview_url(record)).context["plan"]
    page = client.get(preview_url(record)).content.decode()

    assert plan.problems
    for position, _ in plan.problems:
        assert f"<td>{position}</td>" in page


def test_the_preview_shows_what_an_update_fills_and_what_it_keeps(client, editor):
    ReferenceFactory(title="An old title", doi="10.5555/ldn.trial", pmid="")
    client.force_login(editor)
    ris = b"TY  - JOUR\nTI  - A corrected title\nDO  - 10.5555/ldn.trial\nER  - \n"

    response = upload(client, "fix.ris", ris)

    page = client.get(response.url).content.decode()
    assert "References the file updates (1)" in page
    assert "type of work: “” → “article-journal”" in page
    assert "Kept from the library: title “An old title” (the file says “A corrected title”)" in page


def test_the_preview_with_the_files_values_chosen_shows_what_the_update_changes(client, editor):
    ReferenceFactory(title="An old title", doi="10.5555/ldn.trial", pmid="")
    client.force_login(editor)
    response = upload(client, "fix.ris", b"TY  - JOUR\nTI  - A corrected title\nDO  - 10.5555/ldn.trial\nER  - \n")

    page = client.get(response.url, {"policy": "chosen", "fields": ["title"]}).content.decode()

    assert "References the file updates (1)" in page
    assert "title: “An old title” → “A corrected title”" in page
    assert '<input type="hidden" name="fields" value="title">' in page


def test_confirming_with_the_files_values_chosen_replaces_them_and_records_the_choice(client, editor):
    reference = ReferenceFactory(title="An old title", doi="10.5555/ldn.trial", pmid="", source="Old Journal")
    client.force_login(editor)
    response = upload(
        client, "fix.ris", b"TY  - JOUR\nTI  - A corrected title\nT2  - New Journal\nDO  - 10.5555/ldn.trial\nER  - \n"
    )

    client.post(response.url, {"policy": "chosen", "fields": ["title"]})

    reference.refresh_from_db()
    assert (reference.title, reference.source) == ("A corrected title", "Old Journal")
    assert ReferenceImport.objects.get().replaced_fields == ["title"]


def test_confirming_by_default_keeps_the_librarys_values(client, editor):
    reference = ReferenceFactory(title="An old title", doi="10.5555/ldn.trial", pmid="")
    client.force_login(editor)
    response = upload(client, "fix.ris", b"TY  - JOUR\nTI  - A corrected title\nDO  - 10.5555/ldn.trial\nER  - \n")

    client.post(response.url, {})

    reference.refresh_from_db()
    assert reference.title == "An old title"
    assert ReferenceImport.objects.get().replaced_fields == []


def test_only_those_who_may_import_references_may_confirm_a_choice(client, editor, board_member):
    ReferenceFactory(title="An old title", doi="10.5555/ldn.trial", pmid="")
    client.force_login(editor)
    preview = upload(client, "fix.ris", b"TY  - JOUR\nTI  - A corrected title\nDO  - 10.5555/ldn.trial\nER  - \n").url
    client.force_login(board_member)

    refused = client.post(preview, {"policy": "all"})

    assert (refused.status_code, Reference.objects.get().title) == (403, "An old title")


def test_choosing_to_pick_fields_without_ticking_any_imports_nothing_and_says_why(client, editor):
    ReferenceFactory(title="An old title", doi="10.5555/ldn.trial", pmid="")
    client.force_login(editor)
    response = upload(client, "fix.ris", b"TY  - JOUR\nTI  - A corrected title\nDO  - 10.5555/ldn.trial\nER  - \n")

    refused = client.post(response.url, {"policy": "chosen"})

    assert refused.status_code == 400
    assert "Tick at least one field, or choose to keep the library" in refused.content.decode()
    assert ReferenceImport.objects.get().status == ReferenceImport.Status.PREVIEWED


def _uploaded(client, sample_name) -> int:
    response = upload(client, sample_name, (SAMPLES / sample_name).read_bytes())
    assert response.status_code == 302, response.content.decode()
    return int(response.url.rstrip("/").split("/")[-2])


# The command line.


def test_the_command_imports_a_file_and_reports_what_it_did(editor, capsys):
    call_command("import_references", str(SAMPLES / "ldn.nbib"), "--as", "editor")

    out = capsys.readouterr().out
    assert "Format: PubMed MEDLINE" in out
    assert f"New references: {Reference.objects.count()}" in out
    assert ReferenceImport.objects.get().status == ReferenceImport.Status.IMPORTED


def test_the_command_run_twice_creates_nothing_the_second_time(editor, capsys):
    call_command("import_references", str(SAMPLES / "ldn.ris"), "--as", "editor")
    count = Reference.objects.count()

    call_command("import_references", str(SAMPLES / "ldn.ris"), "--as", "editor")

    assert Reference.objects.count() == count
    assert f"Unchanged: {count}" in capsys.readouterr().out


def test_a_dry_run_changes_nothing_and_keeps_no_file(editor, capsys):
    call_command("import_references", str(SAMPLES / "ldn.ris"), "--as", "editor", "--dry-run")

    assert "Dry run: nothing was imported." in capsys.readouterr().out
    assert (Reference.objects.count(), ReferenceImport.objects.count()) == (0, 0)


def test_the_command_keeps_the_librarys_values_unless_told_to_take_the_files(editor, tmp_path, capsys):
    reference = ReferenceFactory(title="An old title", doi="10.5555/ldn.trial", pmid="", source="Old Journal")
    path = tmp_path / "fix.ris"
    path.write_bytes(b"TY  - JOUR\nTI  - A corrected title\nT2  - New Journal\nDO  - 10.5555/ldn.trial\nER  - \n")
    call_command("import_references", str(path), "--as", "editor")
    reference.refresh_from_db()
    kept = (reference.title, reference.source)

    call_command("import_references", str(path), "--as", "editor", "--take-file-values", "title")

    reference.refresh_from_db()
    assert (kept, (reference.title, reference.source)) == (
        ("An old title", "Old Journal"),
        ("A corrected title", "Old Journal"),
    )
    assert "source “Old Journal” kept (the file says “New Journal”)" in capsys.readouterr().out


def test_the_command_refuses_to_take_identifiers_from_the_file(editor):
    with pytest.raises(CommandError, match="--take-file-values cannot name doi"):
        call_command("import_references", str(SAMPLES / "ldn.ris"), "--as", "editor", "--take-file-values", "doi")


def test_the_command_refuses_a_malformed_file(editor):
    with pytest.raises(CommandError, match=r"looks truncated\. Nothing was imported\."):
        call_command("import_references", str(SAMPLES / "truncated.ris"), "--as", "editor")
    assert Reference.objects.count() == 0


def test_the_command_refuses_a_user_without_reference_rights(board_member):
    with pytest.raises(CommandError, match="permission to add and change references"):
        call_command("import_references", str(SAMPLES / "ldn.ris"), "--as", "board")


def test_the_command_shows_progress_on_stderr(editor, capsys):
    call_command("import_references", str(SAMPLES / "ldn.ris"), "--as", "editor")

    assert "references written (100%)" in capsys.readouterr().err
