"""The editors' admin: a whole article, with its sections, claims and citations, on one page."""

import nested_admin
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path

from articles.documents import article_with_tree, build_article_document, present_document
from articles.models import Article, Citation, Claim, Section
from articles.ordering import park
from articles.selectors import article_content_history
from config.history_admin import ReadOnlyHistoryAdmin


class OrderedChildForm(forms.ModelForm):
    """A form for a child row whose position the formset renumbers on save.

    The position is a hidden field: editors drag rows by their handles.

    Positions are checked by the database constraint after the formset parks
    and renumbers rows; checking each form against rows that are about to move
    would refuse every reorder.
    """

    class Meta:
        widgets = {"order": forms.HiddenInput}

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() | {"order"}


class ClaimForm(OrderedChildForm):
    class Meta(OrderedChildForm.Meta):
        error_messages = {"text": {"required": "A claim cannot be empty."}}


class OrderedChildFormSet(nested_admin.formsets.NestedInlineFormSet):
    """Renumber positions in the order the editor arranged them, without breaking uniqueness.

    On display, children already prefetched on the parent are used as they
    are, so a whole article renders in a fixed number of queries.
    """

    def get_queryset(self):
        accessor = self.fk.remote_field.get_accessor_name()
        prefetched = getattr(self.instance, "_prefetched_objects_cache", {}).get(accessor)
        if not self.data and prefetched is not None:
            return list(prefetched)
        return super().get_queryset()

    def save(self, commit=True):
        parent = type(self.instance)
        if self.instance.pk and not parent._default_manager.filter(pk=self.instance.pk).exists():
            # The parent was deleted in this submission, and its children with it.
            self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
            return []
        return super().save(commit)

    def process_forms_pre_save(self, forms):
        forms = super().process_forms_pre_save(forms)
        moving = [
            form.instance.pk
            for form in forms
            if form._is_initial
            and form.instance.pk
            and (self._should_delete_form(form) or form.initial.get("order") != form.instance.order)
        ]
        park(self.model, moving)
        return forms


COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})}}


class OrderedInlineMixin:
    form = OrderedChildForm
    formset = OrderedChildFormSet
    sortable_field_name = "order"
    formfield_overrides = COMPACT_TEXT
    extra = 0


class LoadedChoiceAutocomplete(AutocompleteSelect):
    """An autocomplete that shows an already-loaded selection instead of querying for it."""

    loaded = None

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if v not in ("", None)}
        if self.loaded is None or selected != {str(self.loaded.pk)}:
            return super().optgroups(name, value, attr)
        label = self.choices.field.label_from_instance(self.loaded)
        return [(None, [self.create_option(name, self.loaded.pk, label, True, 0)], 0)]


class CitationForm(OrderedChildForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widget = self.fields["reference"].widget
        widget = getattr(widget, "widget", widget)  # unwrap the admin's add/change links
        if self.instance.reference_id and isinstance(widget, LoadedChoiceAutocomplete):
            widget.loaded = self.instance.reference


class CitationInline(OrderedInlineMixin, nested_admin.NestedTabularInline):
    model = Citation
    form = CitationForm
    fields = ("reference", "order")
    autocomplete_fields = ("reference",)
    verbose_name = "citation"
    verbose_name_plural = "citations (numbered on the page by first citation)"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Use an autocomplete that renders saved citations without a query each."""
        if db_field.name == "reference":
            kwargs["widget"] = LoadedChoiceAutocomplete(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ClaimInline(OrderedInlineMixin, nested_admin.NestedStackedInline):
    model = Claim
    form = ClaimForm
    fields = ("lead_in", "text", "plain_text", "order")
    inlines = [CitationInline]


class SectionInline(OrderedInlineMixin, nested_admin.NestedStackedInline):
    model = Section
    fields = (("heading", "level"), "intro", "order")
    inlines = [ClaimInline]

    def get_queryset(self, request):
        citations = Citation.objects.select_related("reference")
        return (
            super().get_queryset(request).prefetch_related("claims", Prefetch("claims__citations", queryset=citations))
        )


@admin.register(Article)
class ArticleAdmin(ReadOnlyHistoryAdmin, nested_admin.NestedModelAdmin):
    class Media:
        css = {"all": ["css/admin-article.css"]}

    list_display = ("title", "specialty", "slug", "updated_at")
    list_filter = ("specialty",)
    search_fields = ("title", "question", "slug")
    prepopulated_fields = {"slug": ("title",)}
    fieldsets = (
        (None, {"fields": ("question", "title", "slug", "specialty", "pending_display")}),
        ("Summary", {"fields": ("lede", "plain_lede")}),
    )
    inlines = [SectionInline]
    formfield_overrides = COMPACT_TEXT
    object_history_template = "admin/articles/article/object_history.html"

    def get_urls(self):
        preview = path(
            "<int:object_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="articles_article_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request, object_id):
        """Show the working copy exactly as the reader page lays it out."""
        article = get_object_or_404(article_with_tree(), pk=object_id)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "article": article,
            "document": present_document(build_article_document(article)),
            "is_preview": True,
        }
        return TemplateResponse(request, "articles/article_preview.html", context)

    def history_view(self, request, object_id, extra_context=None):
        article = self.get_object(request, object_id)
        extra_context = {**(extra_context or {})}
        if article is not None:
            extra_context["content_history"] = article_content_history(article)
        return super().history_view(request, object_id, extra_context=extra_context)


class ChildHistoryAdmin(ReadOnlyHistoryAdmin):
    """Sections, claims and citations are edited on their article's page, and only there.

    They are registered so that each keeps its own history page. Their own add,
    change and delete pages would bypass the article page (its inlines, its
    reordering and its conflict check), so nobody, superusers included, may
    write through them: those pages show the row read-only or answer 403.
    """

    def has_module_permission(self, request):
        return False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for child in (Section, Claim, Citation):
    admin.site.register(child, ChildHistoryAdmin)
