"""The workflow's records (workflows, revisions, sign-offs, assignments, the audit log): read-only."""

from django.contrib import admin
from django.utils import timezone

from editorial.admin.display import when
from editorial.models import (
    ArticleWorkflow,
    AuditEvent,
    ReviewAssignment,
    Revision,
    SignOff,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """The workflow's records are written by its services only; the admin shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ArticleWorkflow)
class ArticleWorkflowAdmin(ReadOnlyAdmin):
    """Each article's place in the workflow and its schedule, in narrow columns: the review dates come first."""

    list_display = (
        "article_title",
        "state",
        "revisions",
        "round_number",
        "last_reviewed",
        "review_due",
        "review_interval",
        "schedule",
    )
    list_filter = ("state",)
    list_select_related = ("article", "current_revision", "live_revision")
    search_fields = ("article__title", "article__slug")

    @admin.display(description="article", ordering="article__title")
    def article_title(self, workflow):
        """The title as text: a related object's column never wraps, and a long title would push the rest away."""
        return workflow.article.title

    @admin.display(description="revision")
    def revisions(self, workflow):
        """The revision in review and the live one, in one narrow column: "2, live 1", "1 (live)"."""
        current, live = workflow.current_revision, workflow.live_revision
        if current is None:
            return None
        if live is None:
            return str(current.number)
        return f"{current.number} (live)" if live == current else f"{current.number}, live {live.number}"

    @admin.display(description="last reviewed", ordering="approved_at")
    def last_reviewed(self, workflow):
        return timezone.localdate(workflow.approved_at) if workflow.approved_at else None

    @admin.display(description="next review due", ordering="next_review_due")
    def review_due(self, workflow):
        """Only live words fall due for review; a withdrawn or held article's old date means nothing now."""
        return workflow.next_review_due if workflow.is_live else None

    @admin.display(description="round", ordering="review_round")
    def round_number(self, workflow):
        return workflow.review_round

    @admin.display(description="review interval")
    def review_interval(self, workflow):
        if workflow.review_interval_months is None:
            return f"{workflow.review_interval} months (site default)"
        return f"{workflow.review_interval} months"

    @admin.display(description="schedule")
    def schedule(self, workflow):
        """The go-live time and the expiry in one column, each named, so that the row fits beside the filter."""
        parts = []
        if workflow.go_live_at:
            parts.append(f"Goes live {when(workflow.go_live_at)}")
        if workflow.expires_at:
            parts.append(f"Expires {when(workflow.expires_at)}")
        return "; ".join(parts) or None


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ("article", "number", "short_hash", "source", "created_by", "created_at")
    list_filter = ("source",)
    list_select_related = ("article", "created_by")
    search_fields = ("article__title", "content_hash")
    fields = ("article", "number", "content_hash", "source", "created_by", "created_at", "contributors", "content")


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ("revision", "reviewer", "decision", "conflict", "created_at")
    list_filter = ("decision", "conflict")
    list_select_related = ("revision__article", "reviewer")


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("article", "reviewer", "assigned_by", "due_date", "is_open", "started_revision")
    list_filter = ("is_open",)
    list_select_related = ("article", "reviewer", "assigned_by", "started_revision")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "article", "action", "actor", "from_state", "to_state", "revision")
    list_filter = ("action",)
    list_select_related = ("article", "actor", "revision")
    search_fields = ("article__title", "comment")
