from collections import Counter

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from config.history_admin import ReadOnlyHistoryAdmin
from references.duplicates import IDENTIFIER_FIELDS, possible_duplicate_ids, possible_duplicates_of
from references.formats.names import EDITOR_HELP, NamesTextError, names_from_text, names_text, vancouver_authors
from references.merge import MergeRefused, references_merge, user_can_merge_references
from references.models import Reference

CLAIM_EXCERPT_CHARS = 120
MAX_MERGED_AT_ONCE = 20


class PossibleDuplicateFilter(admin.SimpleListFilter):
    """References sharing a normalised title and year with another (see `references.duplicates`)."""

    title = "possible duplicates"
    parameter_name = "duplicate"

    def lookups(self, request, model_admin):
        return [("yes", "Yes")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pk__in=possible_duplicate_ids())
        return queryset


class ReferenceMergeForm(forms.Form):
    keep = forms.ModelChoiceField(
        queryset=Reference.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the reference to keep.",
            "invalid_choice": "Choose one of the references listed to keep.",
        },
    )

    def __init__(self, *args, references, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = Reference.objects.filter(pk__in=[reference.pk for reference in references])


class AuthorLinesField(forms.CharField):
    """Changed only when the names are: line endings, blank lines and spacing do not count."""

    def has_changed(self, initial, data):
        return _lines(initial) != _lines(data)


def _lines(text) -> list[str]:
    return [" ".join(line.split()) for line in str(text or "").splitlines() if line.strip()]


def _formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")  # a pasted "doi.org/…" means https
    return field.formfield(**kwargs)


class ReferenceAdminForm(forms.ModelForm):
    """The reference form, its authors edited as text: one name a line, organisations marked.

    The text is read into the stored list (and the et-al flag) when the form is
    cleaned; a line that is not a name is reported by number and the text is
    shown again as typed, so nothing is lost.
    """

    author_list = AuthorLinesField(
        label="Authors",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 60, "spellcheck": "false"}),
        help_text=EDITOR_HELP,
    )
    editors = AuthorLinesField(
        label="Editors",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60, "spellcheck": "false"}),
        help_text="The editors of the book or collection, one a line as the authors are written; no “et al.”.",
    )

    class Meta:
        model = Reference
        fields = (
            "kind",
            "work_type",
            "title",
            "author_list",
            "editors",
            "source",
            "year",
            "volume",
            "issue",
            "pages",
            "doi",
            "pmid",
            "pmcid",
            "url",
            "retraction_status",
            "retraction_date",
            "retraction_source",
        )
        formfield_callback = staticmethod(_formfield)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["author_list"] = names_text(self.instance.author_list, self.instance.authors_et_al)
        self.initial["editors"] = names_text(self.instance.editors)

    def clean_author_list(self):
        try:
            names, et_al = names_from_text(self.cleaned_data["author_list"])
        except NamesTextError as error:
            raise forms.ValidationError(error.problems, code="invalid_names") from None
        limit = Reference._meta.get_field("authors").max_length
        if len(vancouver_authors(names, et_al)) > limit:
            raise forms.ValidationError(
                f"The list is too long to cite: keep the first names and end with “et al.” "
                f"(at most {limit} characters as “Family Initials”, comma-separated).",
                code="too_long",
            )
        self.instance.authors_et_al = et_al
        return names

    def clean_editors(self):
        try:
            names, et_al = names_from_text(self.cleaned_data["editors"])
        except NamesTextError as error:
            raise forms.ValidationError(error.problems, code="invalid_names") from None
        if et_al:
            raise forms.ValidationError("Editors are listed in full: remove the “et al.” line.", code="editors_et_al")
        return names


@admin.register(Reference)
class ReferenceAdmin(ReadOnlyHistoryAdmin):
    form = ReferenceAdminForm
    list_display = ("title", "kind", "source", "year", "doi", "pmid", "citation_count")
    list_filter = ("kind", "retraction_status", "year", PossibleDuplicateFilter)
    actions = ["merge_selected"]
    search_fields = ("title", "authors", "source", "doi", "pmid", "pmcid")
    readonly_fields = ("cited_as", "where_cited", "possible_duplicates")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # a pasted "doi.org/…" means https
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("kind", "work_type"),
                    "title",
                    "author_list",
                    "cited_as",
                    "editors",
                    "source",
                    ("year", "volume", "issue", "pages"),
                )
            },
        ),
        ("Identifiers and link", {"fields": ("doi", "pmid", "pmcid", "url")}),
        ("Standing", {"fields": ("retraction_status", "retraction_date", "retraction_source")}),
        ("Where cited", {"fields": ("where_cited",)}),
    )

    def get_queryset(self, request):
        """Count each listed reference's citations with a subquery: a page costs the same whatever the library's size.

        (A join and GROUP BY would count every reference's citations before
        the page is cut.) Ordered by title then id, so the autocomplete's pages
        are stable.
        """
        citation = Reference._meta.get_field("citations").related_model  # `references` does not import `articles`
        citations = citation.objects.filter(reference=OuterRef("pk")).order_by().values("reference")
        # COUNT(*), not of a column: PostgreSQL counts from the index on reference, without reading each citation.
        count = Coalesce(Subquery(citations.annotate(n=Count("*")).values("n")), 0)
        return super().get_queryset(request).annotate(citation_count=count).order_by("title", "pk")

    @admin.display(description="Citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count

    @admin.display(description="Cited as")
    def cited_as(self, obj):
        """The authors as the plain citation line and search use them, written from the list when saved."""
        return obj.authors if obj is not None and obj.authors else "—"

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

    # Merging duplicates: a list filter finds them, an action picks them, a confirmation page merges them.

    def get_fieldsets(self, request, obj=None):
        """Put "Possible duplicates" first on the change form of a reference that has any."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            # The field below has no request to ask; only those who may merge are offered the link.
            obj._can_merge_duplicates = self.has_merge_permission(request)
        if obj is not None and self._possible_duplicates(obj):
            return (("Possible duplicates", {"fields": ("possible_duplicates",)}), *fieldsets)
        return fieldsets

    def _possible_duplicates(self, obj):
        # Asked for by the fieldsets and by the field itself: look them up once per object.
        if not hasattr(obj, "_possible_duplicates"):
            obj._possible_duplicates = possible_duplicates_of(obj) if obj.pk else []
        return obj._possible_duplicates

    @admin.display(description="Same title and year")
    def possible_duplicates(self, obj):
        duplicates = self._possible_duplicates(obj) if obj is not None else []
        if not duplicates:
            return "None found."
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a></li>',
            ((reverse("admin:references_reference_change", args=[dup.pk]), str(dup)) for dup in duplicates),
        )
        if not getattr(obj, "_can_merge_duplicates", False):
            return format_html("<ul>{}</ul>", items)
        merge_url = _merge_url([obj.pk, *(dup.pk for dup in duplicates)])
        return format_html('<ul>{}</ul><p><a href="{}">Compare and merge them</a></p>', items, merge_url)

    def has_merge_permission(self, request):
        return user_can_merge_references(request.user)

    @admin.action(description="Merge selected references…", permissions=["merge"])
    def merge_selected(self, request, queryset):
        """Send the editor to the confirmation page for the selected references."""
        ids = sorted(queryset.values_list("pk", flat=True))
        if len(ids) < 2:
            self.message_user(request, "Select at least two references to merge.", messages.WARNING)
            return None
        if len(ids) > MAX_MERGED_AT_ONCE:
            self.message_user(request, f"Merge at most {MAX_MERGED_AT_ONCE} references at a time.", messages.WARNING)
            return None
        return redirect(_merge_url(ids))

    def get_urls(self):
        merge = path("merge/", self.admin_site.admin_view(self.merge_view), name="references_reference_merge")
        return [merge, *super().get_urls()]

    def merge_view(self, request):
        """Show the references to merge with their citations; on POST merge them into the one chosen."""
        if not self.has_merge_permission(request):
            raise PermissionDenied
        ids = _ids_from(request.GET.get("ids", ""))[:MAX_MERGED_AT_ONCE]
        references = list(
            Reference.objects.filter(pk__in=ids)
            .prefetch_related("citations__claim__section__article")
            .order_by("title", "pk")
        )
        if len(references) < 2:
            self.message_user(
                request,
                "Select at least two references to merge; some of those selected may have been merged meanwhile.",
                messages.WARNING,
            )
            return redirect("admin:references_reference_changelist")
        form = ReferenceMergeForm(
            request.POST or None, references=references, initial={"keep": _suggested_keep(references).pk}
        )
        status = 200
        if request.method == "POST" and form.is_valid():
            keep = form.cleaned_data["keep"]
            try:
                report = references_merge(
                    keep=keep, duplicates=[reference for reference in references if reference.pk != keep.pk]
                )
            except MergeRefused as refusal:
                self.message_user(request, refusal.message, messages.ERROR)
                status = 409
            else:
                self.message_user(request, report.summary(keep), messages.SUCCESS)
                return redirect("admin:references_reference_change", keep.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Merge references",
            "form": form,
            "rows": _merge_rows(references, chosen=str(form["keep"].value() or "")),
        }
        return TemplateResponse(request, "admin/references/reference/merge.html", context, status=status)


def _merge_url(ids) -> str:
    return reverse("admin:references_reference_merge") + "?ids=" + ",".join(str(pk) for pk in ids)


def _ids_from(text: str) -> list[int]:
    """The ids in a comma-separated list, ignoring anything that is not one."""
    return list(dict.fromkeys(int(part) for part in text.split(",") if part.strip().isdigit()))


def _identifier_count(reference: Reference) -> int:
    return sum(1 for field in IDENTIFIER_FIELDS if getattr(reference, field))


def _suggested_keep(references: list[Reference]) -> Reference:
    """The most cited reference, then the one with most identifiers, then the oldest."""
    return max(references, key=lambda ref: (len(ref.citations.all()), _identifier_count(ref), -ref.pk))


def _merge_rows(references: list[Reference], *, chosen: str) -> list[dict]:
    """One row per reference for the confirmation page, its citations linked to their articles."""
    claims_seen = Counter(citation.claim_id for reference in references for citation in reference.citations.all())
    rows = []
    for reference in references:
        citations = []
        for citation in reference.citations.all():
            article = citation.claim.section.article
            citations.append(
                {
                    "article": article.title,
                    "url": _article_url(article.pk),
                    "claim": Truncator(citation.claim.text).chars(CLAIM_EXCERPT_CHARS),
                    "claim_cites_several": claims_seen[citation.claim_id] > 1,
                }
            )
        rows.append({"reference": reference, "is_chosen": str(reference.pk) == chosen, "citations": citations})
    return rows


def _article_url(article_pk: int) -> str:
    try:
        return reverse("admin:articles_article_change", args=[article_pk])
    except NoReverseMatch:
        return ""


# Importing files has its own admin object (upload, preview, confirm); importing the module registers it.
from references.admin_imports import ReferenceImportAdmin  # noqa: E402, F401
