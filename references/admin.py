from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from references.models import Reference


@admin.register(Reference)
class ReferenceAdmin(SimpleHistoryAdmin):
    list_display = ("title", "kind", "source", "year", "doi", "pmid")
    list_filter = ("kind", "retraction_status", "year")
    search_fields = ("title", "authors", "source", "doi", "pmid")
    fieldsets = (
        (None, {"fields": ("kind", "title", "authors", "source", "year")}),
        ("Identifiers and link", {"fields": ("doi", "pmid", "url")}),
        ("Standing", {"fields": ("retraction_status", "retraction_date", "retraction_source")}),
    )
