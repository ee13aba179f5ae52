"""Importing a reference file in the admin: upload, preview what it would do, then confirm.

A `ReferenceImport` is the admin's object here: adding one uploads a file and
shows its preview; its page is the preview until the uploader confirms, and
the record of what the import did afterwards. Rights follow the references
themselves (adding and changing references), checked again by the services.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from config.history import acting_as
from references.formats.reading import FORMATS, MAX_FILE_BYTES
from references.formats.records import ReferenceFileError
from references.imports import (
    ImportConflict,
    Outcome,
    reference_file_import,
    reference_file_plan,
    reference_file_preview,
)
from references.models import ReferenceImport

PREVIEW_ROWS = 200  # per outcome; the counts always cover the whole file


class ReferenceFileForm(forms.Form):
    file = forms.FileField(
        help_text=(
            f"RIS (.ris), BibTeX (.bib), PubMed MEDLINE (.nbib) or CSL-JSON (.json), UTF-8, "
            f"up to {MAX_FILE_BYTES // (1024 * 1024)} MB. Nothing is saved until you confirm the preview."
        )
    )
    format = forms.ChoiceField(
        choices=[("", "Tell from the file")] + [(name, spec.label) for name, spec in FORMATS.items()],
        required=False,
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

    def add_view(self, request, form_url="", extra_context=None):
        """Upload a file and go to its preview; a file that cannot be read is refused with its reason."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ReferenceFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_FILE_BYTES:
                form.add_error("file", f"The file is {upload.size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes.")
            else:
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
        context = {
            **self.admin_site.each_context(request),
            "title": "Import references",
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/references/referenceimport/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Show the preview (or, once imported, the outcome); the uploader confirms it here."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        record = get_object_or_404(ReferenceImport, pk=object_id)
        if request.method == "POST":
            return self._confirm(request, record)
        plan = None
        if record.status == ReferenceImport.Status.PREVIEWED:
            try:
                plan = reference_file_plan(record)
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
        }
        return TemplateResponse(request, "admin/references/referenceimport/preview.html", context)

    def _confirm(self, request, record):
        here = reverse("admin:references_referenceimport_change", args=[record.pk])
        try:
            with acting_as(request.user):
                plan = reference_file_import(record=record, user=request.user)
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
        Outcome.UNCHANGED: "References already up to date",
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
