"""History pages in the admin that only ever read.

django-simple-history's page for one historical version (`…/history/<history_id>/`)
admits anyone who may view the object and saves whatever form is posted to it;
`SIMPLE_HISTORY_REVERT_DISABLED` only hides its button. Every admin with a history
page inherits `ReadOnlyHistoryAdmin` instead of `SimpleHistoryAdmin`, so that the
page shows the version read-only and has no way to save: changes go through the
object's own change page, with its permission checks (and, for articles, the
article page with its conflict check).
"""

from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_safe
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """A `SimpleHistoryAdmin` whose historical versions can be looked at, never reverted to.

    The version page answers GET and HEAD only (anything else is 405 before a
    form is even built), needs permission to view the object, shows every field
    read-only, and answers 404 to an id that is malformed, unknown, or a version
    of another object.
    """

    def revert_disabled(self, request, obj=None):
        return True  # whatever the settings say: the history list never offers "Revert"

    def history_view(self, request, object_id, extra_context=None):
        """List the object's versions; an id that cannot be one answers 404, not 500."""
        pk_or_404(self.model, unquote(object_id))
        return super().history_view(request, object_id, extra_context=extra_context)

    @method_decorator(require_safe)
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Show one historical version of the object, read-only."""
        request.current_app = self.admin_site.name
        record = self._historical_record(object_id, version_id)
        obj = record.instance
        obj._state.adding = False
        if not self.has_view_history_or_change_history_permission(request, obj):
            raise PermissionDenied

        fieldsets = self.get_fieldsets(request, obj)
        form = self.get_form(request, obj, change=True)(instance=obj)
        admin_form = helpers.AdminForm(
            form, list(fieldsets), {}, readonly_fields=flatten_fieldsets(fieldsets), model_admin=self
        )
        opts = self.model._meta
        url_name = f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}"
        context = {
            **self.admin_site.each_context(request),
            "title": f"View {opts.verbose_name} as of {timezone.localtime(record.history_date):%d %B %Y, %H:%M}",
            "adminform": admin_form,
            "object_id": obj.pk,
            "original": obj,
            "is_popup": False,
            "media": self.media + admin_form.media,
            "errors": [],
            "app_label": opts.app_label,
            "original_opts": opts,
            "opts": record._meta,
            "changelist_url": reverse(f"{url_name}_changelist"),
            "change_url": reverse(f"{url_name}_change", args=[obj.pk]),
            "history_url": reverse(f"{url_name}_history", args=[obj.pk]),
            "change_history": False,
            "revert_disabled": True,
            "add": False,
            "change": True,
            "has_add_permission": False,
            "has_view_permission": True,
            "has_change_permission": False,
            "has_delete_permission": False,
            "has_editable_inline_admin_formsets": False,
            "has_file_field": False,
            "has_absolute_url": False,
            "form_url": "",
            "content_type_id": self.content_type_model_cls.objects.get_for_model(self.model).id,
            "save_as": False,
            "save_on_top": False,
            **(extra_context or {}),
        }
        return self.render_history_view(request, self.object_history_form_template, context)

    def _historical_record(self, object_id, version_id):
        """The historical row `version_id` of object `object_id`, or 404 for anything else."""
        history_model = getattr(self.model, self.model._meta.simple_history_manager_attribute).model
        lookup = {
            self.model._meta.pk.attname: pk_or_404(self.model, unquote(object_id)),
            "history_id": pk_or_404(history_model, version_id),
        }
        record = history_model.objects.filter(**lookup).first()
        if record is None:
            raise Http404("No such version.")
        return record


def pk_or_404(model, value):
    """`value` as a primary key of `model`; 404 if it cannot be one (`None`, a word, a number out of range)."""
    try:
        pk = model._meta.pk.to_python(value)
        model._meta.pk.run_validators(pk)
    except (ValidationError, ValueError, TypeError) as malformed:
        raise Http404("No such object.") from malformed
    return pk
