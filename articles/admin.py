"""The editors' admin: a whole article, with its sections, claims and citations, on one page."""

from contextlib import suppress
from datetime import datetime

import nested_admin
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import csrf_protect_m
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models import Prefetch, QuerySet
from django.forms.utils import flatatt
from django.shortcuts import get_object_or_404
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join

from articles.conflicts import VERSION_FIELDS, EditConflict, merge_their_changes, without_rows_gone
from articles.documents import article_with_tree, build_article_document, present_document, reference_numbers
from articles.models import Article, Citation, Claim, Section
from articles.ordering import park
from articles.selectors import article_changes_since, article_content_history, article_specialties
from articles.services import article_version_bump
from config.history_admin import ReadOnlyHistoryAdmin


class PlainHiddenInput(forms.HiddenInput):
    """A hidden input written out directly rather than through the form renderer's templates.

    An article's page carries some four hundred hidden inputs (each row's id, parent and
    position, each formset's counts); rendering each through a template took a third of
    the page's time. The markup is the one Django's template writes.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value_attr = format_html(' value="{}"', widget["value"]) if widget["value"] is not None else ""
        return format_html('<input type="hidden" name="{}"{}{}>', widget["name"], value_attr, flatatt(widget["attrs"]))


def _plain_hidden_inputs(form):
    """Swap the hidden inputs of `form` for `PlainHiddenInput`, keeping their attributes."""
    for field in form.fields.values():
        if type(field.widget) is forms.HiddenInput:
            field.widget = PlainHiddenInput(attrs=field.widget.attrs)
    return form


class OrderedChildForm(forms.ModelForm):
    """A form for a child row whose position the formset renumbers on save.

    The position is a hidden field: editors drag rows by their handles.

    Positions are checked by the database constraint after the formset parks
    and renumbers rows; checking each form against rows that are about to move
    would refuse every reorder.
    """

    class Meta:
        widgets = {"order": PlainHiddenInput}

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

    @cached_property
    def empty_form(self):
        """The template row for "add another", built once: the admin and nested_admin each ask for it repeatedly."""
        return super().empty_form

    @property
    def management_form(self):
        return _plain_hidden_inputs(super().management_form)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        _plain_hidden_inputs(form)  # the row's id and parent

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
        self.unlisted = []
        saved = super().save(commit)
        self._place_unlisted_rows_last()
        return saved

    def process_forms_pre_save(self, forms):
        forms = super().process_forms_pre_save(forms)
        if not any(form.has_changed() or self._should_delete_form(form) for form in forms):
            return forms  # nothing will be written, so nothing needs to move
        moving = [
            form.instance.pk
            for form in forms
            if form._is_initial
            and form.instance.pk
            and (self._should_delete_form(form) or form.initial.get("order") != form.instance.order)
        ]
        self.unlisted = self._rows_not_in_form(forms)
        park(self.model, moving + [row.pk for row in self.unlisted])
        return forms

    def _rows_not_in_form(self, forms) -> list:
        """Rows of the parent that this form never showed, as someone added them after it was loaded.

        The form's rows are numbered from 0, so such rows would collide with them; they are
        parked with the moving rows and placed after the form's rows once those are saved.
        """
        if not self.instance.pk:
            return []
        listed = [form.instance.pk for form in forms if form._is_initial and form.instance.pk]
        return list(self._children().exclude(pk__in=listed).order_by("order"))

    def _children(self):
        """All of the parent's rows in the database, whatever the form lists."""
        return self.model._default_manager.filter(**{self.fk.name: self.instance})

    def _place_unlisted_rows_last(self) -> None:
        if not self.unlisted:
            return
        unlisted = [row.pk for row in self.unlisted]
        last = self._children().exclude(pk__in=unlisted).aggregate(last=models.Max("order"))["last"]
        for position, row in enumerate(self.unlisted, start=0 if last is None else last + 1):
            row.order = position
            row.save(update_fields=["order"])


class CitationFormSet(OrderedChildFormSet):
    """A claim's citations, whose inputs carry no `id`: the editor's script finds them by name.

    A long article has hundreds of them; their ids were a twelfth of its page.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", False)
        super().__init__(*args, **kwargs)


class UntruncatedTextField(forms.CharField):
    """A length-limited text field without the HTML `maxlength` attribute.

    Browsers silently cut a longer paste at `maxlength` (and count a line break
    as one character where the server counts two), so an editor could lose
    words without a word said. The server checks the limit instead and says so.
    """

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


COMPACT_TEXT = {
    models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80}), "form_class": UntruncatedTextField}
}


class OrderedInlineMixin:
    template = "admin/articles/article/_inline_stacked.html"
    form = OrderedChildForm
    formset = OrderedChildFormSet
    sortable_field_name = "order"
    formfield_overrides = COMPACT_TEXT
    extra = 0


class CitationReferencePicker(AutocompleteSelect):
    """The reference of a citation row: a plain select that the editor's script turns into a search.

    It renders the saved reference as its only option, from the row already loaded (no query
    per row), and none of the admin autocomplete's dozen data attributes: the script reads
    them once from the page's row template (`_citation_row_template.html`). Its media are the
    admin autocomplete's (jQuery and Select2).
    """

    loaded = None

    def build_attrs(self, base_attrs, extra_attrs=None):
        return {**base_attrs, **(extra_attrs or {}), "class": "citation-reference", "aria-label": "Reference"}

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if v not in ("", None)}
        if self.loaded is None or selected != {str(self.loaded.pk)}:
            return super().optgroups(name, value, attr)
        label = self.choices.field.label_from_instance(self.loaded)
        return [(None, [self.create_option(name, self.loaded.pk, label, True, 0)], 0)]

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)


class CitationForm(OrderedChildForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "reference" not in self.fields:
            return  # shown read-only
        widget = self.fields["reference"].widget
        if self.instance.reference_id and isinstance(widget, CitationReferencePicker):
            widget.loaded = self.instance.reference


class CitationInline(OrderedInlineMixin, nested_admin.NestedTabularInline):
    """A claim's citations, one row each: the reference's number as readers see it, and its picker.

    The rows are drawn and managed by the editor's own script rather than nested_admin's
    (`_inline_tabular.html`): per claim, nested_admin's markup (its options, the counts,
    a template row) weighed more than the citations. The posted formset is the same. The
    picker has no links to add, change or delete references beside it: the library is
    edited on its own pages.
    """

    model = Citation
    template = "admin/articles/article/_inline_tabular.html"
    form = CitationForm
    formset = CitationFormSet
    fields = ("reference", "order")
    autocomplete_fields = ("reference",)
    verbose_name = "citation"
    verbose_name_plural = "citations"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Use a picker that renders saved citations without a query each."""
        if db_field.name == "reference":
            kwargs["widget"] = CitationReferencePicker(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, RelatedFieldWidgetWrapper):
            formfield.widget = formfield.widget.widget  # the bare picker, without the library's links
        return formfield


class ClaimInline(OrderedInlineMixin, nested_admin.NestedStackedInline):
    """An article's claims, with their help said once above them rather than under every claim."""

    model = Claim
    form = ClaimForm
    # The grade is two selects on one line: optional, and most claims leave both at their first choice.
    fields = ("lead_in", "text", "plain_text", ("certainty", "strength"), "order")
    inlines = [CitationInline]
    description = (
        "A lead-in is optional and shown in bold before the claim. The clinician wording allows "
        "bold (**…**), italic (*…*) and [links](https://…) only. The plain-language wording is "
        "optional, for patients and caregivers. The evidence grade is optional too: the GRADE certainty "
        "of the evidence and, for a claim that recommends, the strength of the recommendation, which "
        "needs a certainty. Citations show the numbers readers see: references are numbered in the "
        "order the article first cites them."
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            formfield.help_text = ""  # said once, in `description`
        return formfield


class SectionInline(OrderedInlineMixin, nested_admin.NestedStackedInline):
    model = Section
    item_summary = "Heading, introduction and claims"
    fields = (("heading", "level"), "intro", "order")
    inlines = [ClaimInline]

    def get_queryset(self, request):
        citations = Citation.objects.select_related("reference")
        return (
            super().get_queryset(request).prefetch_related("claims", Prefetch("claims__citations", queryset=citations))
        )


class ArticleForm(forms.ModelForm):
    """The article's own fields, and the version of the article the page was loaded at.

    `loaded_at` is the article's `updated_at` at that version, which every save through the
    editor sets after writing its history rows: the rows newer than it are what others
    changed since. A save from an older version is refused in `clean()`; the form then
    carries the current version and, from `articles.conflicts`, the other editor's changes in
    every field this editor left alone, so that saving it again keeps both.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    loaded_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if self.instance._state.adding:
            for name in VERSION_FIELDS:
                del self.fields[name]
        else:
            self.fields["loaded_version"].initial = self.instance.version
            self.fields["loaded_at"].initial = self.instance.updated_at.isoformat()

    @property
    def has_article_changes(self) -> bool:
        return any(name not in VERSION_FIELDS for name in self.changed_data)

    def clean(self):
        """Refuse a save based on another version than the one the (locked) article is at."""
        cleaned_data = super().clean()
        if "loaded_version" in self.fields and cleaned_data.get("loaded_version") != self.instance.version:
            self.conflict = EditConflict(
                loaded_version=cleaned_data.get("loaded_version"),
                loaded_at=_parse_datetime(cleaned_data.get("loaded_at")),
                version=self.instance.version,
            )
            self.add_error(None, ValidationError(CONFLICT_MESSAGE, code="conflict"))
            self.data = self.data.copy()
            self.data[self.add_prefix("loaded_version")] = str(self.instance.version)
            self.data[self.add_prefix("loaded_at")] = self.instance.updated_at.isoformat()
        return cleaned_data


CONFLICT_MESSAGE = "Someone else saved this article after you opened it, so nothing you typed was saved."
NO_CHANGES_MESSAGE = "No changes to save: the article is as it was."


def _wrote_rows(formset) -> bool:
    return bool(formset.new_objects or formset.changed_objects or formset.deleted_objects)


def _parse_datetime(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _number_citations_as_readers_see_them(inline_admin_formsets) -> None:
    """Give each saved citation on the page its reference's number on the reader's page, as `reader_number`.

    The numbers come from `reference_numbers`, the reader's own numbering, over the sections
    the page already loaded with their claims and citations (no query). A page redrawn from a
    refused save shows the rows as typed, without numbers: the words typed there number nothing yet.
    """
    for inline_admin_formset in inline_admin_formsets:
        formset = inline_admin_formset.formset
        if formset.model is not Section or formset.is_bound:
            continue
        sections = [form.instance for form in formset.initial_forms]
        numbers = reference_numbers(sections)
        for section in sections:
            for claim in section.claims.all():
                for citation in claim.citations.all():
                    citation.reader_number = numbers[citation.reference_id]


class SpecialtyFilter(admin.AllValuesFieldListFilter):
    """The specialties to filter by, read from the index instead of a `SELECT DISTINCT` over every article."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = article_specialties()


class PageByIdChangeList(ChangeList):
    """A change list that reads a page's ids first, then those rows: a late page costs what the first does.

    Django's page is `ORDER BY … OFFSET n` over the whole joined row, so the
    database built and sorted every row before the page (at 100,000 articles,
    the last page sorted 100,000 wide rows on disk: about 200 ms). The ids
    alone come from the `(title, id)` index, and the page's rows by id.
    """

    def get_results(self, request):
        super().get_results(request)
        page = self.result_list
        if isinstance(page, QuerySet) and page.query.is_sliced and not self.list_editable:
            ids = list(page.values_list("pk", flat=True))
            by_id = {row.pk: row for row in self.queryset.order_by().filter(pk__in=ids)} if ids else {}
            self.result_list = [by_id[pk] for pk in ids if pk in by_id]


@admin.register(Article)
class ArticleAdmin(ReadOnlyHistoryAdmin, nested_admin.NestedModelAdmin):
    class Media:
        # The editor's script is not among the media in the head: change_form.html loads it right
        # after the sections, which it prepares before nested_admin sets them up.
        css = {"all": ["css/admin-article.css"]}

    list_display = ("title", "specialty", "slug", "updated_at")
    list_filter = (("specialty", SpecialtyFilter),)
    search_fields = ("title", "question", "slug")
    prepopulated_fields = {"slug": ("title",)}
    fieldsets = (
        (None, {"fields": ("question", "title", "slug", "specialty", "pending_display")}),
        ("Summary", {"fields": ("lede", "plain_lede")}),
    )
    inlines = [SectionInline]
    form = ArticleForm
    formfield_overrides = COMPACT_TEXT
    object_history_template = "admin/articles/article/object_history.html"
    conflict_template = "admin/articles/article/conflict.html"

    def get_changelist(self, request, **kwargs):
        return PageByIdChangeList

    @csrf_protect_m
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Save a change with the article's row locked, so that its version cannot move meanwhile.

        The lock is taken before the admin reads the article, so the form compares the
        version it was loaded at with the version every other save has to wait for.
        """
        if request.method != "POST" or object_id is None or "_saveasnew" in request.POST:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with transaction.atomic(using=router.db_for_write(self.model)):
            article = None
            # Not an article id: the admin answers it below as it answers any unknown id.
            with suppress(ValidationError, ValueError):
                article = self.model._default_manager.select_for_update().filter(pk=unquote(object_id)).first()
            if article is not None and request.POST.get("loaded_version") != str(article.version):
                request.POST, request.article_rows_gone = without_rows_gone(request.POST)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """Save the article's own fields only if one of them changed: every save writes a history row."""
        if not change or form.has_article_changes:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """Save the sections, claims and citations; then count the save as a new version if anything changed.

        The version and `updated_at` move in one `UPDATE` (`article_version_bump`), which writes
        no history row of its own; `updated_at` is set after every history row of this save, so
        it marks where the next version's rows begin. A save that changed nothing writes nothing at all.
        """
        super().save_related(request, form, formsets, change)
        changed = not change or form.has_article_changes or any(map(_wrote_rows, formsets))
        request.article_saved_nothing = not changed
        if changed:
            # A new article is version 1; its `updated_at` still has to follow its children's rows.
            article_version_bump(article=form.instance, by=int(change), updated_at=timezone.now())

    def log_change(self, request, obj, message):
        if not getattr(request, "article_saved_nothing", False):
            return super().log_change(request, obj, message)
        return None

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # The admin's "changed successfully" would be untrue for a save that changed nothing.
        if getattr(request, "article_saved_nothing", False) and level == messages.SUCCESS:
            message, level = NO_CHANGES_MESSAGE, messages.INFO
        super().message_user(request, message, level, *args, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """Render the form with the version it carries, or the conflict page (409) for a stale save."""
        form = context["adminform"].form
        _number_citations_as_readers_see_them(context.get("inline_admin_formsets", []))
        if change and "loaded_version" in form.fields and self.has_change_permission(request, obj):
            # Hidden, and outside `fieldsets`, so that read-only and history pages never show them.
            context["adminform"].fieldsets.append((None, {"fields": [VERSION_FIELDS], "classes": ["hidden"]}))
        conflict = getattr(form, "conflict", None)
        if conflict is not None:
            context["conflict"] = conflict
            context["changes"] = article_changes_since(obj, conflict.loaded_at) if conflict.loaded_at else None
            if conflict.loaded_at:
                context["clashes"] = merge_their_changes(form, context["inline_admin_formsets"], conflict.loaded_at)
            context["rows_gone"] = getattr(request, "article_rows_gone", [])
            # The conflict page says it better than "Please correct the error below".
            context["errors"] = [errors for errors in context["errors"] if CONFLICT_MESSAGE not in errors]
        response = super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)
        if conflict is not None:
            names = response.template_name
            response.context_data["conflict_base_template"] = select_template(
                [names] if isinstance(names, str) else names
            )
            response.template_name = self.conflict_template
            response.status_code = 409
        return response

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

    The delete permission itself stays as the user's groups give it: deleting
    an article asks each registered child admin whether its rows may go too.
    """

    def has_module_permission(self, request):
        return False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}  # no "delete selected" either

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied("Sections, claims and citations are deleted on their article's page.")


for child in (Section, Claim, Citation):
    admin.site.register(child, ChildHistoryAdmin)
