"""The article page's workflow side: the status panel, and one page per move (submit, withdraw, hold,
release, restore, re-review, schedule), each a thin view over its service.

It extends the article editor of `articles.admin`, so that `articles` never depends on `editorial`."""

from functools import partial

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html

from articles.admin import ArticleAdmin as ContentArticleAdmin
from articles.admin import ClaimInline, SectionInline, SpecialtyFilter
from articles.models import Article
from editorial.admin.display import when
from editorial.admin.filters import RetractedEvidenceFilter, ReviewFilter
from editorial.admin.forms import (
    HoldForm,
    ReleaseForm,
    RereviewForm,
    RestoreForm,
    ScheduleForm,
    SubmitForm,
    WithdrawForm,
    schedule_of,
)
from editorial.errors import WorkflowError
from editorial.evidence import FlaggedEvidence, live_article_evidence_flags
from editorial.models import (
    ArticleWorkflow,
    Revision,
)
from editorial.rules import (
    available_actions,
    is_managing_editor,
    may_manage_expert_links,
    may_read_sign_off_report,
    may_take_part_in_threads,
)
from editorial.selectors import article_timeline, working_copy_status
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
from editorial.threads.selectors import thread_counts_by_claim
from editorial.workflow import IN_REVIEW_CYCLE, Action, State
from references.models import Reference

EVIDENCE_PAGE_SIZE = 25  # flagged articles per page of the retracted-evidence list, each with its details


def _schedule_summary(workflow: ArticleWorkflow) -> str:
    """One sentence per part of the schedule just set, for the success message."""
    parts = []
    if workflow.go_live_at:
        parts.append(f"revision {workflow.current_revision.number} goes live on {when(workflow.go_live_at)}")
    if workflow.expires_at:
        parts.append(f"the live words expire on {when(workflow.expires_at)}")
    default = "" if workflow.review_interval_months else " (the site default)"
    parts.append(f"the board reviews it every {workflow.review_interval} months{default}")
    if workflow.next_review_due:
        parts.append(f"next by {formats.date_format(workflow.next_review_due, 'DATE_FORMAT')}")
    return "; ".join(parts)


def _thread_summary(counts: tuple[int, int], link: str | None) -> str:
    """ "2 open threads, 1 resolved", linked to the threads page for those who may answer them."""
    open_count, resolved = counts
    if not (open_count or resolved):
        return "No review thread."
    words = f"{open_count} open thread{'s' if open_count != 1 else ''}"
    words += f", {resolved} resolved" if resolved else ""
    return format_html('<a href="{}">{}</a>', link, words) if link else words


def _thread_totals(counts: dict) -> tuple[int, int]:
    """(open, resolved) threads of the whole article, from `thread_counts_by_claim`."""
    return sum(c[0] for c in counts.values()), sum(c[1] for c in counts.values())


def _review_threads_field(request):
    """The claim inline's read-only "review threads" column, from what `change_view` read once for the page."""
    if not hasattr(request, "_review_threads_field"):

        @admin.display(description="review threads")
        def review_threads(claim):
            counts, link = getattr(request, "_review_threads", ({}, None))
            if claim.pk is None:
                return "No review thread."
            return _thread_summary(counts.get(str(claim.uid), (0, 0)), link)

        request._review_threads_field = review_threads
    return request._review_threads_field


class ClaimWithThreadsInline(ClaimInline):
    """A claim as the article page edits it, with the board's threads on it summed up beside it."""

    def get_fields(self, request, obj=None):
        return (*super().get_fields(request, obj), _review_threads_field(request))

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), _review_threads_field(request))


class SectionWithThreadsInline(SectionInline):
    inlines = [ClaimWithThreadsInline]


@admin.register(Article)
class ArticleAdmin(ContentArticleAdmin):
    """The article editor, with the article's place in the workflow and the moves an editor can make."""

    list_display = ("title", "specialty", "workflow_state", "next_review_due", "updated_at")
    list_filter = ("workflow__state", ReviewFilter, RetractedEvidenceFilter, ("specialty", SpecialtyFilter))
    list_select_related = ("workflow",)
    change_form_template = "admin/articles/article/change_form_workflow.html"
    change_list_template = "admin/articles/article/change_list_evidence.html"
    inlines = [SectionWithThreadsInline]

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

    def get_changelist_instance(self, request):
        """Read the evidence flags of the page's articles only: a page costs the same whatever the library's size."""
        changelist = super().get_changelist_instance(request)
        request._evidence_flags = live_article_evidence_flags(
            article_ids=[article.pk for article in changelist.result_list]
        )
        return changelist

    def get_list_display(self, request):
        """Add the evidence column; it reads the page's flags from the request, as a column cannot see the request."""

        @admin.display(description="cites retracted evidence")
        def cites_retracted_evidence(article):
            flag = request._evidence_flags.get(article.pk)
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
            thread_counts = thread_counts_by_claim(article)
            can_read_threads = may_take_part_in_threads(request.user, article)
            link = reverse("desk:threads", args=[article.slug]) if can_read_threads else None
            request._review_threads = (thread_counts, link)  # for the claims' "review threads" column
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
                "can_read_sign_off_report": may_read_sign_off_report(request.user, article),
                "can_read_threads": can_read_threads,
                "thread_counts": _thread_totals(thread_counts),
                "can_invite_experts": may_manage_expert_links(request.user),
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
        evidence = FlaggedEvidence()
        page = Paginator(evidence, EVIDENCE_PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Live articles citing retracted evidence",
            "page_obj": page,
            "flagged_articles": evidence.articles(page.object_list),
        }
        return TemplateResponse(request, "admin/articles/article/retracted_evidence.html", context)

    def submit_view(self, request, object_id):
        """Confirm, then freeze the working copy into a revision for review."""

        def submit(article, data):
            revision = article_submit(
                article=article,
                user=request.user,
                note=data["note"],
                change_type=data["change_type"],
                change_summary=data["change_summary"],
            )
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
            restored = article_restore(
                article=article,
                user=request.user,
                revision=revision,
                note=data["note"],
                change_type=data["change_type"],
                change_summary=data["change_summary"],
            )
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
            return schedule_of(ArticleWorkflow.objects.filter(article=article).first())

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
