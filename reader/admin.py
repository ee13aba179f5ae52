from django.contrib import admin, messages

from config.history_admin import ReadOnlyHistoryAdmin
from reader.models import EditorialPage, FollowUpQuestion


@admin.register(EditorialPage)
class EditorialPageAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title", "slug", "updated_at")
    fields = ("title", "slug", "body")
    readonly_fields = ("slug",)

    def has_add_permission(self, request):
        return False  # the site links to a fixed set of pages

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FollowUpQuestion)
class FollowUpQuestionAdmin(ReadOnlyHistoryAdmin):
    """Readers' questions, for editors to triage. Their text is always shown escaped."""

    list_display = ("created_at", "article", "audience", "status", "question_excerpt", "email")
    list_filter = ("status", "audience", "article")
    search_fields = ("question", "email")
    readonly_fields = ("article", "question", "audience", "email", "created_at")
    fields = ("article", "audience", "question", "email", "created_at", "status")
    actions = ["mark_triaged", "mark_answered", "mark_dismissed"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="question")
    def question_excerpt(self, question):
        return question.question if len(question.question) <= 120 else question.question[:119] + "…"

    def _set_status(self, request, queryset, status):
        changed = 0
        for question in queryset.exclude(status=status):
            question.status = status
            question.save(update_fields=["status"])
            changed += 1
        messages.success(request, f"{changed} question{'s' if changed != 1 else ''} marked {status}.")

    @admin.action(description="Mark as triaged", permissions=["change"])
    def mark_triaged(self, request, queryset):
        self._set_status(request, queryset, FollowUpQuestion.Status.TRIAGED)

    @admin.action(description="Mark as answered", permissions=["change"])
    def mark_answered(self, request, queryset):
        self._set_status(request, queryset, FollowUpQuestion.Status.ANSWERED)

    @admin.action(description="Mark as dismissed", permissions=["change"])
    def mark_dismissed(self, request, queryset):
        self._set_status(request, queryset, FollowUpQuestion.Status.DISMISSED)
