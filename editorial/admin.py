"""The admin side of the workflow: submitting and withdrawing articles, and reading the record.

The article editor itself lives in `articles.admin`; this module extends it
with workflow controls, so that `articles` never depends on `editorial`.
"""

from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html

from articles.admin import ArticleAdmin as ContentArticleAdmin
from articles.models import Article
from config.history_admin import ReadOnlyHistoryAdmin
from editorial.errors import WorkflowError
from editorial.evidence import (
    FLAGGED_STANDINGS,
    live_article_evidence_flags,
    live_articles_citing_flagged_evidence,
)
from editorial.models import (
    MAX_REVIEW_INTERVAL_MONTHS,
    ArticleWorkflow,
    AuditEvent,
    ReviewAssignment,
    Reviewer,
    Revision,
    SignOff,
)
from editorial.rules import available_actions, is_managing_editor
from editorial.selectors import approved_revisions, article_timeline, working_copy_status
from editorial.services import (
    article_hold,
    article_release,
    article_rereview,
    article_restore,
    article_schedule,
    article_submit,
    article_withdraw,
    workflow_check,
)
from editorial.workflow import IN_REVIEW_CYCLE, Action, State
from references.models import Reference


@admin.register(Reviewer)
class ReviewerAdmin(ReadOnlyHistoryAdmin):
    """Board profiles, kept by managing editors: a profile's account is chosen once, when it is added.

    Its sign-offs name that account's person, so moving a profile to another
    account would rewrite who approved what; a new account gets a new profile.
    """

    list_display = ("display_name", "credentials", "specialty", "is_active")
    list_filter = ("is_active", "specialty")
    search_fields = ("display_name", "specialty", "user__username", "user__email")
    prepopulated_fields = {"slug": ("display_name",)}
    raw_id_fields = ("user",)
    fieldsets = (
        (None, {"fields": ("user", "display_name", "slug", "credentials", "specialty", "is_active")}),
        ("Public profile", {"fields": ("bio", "conflict_of_interest")}),
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "user") if obj is not None else readonly

    def has_add_permission(self, request):
        return super().has_add_permission(request) and is_managing_editor(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and is_managing_editor(request.user)


class SubmitForm(forms.Form):
    note = forms.CharField(
        label="Note for the reviewers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: what changed and why.",
    )


def _internal_reason(label):
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the audit log and shown to editors; never to readers.",
    )


def _public_reason():
    return forms.CharField(
        label="Reason for readers",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or two plain sentences, shown to readers on the notice that replaces the article.",
    )


class WithdrawForm(forms.Form):
    reason = _internal_reason("Reason for withdrawal")
    public_reason = _public_reason()


class HoldForm(forms.Form):
    revision = forms.IntegerField(required=False, widget=forms.HiddenInput)  # the live revision the holder read
    reason = _internal_reason("Reason for the hold")
    public_reason = _public_reason()


class ReleaseForm(forms.Form):
    reason = _internal_reason("Reason for releasing the hold")


class RestoreForm(forms.Form):
    """Choose one of the article's revisions the board approved; its words are submitted anew."""

    revision = forms.TypedChoiceField(
        label="Revision to restore", coerce=int, widget=forms.RadioSelect, help_text="Revisions the board approved."
    )
    note = forms.CharField(
        label="Note for the reviewers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: why these words are coming back. The revision notes which one it restores.",
    )

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision"].choices = [
            (approved.revision.number, _approved_revision_label(approved)) for approved in approved_revisions(article)
        ]


class RereviewForm(forms.Form):
    note = forms.CharField(
        label="Note for the reviewers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: why the board should look at these words again now.",
    )


def _moment_field(label, help_text):
    """A date and time typed in the site's time zone (the browser's own picker, no script of ours)."""
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=help_text,
    )


class ScheduleForm(forms.Form):
    """The article's whole schedule: each value replaces the one before, and an empty one clears it.

    The workflow judges the values (`article_schedule`): a past time, an expiry
    before go-live and an interval out of range come back as its sentence.
    """

    go_live_at = _moment_field(
        "Go live on",
        "Empty: the revision goes live as soon as the board approves it.",
    )
    expires_at = _moment_field(
        "Expires on",
        "Then readers see a notice instead of the words, unless a re-review reaches quorum first. Empty: no expiry.",
    )
    review_interval_months = forms.IntegerField(
        label="Review every (months)",
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_REVIEW_INTERVAL_MONTHS}),
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: recorded in the audit log with the schedule.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = settings.EDITORIAL_REVIEW_INTERVAL_MONTHS
        self.fields["review_interval_months"].help_text = (
            f"From 1 to {MAX_REVIEW_INTERVAL_MONTHS}. Empty: the site default, every {default} months. "
            "A change moves the next review date, counted from the last review."
        )


def _schedule_of(workflow: ArticleWorkflow | None) -> dict:
    """The schedule as it stands, to start the form from: submitting it unchanged keeps it."""
    if workflow is None:
        return {}
    return {
        "go_live_at": workflow.go_live_at,
        "expires_at": workflow.expires_at,
        "review_interval_months": workflow.review_interval_months,
    }


def _schedule_summary(workflow: ArticleWorkflow) -> str:
    """One sentence per part of the schedule just set, for the success message."""
    parts = []
    if workflow.go_live_at:
        parts.append(f"revision {workflow.current_revision.number} goes live on {_when(workflow.go_live_at)}")
    if workflow.expires_at:
        parts.append(f"the live words expire on {_when(workflow.expires_at)}")
    default = "" if workflow.review_interval_months else " (the site default)"
    parts.append(f"the board reviews it every {workflow.review_interval} months{default}")
    if workflow.next_review_due:
        parts.append(f"next by {formats.date_format(workflow.next_review_due, 'DATE_FORMAT')}")
    return "; ".join(parts)


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _approved_revision_label(approved) -> str:
    when = formats.date_format(timezone.localtime(approved.approved_at), "DATETIME_FORMAT")
    by = ", ".join(approved.approvers) or "the board"
    return f"Revision {approved.revision.number}, approved {when} by {by} ({approved.revision.short_hash})"


def _evidence_flags(request) -> dict[int, str]:
    """The live articles citing flagged evidence, read once per request for the filter and the column."""
    if not hasattr(request, "_live_evidence_flags"):
        request._live_evidence_flags = live_article_evidence_flags()
    return request._live_evidence_flags


class RetractedEvidenceFilter(admin.SimpleListFilter):
    """Whether the revision readers see cites a reference now retracted or under an expression of concern."""

    title = "cites retracted evidence"
    parameter_name = "retracted_evidence"
    # An article's flag is its worst standing, so "concern" means concern and nothing retracted.
    STANDINGS = {
        "any": FLAGGED_STANDINGS,
        "retracted": (Reference.Retraction.RETRACTED,),
        "concern": (Reference.Retraction.EXPRESSION_OF_CONCERN,),
    }

    def lookups(self, request, model_admin):
        return [
            ("any", "Yes"),
            ("retracted", "Yes, a retracted reference"),
            ("concern", "Yes, an expression of concern only"),
            ("no", "No"),
        ]

    def queryset(self, request, queryset):
        flags = _evidence_flags(request)
        if self.value() == "no":
            return queryset.exclude(pk__in=flags)
        standings = self.STANDINGS.get(self.value())
        if standings is None:
            return queryset
        return queryset.filter(pk__in=[pk for pk, flag in flags.items() if flag in standings])


class ReviewFilter(admin.SimpleListFilter):
    """Where an article stands in its life after approval: review dates, a schedule, a hold."""

    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Review overdue"),
            ("due_soon", f"Review due within {settings.EDITORIAL_REVIEW_REMINDER_DAYS} days"),
            ("scheduled", "Scheduled to go live"),
            ("expiring", "Set to expire"),
            ("held", "Held for safety"),
        ]

    def queryset(self, request, queryset):
        workflows = self._workflows(self.value())
        return queryset if workflows is None else queryset.filter(workflow__in=workflows)

    @staticmethod
    def _workflows(choice):
        today, workflows = timezone.localdate(), ArticleWorkflow.objects
        return {
            "overdue": lambda: workflows.review_overdue(today),
            "due_soon": lambda: workflows.review_due_soon(today),
            "scheduled": lambda: workflows.filter(state=State.SCHEDULED),
            "expiring": lambda: workflows.live().filter(expires_at__isnull=False),
            "held": lambda: workflows.held(),
        }.get(choice, lambda: None)()


admin.site.unregister(Article)


@admin.register(Article)
class ArticleAdmin(ContentArticleAdmin):
    """The article editor, with the article's place in the workflow and the moves an editor can make."""

    list_display = ("title", "specialty", "workflow_state", "next_review_due", "updated_at")
    list_filter = ("workflow__state", ReviewFilter, RetractedEvidenceFilter, "specialty")
    list_select_related = ("workflow",)
    change_form_template = "admin/articles/article/change_form_workflow.html"
    change_list_template = "admin/articles/article/change_list_evidence.html"

    def get_readonly_fields(self, request, obj=None):
        """Only managing editors decide whether readers may see an article before its first approval."""
        readonly = super().get_readonly_fields(request, obj)
        return readonly if is_managing_editor(request.user) else (*readonly, "pending_display")

    @admin.display(description="state", ordering="workflow__state")
    def workflow_state(self, article):
        workflow = getattr(article, "workflow", None)
        if workflow is None:
            return State.DRAFT.label
        return f"{workflow.get_state_display()} · live" if workflow.is_live else workflow.get_state_display()

    @admin.display(description="review due", ordering="workflow__next_review_due")
    def next_review_due(self, article):
        """The date the live words fall due for review; none where readers see no approved words."""
        workflow = getattr(article, "workflow", None)
        if workflow is None or not workflow.is_live or workflow.next_review_due is None:
            return None
        due = formats.date_format(workflow.next_review_due, "DATE_FORMAT")
        return f"{due} (overdue)" if workflow.review_overdue_on(timezone.localdate()) else due

    def get_list_display(self, request):
        """Add the evidence column; it reads the request's flags, as a column cannot see the request."""

        @admin.display(description="cites retracted evidence")
        def cites_retracted_evidence(article):
            flag = _evidence_flags(request).get(article.pk)
            return Reference.Retraction(flag).label if flag else None

        list_display = list(super().get_list_display(request))
        list_display.insert(list_display.index("workflow_state") + 1, cites_retracted_evidence)
        return list_display

    def get_urls(self):
        urls = [
            path(
                "retracted-evidence/",
                self.admin_site.admin_view(self.retracted_evidence_view),
                name="articles_article_retracted_evidence",
            ),
            path(
                "<int:object_id>/submit/", self.admin_site.admin_view(self.submit_view), name="articles_article_submit"
            ),
            path(
                "<int:object_id>/withdraw/",
                self.admin_site.admin_view(self.withdraw_view),
                name="articles_article_withdraw",
            ),
            path("<int:object_id>/hold/", self.admin_site.admin_view(self.hold_view), name="articles_article_hold"),
            path(
                "<int:object_id>/release/",
                self.admin_site.admin_view(self.release_view),
                name="articles_article_release",
            ),
            path(
                "<int:object_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="articles_article_restore",
            ),
            path(
                "<int:object_id>/rereview/",
                self.admin_site.admin_view(self.rereview_view),
                name="articles_article_rereview",
            ),
            path(
                "<int:object_id>/schedule/",
                self.admin_site.admin_view(self.schedule_view),
                name="articles_article_schedule",
            ),
        ]
        return urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, object_id)
        if article is not None:
            workflow = (
                ArticleWorkflow.objects.filter(article=article)
                .select_related("current_revision", "live_revision", "held_revision", "scheduled_by")
                .first()
            )
            actions = available_actions(request.user, workflow, article=article)
            extra_context = {
                **(extra_context or {}),
                "workflow": workflow,
                "in_review": workflow is not None and workflow.state in IN_REVIEW_CYCLE,
                "review_overdue": workflow is not None and workflow.review_overdue_on(timezone.localdate()),
                "site_review_interval": settings.EDITORIAL_REVIEW_INTERVAL_MONTHS,
                "working_copy": working_copy_status(workflow, article),
                "can_submit": Action.SUBMIT in actions,
                "can_withdraw": Action.WITHDRAW in actions,
                "can_hold": Action.HOLD in actions,
                "can_release": Action.RELEASE in actions,
                "can_restore": Action.RESTORE in actions,
                "can_rereview": Action.REREVIEW in actions,
                "can_schedule": Action.SCHEDULE in actions,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        article = self.get_object(request, object_id)
        if article is not None:
            extra_context = {**(extra_context or {}), "timeline": article_timeline(article)}
        return super().history_view(request, object_id, extra_context=extra_context)

    def retracted_evidence_view(self, request):
        """List the live articles that cite retracted evidence, for anyone who may read articles."""
        if not self.has_view_permission(request):
            raise PermissionDenied("You need permission to read articles to see which of them cite retracted evidence.")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Live articles citing retracted evidence",
            "flagged_articles": live_articles_citing_flagged_evidence(),
        }
        return TemplateResponse(request, "admin/articles/article/retracted_evidence.html", context)

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
            article_withdraw(
                article=article, user=request.user, reason=data["reason"], public_reason=data["public_reason"]
            )
            return f"“{article}” is withdrawn: readers no longer see it."

        def context(article):
            return {"title": f"Withdraw “{article}”"}

        return self._workflow_move_view(request, object_id, WithdrawForm, withdraw, context, "withdraw.html")

    def hold_view(self, request, object_id):
        """Take the live revision from readers at once, for safety, with an internal and a public reason."""

        def hold(article, data):
            revision = Revision.objects.filter(article=article, number=data["revision"]).first()
            article_hold(
                article=article,
                user=request.user,
                revision=revision,
                reason=data["reason"],
                public_reason=data["public_reason"],
            )
            return f"“{article}” is held: readers see a notice instead of it, and managing editors are told."

        def context(article):
            workflow = ArticleWorkflow.objects.filter(article=article).select_related("live_revision").first()
            return {"title": f"Hold “{article}” for safety", "workflow": workflow}

        def initial(article):
            workflow = ArticleWorkflow.objects.filter(article=article).select_related("live_revision").first()
            live = workflow.live_revision if workflow else None
            return {"revision": live.number if live else None}

        return self._workflow_move_view(request, object_id, HoldForm, hold, context, "hold.html", initial=initial)

    def release_view(self, request, object_id):
        """Show the held revision to readers again, with a reason."""

        def release(article, data):
            revision = article_release(article=article, user=request.user, reason=data["reason"])
            return f"The hold on “{article}” is released: readers see revision {revision.number} again."

        def context(article):
            return {"title": f"Release the hold on “{article}”"}

        return self._workflow_move_view(request, object_id, ReleaseForm, release, context, "release.html")

    def restore_view(self, request, object_id):
        """List the revisions the board approved; submit the chosen one's words anew as a new revision."""
        article = get_object_or_404(Article, pk=object_id)

        def restore(article, data):
            revision = Revision.objects.get(article=article, number=data["revision"])
            restored = article_restore(article=article, user=request.user, revision=revision, note=data["note"])
            return (
                f"Revision {revision.number} of “{article}” is restored as revision {restored.number}, "
                "submitted for review: readers see it once the board approves it."
            )

        def context(article):
            return {"title": f"Restore an earlier version of “{article}”"}

        form_class = partial(RestoreForm, article=article)
        return self._workflow_move_view(request, object_id, form_class, restore, context, "restore.html")

    def rereview_view(self, request, object_id):
        """Confirm, then put the live revision back before the board, unchanged, as a new review round."""

        def rereview(article, data):
            live = article_rereview(article=article, user=request.user, note=data["note"])
            workflow = ArticleWorkflow.objects.get(article=article)
            return format_html(
                "“{}” is open for re-review, round {}: the board reviews the unchanged live revision {}, "
                'and readers keep seeing it meanwhile. Next, <a href="{}">assign board members</a> to review it.',
                article,
                workflow.review_round,
                live.number,
                reverse("desk:assign", args=[article.slug]),
            )

        def context(article):
            workflow = ArticleWorkflow.objects.filter(article=article).select_related("live_revision").first()
            return {
                "title": f"Open a re-review of “{article}”",
                "workflow": workflow,
                "review_overdue": workflow is not None and workflow.review_overdue_on(timezone.localdate()),
            }

        return self._workflow_move_view(
            request, object_id, RereviewForm, rereview, context, "rereview.html", action=Action.REREVIEW
        )

    def schedule_view(self, request, object_id):
        """Set when the revision in review goes live, when the live words expire, and how often they are reviewed."""

        def schedule(article, data):
            workflow = article_schedule(article=article, user=request.user, **data)
            return f"The schedule of “{article}” is set: {_schedule_summary(workflow)}."

        def context(article):
            workflow = (
                ArticleWorkflow.objects.filter(article=article)
                .select_related("current_revision", "live_revision")
                .first()
            )
            return {
                "title": f"Set the schedule of “{article}”",
                "workflow": workflow,
                "in_review": workflow is not None and workflow.state in IN_REVIEW_CYCLE,
                "site_review_interval": settings.EDITORIAL_REVIEW_INTERVAL_MONTHS,
                "time_zone": timezone.get_current_timezone_name(),
            }

        def initial(article):
            return _schedule_of(ArticleWorkflow.objects.filter(article=article).first())

        return self._workflow_move_view(
            request,
            object_id,
            ScheduleForm,
            schedule,
            context,
            "schedule.html",
            initial=initial,
            action=Action.SCHEDULE,
        )

    def _workflow_move_view(
        self, request, object_id, form_class, move, extra_context, template, initial=None, action=None
    ):
        """Show the move's form; on a valid POST make the move, or show the workflow's refusal (409).

        With `action`, the page itself is refused as the move would be: to the
        wrong person (403), and at the wrong moment (409, with the reason and no form).
        """
        article = get_object_or_404(Article, pk=object_id)
        form = form_class(request.POST or None, initial=initial(article) if initial else None)
        status = 200
        refused = self._refusal(request, article, action) if action else None
        if refused:
            messages.error(request, refused.message)
            form, status = None, 409
        elif request.method == "POST" and form.is_valid():
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

    @staticmethod
    def _refusal(request, article, action) -> WorkflowError | None:
        """Why `action` cannot start now, or None; raise `PermissionDenied` if the user may never take it."""
        workflow = ArticleWorkflow.objects.filter(article=article).first() or ArticleWorkflow(article=article)
        workflow.article = article
        try:
            workflow_check(action, workflow=workflow, user=request.user)
        except WorkflowError as refusal:
            return refusal
        return None


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
            parts.append(f"Goes live {_when(workflow.go_live_at)}")
        if workflow.expires_at:
            parts.append(f"Expires {_when(workflow.expires_at)}")
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
