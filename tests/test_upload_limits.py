"""The admin's reference import refuses files above the web limit early, with the reason, never a 500."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from references.admin_imports import MULTIPART_ALLOWANCE
from references.models import ReferenceImport
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UPLOAD_URL = reverse("admin:references_referenceimport_add")
ONE_ENTRY = (Path(__file__).parent / "samples" / "references" / "ldn.ris").read_bytes().split(b"ER  -")[0] + b"ER  -\n"
REFUSED = "the largest file this form takes"


class CountingStream(io.BytesIO):
    """A request body that remembers how much of it was read."""

    def __init__(self, data=b""):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.bytes_read += len(line)
        return line


def announce_upload(client, size: int):
    """POST a multipart request that announces `size` bytes; return the response and the body stream."""
    stream = CountingStream(b"--BoUnDaRy\r\n")
    response = client.generic(
        "POST",
        UPLOAD_URL,
        content_type="multipart/form-data; boundary=BoUnDaRy",
        **{"CONTENT_LENGTH": str(size), "wsgi.input": stream},
    )
    return response, stream


def padded_ris(size: int) -> bytes:
    return ONE_ENTRY + b"\n" * (size - len(ONE_ENTRY))


def test_an_upload_announced_above_the_limit_is_refused_before_its_body_is_read(editor):
    client = Client(enforce_csrf_checks=True)  # a CSRF check would read the body: it must not come first
    client.force_login(editor)

    response, stream = announce_upload(client, 50 * 1024 * 1024)

    assert response.status_code == 413
    assert stream.bytes_read == 0
    page = response.content.decode()
    assert "The upload is 50.0 MiB; the largest file this form takes is 10.0 MiB." in page
    assert "python manage.py import_references FILE --as USERNAME" in page
    assert "Preview the import" in page
    assert ReferenceImport.objects.count() == 0


def test_a_generated_file_just_above_the_limit_is_refused_with_the_form_again(client, editor):
    client.force_login(editor)

    response = client.post(UPLOAD_URL, {"file": SimpleUploadedFile("big.ris", padded_ris(10 * 1024 * 1024 + 1))})

    assert response.status_code == 413
    assert "The file is larger than 10.0 MiB, the largest file this form takes." in response.content.decode()
    assert "Preview the import" in response.content.decode()
    assert ReferenceImport.objects.count() == 0


def test_an_upload_whose_bytes_pass_the_limit_is_stopped_there(client, editor, settings):
    settings.REFERENCE_UPLOAD_MAX_BYTES = 1_000
    client.force_login(editor)
    body = padded_ris(MULTIPART_ALLOWANCE // 2)  # announced size within the allowance: read, then stopped

    response = client.post(UPLOAD_URL, {"format": "ris", "file": SimpleUploadedFile("refs.ris", body)})

    assert response.status_code == 413
    assert response.context["form"].errors["file"] == [
        "The file is larger than 0.1 MiB, the largest file this form takes. Split the file, or import it "
        "from the command line with “python manage.py import_references FILE --as USERNAME”, which takes "
        "files up to 50.0 MiB. Nothing was imported."
    ]
    assert response.context["form"]["format"].value() == "ris"
    assert ReferenceImport.objects.count() == 0


def test_a_file_at_the_limit_is_previewed(client, editor, settings):
    settings.REFERENCE_UPLOAD_MAX_BYTES = 2_000
    client.force_login(editor)

    response = client.post(UPLOAD_URL, {"file": SimpleUploadedFile("refs.ris", padded_ris(2_000))})

    record = ReferenceImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:references_referenceimport_change", args=[record.pk])


def test_a_file_one_byte_over_the_limit_is_refused(client, editor, settings):
    settings.REFERENCE_UPLOAD_MAX_BYTES = 2_000
    client.force_login(editor)

    response = client.post(UPLOAD_URL, {"file": SimpleUploadedFile("refs.ris", padded_ris(2_001))})

    assert response.status_code == 413
    assert ReferenceImport.objects.count() == 0


def test_the_limit_applies_with_csrf_checks_on(editor, settings):
    settings.REFERENCE_UPLOAD_MAX_BYTES = 1_000
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    token = client.get(UPLOAD_URL).context["csrf_token"]

    too_big = client.post(
        UPLOAD_URL, {"csrfmiddlewaretoken": token, "file": SimpleUploadedFile("refs.ris", padded_ris(5_000))}
    )
    small = client.post(UPLOAD_URL, {"csrfmiddlewaretoken": token, "file": SimpleUploadedFile("r.ris", ONE_ENTRY)})
    forged = client.post(UPLOAD_URL, {"file": SimpleUploadedFile("r.ris", ONE_ENTRY)})

    assert (too_big.status_code, small.status_code, forged.status_code) == (413, 302, 403)
    assert REFUSED in too_big.context["form"].errors["file"][0]
    assert ReferenceImport.objects.count() == 1


def test_the_upload_page_states_the_limit_and_the_command_for_larger_files(client, editor):
    client.force_login(editor)

    page = client.get(UPLOAD_URL).content.decode()

    assert "This form takes files up to 10.0 MiB. A larger file, up to 50.0 MiB," in page
    assert "up to 10.0 MiB. Nothing is saved until you confirm the preview." in page


def test_anonymous_visitors_announcing_a_large_upload_are_sent_to_log_in_unread(client):
    response, stream = announce_upload(client, 50 * 1024 * 1024)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert stream.bytes_read == 0


def test_staff_without_reference_rights_announcing_a_large_upload_are_refused_unread(client):
    client.force_login(UserFactory(username="intern", is_staff=True))

    response, stream = announce_upload(client, 50 * 1024 * 1024)

    assert response.status_code == 403
    assert stream.bytes_read == 0
