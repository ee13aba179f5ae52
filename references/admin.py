from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from references.models import Reference

CLAIM_EXCERPT_CHARS = 120


@admin.register(Reference)
class ReferenceAdmin(SimpleHistoryAdmin):
    list_display = ("title", "kind", "source", "year", "doi", "pmid", "citation_count")
    list_filter = ("kind", "retraction_status", "year")
    search_fields = ("title", "authors", "source", "doi", "pmid", "pmcid")
    readonly_fields = ("where_cited",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # a pasted "doi.org/…" means https
    fieldsets = (
        (None, {"fields": ("kind", "title", "authors", "source", ("year", "volume", "issue", "pages"))}),
        ("Identifiers and link", {"fields": ("doi", "pmid", "pmcid", "url")}),
        ("Standing", {"fields": ("retraction_status", "retraction_date", "retraction_source")}),
        ("Where cited", {"fields": ("where_cited",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=Count("citations"))

    @admin.display(description="Citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count

    @admin.display(description="Claims citing this reference")
    def where_cited(self, obj):
        """List each citing claim with its article, linked to the article's admin page.

        `references` does not import `articles`: the citing side is reached only
        through the reverse relation `citations` (Citation → claim → section → article).
        """
        if obj is None or obj.pk is None:
            return "Not cited yet."
        citations = obj.citations.select_related("claim__section__article").order_by(
            "claim__section__article__title", "claim__section__order", "claim__order"
        )
        rows = []
        for citation in citations:
            claim = citation.claim
            article = claim.section.article
            excerpt = Truncator(claim.text).chars(CLAIM_EXCERPT_CHARS)
            try:
                url = reverse("admin:articles_article_change", args=[article.pk])
            except NoReverseMatch:
                url = ""
            rows.append((url, article.title, excerpt))
        if not rows:
            return "Not cited yet."
        items = format_html_join(
            "",
            "<li>{}</li>",
            (
                (format_html('<a href="{}">{}</a> — {}', url, title, excerpt) if url else f"{title} — {excerpt}",)
                for url, title, excerpt in rows
            ),
        )
        return format_html("<ul>{}</ul>", items)
