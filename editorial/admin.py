"""The admin side of the workflow: submitting and withdrawing articles, and reading the record.

The article editor itself lives in `articles.admin`; this module extends it
with workflow controls, so that `articles` never depends on `editorial`.
"""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from articles.admin import ArticleAdmin as ContentArticleAdmin
from articles.models import Article
from editorial.errors import WorkflowError
from editorial.models import ArticleWorkflow, AuditEvent, ReviewAssignment, Reviewer, Revision, SignOff
from editorial.rules import is_editor, is_managing_editor
from editorial.selectors import article_timeline, working_copy_status
from editorial.services import article_submit, article_withdraw
from editorial.workflow import State


@admin.register(Reviewer)
class ReviewerAdmin(SimpleHistoryAdmin):
    list_display = ("display_name", "credentials", "specialty", "is_active")
    list_filter = ("is_active", "specialty")
    search_fields = ("display_name", "specialty", "user__username", "user__email")
    prepopulated_fields = {"slug": ("display_name",)}
    raw_id_fields = ("user",)
    fieldsets = (
        (None, {"fields": ("user", "display_name", "slug", "credentials", "specialty", "is_active")}),
        ("Public profile", {"fields": ("bio", "conflict_of_interest")}),
    )


class SubmitForm(forms.Form):
    note = forms.CharField(
        label="Note for the reviewers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: what changed and why.",
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Reason for withdrawal",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the audit log and shown to editors.",
    )


admin.site.unregister(Article)


@admin.register(Article)
class ArticleAdmin(ContentArticleAdmin):
    """The article editor, with the article's place in the workflow and the moves an editor can make."""

    list_display = ("title", "specialty", "workflow_state", "updated_at")
    list_filter = ("workflow__state", "specialty")
    list_select_related = ("workflow",)
    change_form_template = "admin/articles/article/change_form_workflow.html"

    def get_readonly_fields(self, request, obj=None):
        """Only managing editors decide whether readers may see an article before its first approval."""
        readonly = super().get_readonly_fields(request, obj)
        return readonly if is_managing_editor(request.user) else (*readonly, "pending_display")

    @admin.display(description="state", ordering="workflow__state")
    def workflow_state(self, article):
        workflow = getattr(article, "workflow", None)
        return workflow.get_state_display() if workflow else State.DRAFT.label

    def get_urls(self):
        urls = [
            path(
                "<int:object_id>/submit/", self.admin_site.admin_view(self.submit_view), name="articles_article_submit"
            ),
            path(
                "<int:object_id>/withdraw/",
                self.admin_site.admin_view(self.withdraw_view),
                name="articles_article_withdraw",
            ),
        ]
        return urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, object_id)
        if article is not None:
            workflow = (
                ArticleWorkflow.objects.filter(article=article)
                .select_related("current_revision", "live_revision")
                .first()
            )
            extra_context = {
                **(extra_context or {}),
                "workflow": workflow,
                "working_copy": working_copy_status(workflow, article),
                "can_submit": is_editor(request.user),
                "can_withdraw": is_managing_editor(request.user) and bool(workflow and workflow.live_revision_id),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        article = self.get_object(request, object_id)
        if article is not None:
            extra_context = {**(extra_context or {}), "timeline": article_timeline(article)}
        return super().history_view(request, object_id, extra_context=extra_context)

    def submit_view(self, request, object_id):
        """Confirm, then freeze the working copy into a revision for review."""

        def submit(article, data):
            revision = article_submit(article=article, user=request.user, note=data["note"])
            return f"Revision {revision.number} of “{article}” is submitted for review."

        def context(article):
            workflow = ArticleWorkflow.objects.filter(article=article).first()
            return {
                "workflow": workflow,
                "working_copy": working_copy_status(workflow, article),
                "title": f"Submit “{article}” for review",
            }

        return self._workflow_move_view(request, object_id, SubmitForm, submit, context, "submit.html")

    def withdraw_view(self, request, object_id):
        """Pull the article from readers, with a reason."""

        def withdraw(article, data):
            article_withdraw(article=article, user=request.user, reason=data["reason"])
            return f"“{article}” is withdrawn: readers no longer see it."

        def context(article):
            return {"title": f"Withdraw “{article}”"}

        return self._workflow_move_view(request, object_id, WithdrawForm, withdraw, context, "withdraw.html")

    def _workflow_move_view(self, request, object_id, form_class, move, extra_context, template):
        """Show the move's form; on a valid POST make the move, or show the workflow's refusal (409)."""
        article = get_object_or_404(Article, pk=object_id)
        form = form_class(request.POST or None)
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                success = move(article, form.cleaned_data)
            except WorkflowError as refusal:
                messages.error(request, refusal.message)
                status = 409
            else:
                messages.success(request, success)
                return redirect(reverse("admin:articles_article_change", args=[article.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "article": article,
            "form": form,
            **extra_context(article),
        }
        return TemplateResponse(request, f"admin/articles/article/{template}", context, status=status)


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
    list_display = ("article", "state", "current_revision", "live_revision", "quorum", "approved_at", "next_review_due")
    list_filter = ("state",)
    list_select_related = ("article", "current_revision", "live_revision")
    search_fields = ("article__title", "article__slug")


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
