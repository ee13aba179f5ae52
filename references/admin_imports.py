"""Importing a reference file in the admin: upload, preview what it would do, then confirm.

A `ReferenceImport` is the admin's object here: adding one uploads a file and
shows its preview; its page is the preview until the uploader confirms, and
the record of what the import did afterwards. Rights follow the references
themselves (adding and changing references), checked again by the services.

The web form takes files up to `settings.REFERENCE_UPLOAD_MAX_BYTES`: a larger
upload is refused from its Content-Length before its body is read, and one whose
bytes pass the limit anyway is stopped there by `UploadLimitHandler`. The command
line (`import_references`) takes files up to `MAX_FILE_BYTES`.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt

from config.history import acting_as
from config.history_admin import pk_or_404
from references.formats.reading import FORMATS, MAX_FILE_BYTES, size_text
from references.formats.records import ReferenceFileError
from references.imports import (
    REPLACEABLE,
    ImportConflict,
    Outcome,
    field_label,
    reference_file_import,
    reference_file_plan,
    reference_file_preview,
)
from references.lookup import LookupFailed, fetch_record, lookup_enabled
from references.models import ReferenceImport

PREVIEW_ROWS = 200  # per outcome; the counts always cover the whole file
# Room for the form's other fields and the multipart boundaries around the file.
MULTIPART_ALLOWANCE = 64 * 1024


def upload_limit() -> int:
    return settings.REFERENCE_UPLOAD_MAX_BYTES


def too_large_message(size: int | None = None) -> str:
    """Why an upload was refused, and where a file that large can go instead."""
    limit = size_text(upload_limit())
    if size:
        refusal = f"The upload is {size_text(size)}; the largest file this form takes is {limit}."
    else:
        refusal = f"The file is larger than {limit}, the largest file this form takes."
    return (
        f"{refusal} Split the file, or import it from the command line with “python manage.py "
        f"import_references FILE --as USERNAME”, which takes files up to {size_text(MAX_FILE_BYTES)}. "
        "Nothing was imported."
    )


class UploadLimitHandler(FileUploadHandler):
    """Stop reading an upload once it passes the web limit, and mark the request so the form says why.

    Installed first, before the body is parsed. A Content-Length far above the limit is not
    read at all; otherwise file bytes are counted as they arrive and the upload stops (the
    rest of the body unread) at the first byte past the limit.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > upload_limit() + MULTIPART_ALLOWANCE:
            self.request.reference_upload_too_large = content_length
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > upload_limit():
            self.request.reference_upload_too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


class ReferenceFileForm(forms.Form):
    file = forms.FileField()
    format = forms.ChoiceField(
        choices=[("", "Tell from the file")] + [(name, spec.label) for name, spec in FORMATS.items()],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"RIS (.ris), BibTeX (.bib), PubMed MEDLINE (.nbib) or CSL-JSON (.json), UTF-8, "
            f"up to {size_text(upload_limit())}. Nothing is saved until you confirm the preview."
        )


class ReplaceChoiceForm(forms.Form):
    """What the file may do where the library already has a different value: the uploader's choice,
    shown with the preview it gives and sent again with the confirmation."""

    FILL, ALL, CHOSEN = "fill", "all", "chosen"

    policy = forms.ChoiceField(
        label="Where the file and the library differ",
        choices=[
            (FILL, "Keep the library's values; only fill fields the library leaves empty"),
            (ALL, "Take the file's values, in every field that differs"),
            (CHOSEN, "Take the file's values in the fields ticked below"),
        ],
        widget=forms.RadioSelect,
        initial=FILL,
        required=False,  # a confirmation that says nothing keeps the library's values
    )
    fields = forms.MultipleChoiceField(
        label="Fields to take from the file",
        choices=[(name, field_label(name)) for name in REPLACEABLE],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Identifiers are never replaced, and the kind of evidence stays the editors' judgement.",
    )

    def clean(self):
        data = super().clean()
        if data.get("policy") == self.CHOSEN and not data.get("fields"):
            self.add_error("fields", "Tick at least one field, or choose to keep the library's values.")
        return data

    @property
    def replace(self) -> tuple[str, ...]:
        """The fields the file's values replace, by the choice made (none until the form is valid)."""
        if not self.is_valid():
            return ()
        policy = self.cleaned_data["policy"]
        if policy == self.ALL:
            return REPLACEABLE
        return tuple(self.cleaned_data["fields"]) if policy == self.CHOSEN else ()


class LookupForm(forms.Form):
    identifier = forms.CharField(
        label="DOI or PMID",
        max_length=300,
        help_text="For example 10.1002/art.37734, its doi.org link, or the PubMed ID 23359310. "
        "The record is fetched from Crossref or PubMed and shown as an import preview; nothing is saved "
        "to the library until you confirm.",
    )


@admin.register(ReferenceImport)
class ReferenceImportAdmin(admin.ModelAdmin):
    list_display = ("file_name", "format", "status", "uploaded_by", "uploaded_at", "imported_at", "summary")
    list_filter = ("status", "format")
    search_fields = ("file_name", "sha256")
    date_hierarchy = "uploaded_at"

    @admin.display(description="Outcome")
    def summary(self, obj):
        counts = obj.counts or {}
        return (
            f"{counts.get('new', 0)} new, {counts.get('update', 0)} updated, "
            f"{counts.get('unchanged', 0)} unchanged, {counts.get('error', 0)} with errors"
        )

    def has_add_permission(self, request):
        return request.user.has_perm("references.add_reference") and request.user.has_perm(
            "references.change_reference"
        )

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("references.view_reference")

    def has_change_permission(self, request, obj=None):
        return False  # a record of what happened; confirming is its own step

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        """The upload page, with the upload limit in place before anything reads the request's body."""
        add_view = self.admin_site.admin_view(self.add_view)  # checks rights, then CSRF

        @csrf_exempt  # CSRF is checked by `add_view`'s own csrf_protect, once the limit is in place
        def bounded_add_view(request, *args, **kwargs):
            if request.method == "POST":
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
                if declared > upload_limit() + MULTIPART_ALLOWANCE and self._may_upload(request):
                    return self._upload_page(request, None, error=too_large_message(declared), status=413)
                request.upload_handlers.insert(0, UploadLimitHandler(request))
            return add_view(request, *args, **kwargs)

        name = f"{self.opts.app_label}_{self.opts.model_name}_add"
        lookup = path(
            "lookup/",
            self.admin_site.admin_view(self.lookup_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_lookup",
        )
        return [path("add/", bounded_add_view, name=name), lookup] + [
            url for url in super().get_urls() if getattr(url, "name", None) != name
        ]

    def lookup_view(self, request):
        """Fetch one record by DOI or PMID and go to its import preview; every failure is said on the form."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if not lookup_enabled():
            raise Http404("Adding references by DOI or PMID is turned off on this site.")
        form = LookupForm(request.POST or None)
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                record = fetch_record(form.cleaned_data["identifier"])
                kept, _ = reference_file_preview(
                    data=record.data, file_name=record.file_name, user=request.user, format=record.format
                )
            except ValidationError as error:
                form.add_error("identifier", error)
            except (LookupFailed, ReferenceFileError) as error:
                form.add_error("identifier", str(error))
                status = 502 if isinstance(error, LookupFailed) else 400
            else:
                return HttpResponseRedirect(reverse("admin:references_referenceimport_change", args=[kept.pk]))
        if form.errors and status == 200:
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "title": "Add a reference by DOI or PMID",
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/references/referenceimport/lookup.html", context, status=status)

    def _may_upload(self, request):
        return self.admin_site.has_permission(request) and self.has_add_permission(request)

    def add_view(self, request, form_url="", extra_context=None):
        """Upload a file and go to its preview; a file too large or that cannot be read is refused with its reason."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ReferenceFileForm(request.POST or None, request.FILES or None)
        refused = getattr(request, "reference_upload_too_large", None)  # set by UploadLimitHandler
        if refused:
            size = None if refused is True else refused
            return self._upload_page(request, form, error=too_large_message(size), status=413)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > upload_limit():  # the handler stops such uploads; kept for other handlers
                return self._upload_page(request, form, error=too_large_message(upload.size), status=413)
            try:
                record, _ = reference_file_preview(
                    data=upload.read(),
                    file_name=upload.name,
                    user=request.user,
                    format=form.cleaned_data["format"] or None,
                )
            except ReferenceFileError as error:
                form.add_error("file", f"{error} Nothing was imported.")
            else:
                return HttpResponseRedirect(reverse("admin:references_referenceimport_change", args=[record.pk]))
        return self._upload_page(request, form)

    def _upload_page(self, request, form, *, error=None, status=200):
        """The upload form; with `error`, shown on the file field of a form that keeps the chosen format."""
        if error:
            form = form if form is not None and form.is_bound else ReferenceFileForm(data={})
            form.is_valid()
            form.errors["file"] = form.error_class([error])
        context = {
            **self.admin_site.each_context(request),
            "title": "Import references",
            "opts": self.model._meta,
            "form": form,
            "upload_limit": size_text(upload_limit()),
            "file_limit": size_text(MAX_FILE_BYTES),
            "lookup_enabled": lookup_enabled(),
        }
        return TemplateResponse(request, "admin/references/referenceimport/upload.html", context, status=status)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Show the preview (or, once imported, the outcome); the uploader confirms it here."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        record = get_object_or_404(ReferenceImport, pk=pk_or_404(ReferenceImport, object_id))
        choice = ReplaceChoiceForm(request.POST if request.method == "POST" else request.GET or None)
        if request.method == "POST" and choice.is_valid():
            return self._confirm(request, record, choice.replace)
        plan = None
        if record.status == ReferenceImport.Status.PREVIEWED:
            try:
                plan = reference_file_plan(record, replace=choice.replace)
            except ReferenceFileError as error:  # the readers changed since the upload
                messages.error(request, f"{error} Nothing was imported.")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import of {record.file_name}",
            "opts": self.model._meta,
            "original": record,
            "record": record,
            "format_label": FORMATS[record.format].label if record.format in FORMATS else record.format,
            "plan": plan,
            "sections": _preview_sections(plan) if plan else [],
            "can_confirm": plan is not None
            and record.uploaded_by_id == request.user.pk
            and self.has_add_permission(request),
            "problems": plan.problems if plan else record.problems,
            "warnings": plan.warnings if plan else record.warnings,
            "choice": choice if choice.is_bound else ReplaceChoiceForm(),
            "replace_labels": [field_label(name) for name in (plan.replace if plan else record.replaced_fields)],
            "differing_labels": [field_label(name) for name in plan.differing_fields] if plan else [],
        }
        status = 400 if request.method == "POST" else 200  # a confirmation whose choice did not validate
        return TemplateResponse(request, "admin/references/referenceimport/preview.html", context, status=status)

    def _confirm(self, request, record, replace):
        here = reverse("admin:references_referenceimport_change", args=[record.pk])
        try:
            with acting_as(request.user):
                plan = reference_file_import(record=record, user=request.user, replace=replace)
        except ImportConflict as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(here)
        except ReferenceFileError as error:
            messages.error(request, f"{error} Nothing was imported.")
            return HttpResponseRedirect(here)
        counts = plan.counts
        messages.success(
            request,
            f"Imported {record.file_name}: {counts['new']} new, {counts['update']} updated, "
            f"{counts['unchanged']} unchanged; {counts['error']} entries with errors were left out.",
        )
        return HttpResponseRedirect(here)


def _preview_sections(plan):
    """The plan's entries grouped by outcome, each group cut to PREVIEW_ROWS for the page."""
    headings = {
        Outcome.ERROR: "Entries that cannot be imported",
        Outcome.NEW: "New references",
        Outcome.UPDATE: "References the file updates",
        Outcome.UNCHANGED: "References the file leaves as they are",
    }
    sections = []
    for outcome, heading in headings.items():
        entries = plan.with_outcome(outcome)
        sections.append(
            {
                "outcome": outcome.value,
                "heading": heading,
                "count": len(entries),
                "entries": entries[:PREVIEW_ROWS],
                "hidden": max(0, len(entries) - PREVIEW_ROWS),
            }
        )
    return sections
