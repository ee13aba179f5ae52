from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from config.history_admin import ReadOnlyHistoryAdmin
from editorial.diffs import word_diff
from editorial.errors import WorkflowError
from reader.forms import DecisionHashForm, PageVersionForm, RejectForm
from reader.models import EditorialPage, EditorialPageDecision, EditorialPageVersion, FollowUpQuestion
from reader.page_versions import (
    VersionStatus,
    may_decide_page_version,
    may_draft_page_version,
    page_version_approve,
    page_version_draft,
    page_version_reject,
    refresh_job,
    status_of,
    version_status,
)


@admin.register(EditorialPage)
class EditorialPageAdmin(ReadOnlyHistoryAdmin):
    """The site's own pages under sign-off: draft a version, read it against the one in force, approve or reject.

    The page's own screen lists its versions and offers editors the draft form;
    each version's screen shows its words, what changed since the version in
    force, the decisions on it, and the approve and reject forms. Every write is
    a `reader.page_versions` service: a refusal is a 403 or a 409 with its reason.
    """

    list_display = ("title", "slug", "in_force", "updated_at")

    def has_add_permission(self, request):
        return False  # the site links to a fixed set of pages

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="in force")
    def in_force(self, page):
        return f"Version {page.live_version.number}" if page.live_version_id else "None"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("live_version")

    def get_urls(self):
        urls = [
            path(
                "<int:object_id>/versions/<int:number>/",
                self.admin_site.admin_view(self.version_view),
                name="reader_editorialpage_version",
            ),
            path(
                "<int:object_id>/versions/<int:number>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="reader_editorialpage_approve",
            ),
            path(
                "<int:object_id>/versions/<int:number>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="reader_editorialpage_reject",
            ),
        ]
        return urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The page, its versions, and (for editors) the form to draft a new version."""
        page = self._page(request, object_id)
        newest = page.versions.order_by("-number").first()
        form, status = None, 200
        if request.method == "POST":
            if not may_draft_page_version(request.user):
                raise PermissionDenied
            form = PageVersionForm(request.POST, page=page)
            if form.is_valid():
                try:
                    version = page_version_draft(page=page, drafted_by=request.user, **form.cleaned_data)
                except WorkflowError as refusal:
                    messages.error(request, refusal.message)
                    status = 409
                else:
                    messages.success(
                        request,
                        f"Version {version.number} of “{page.title}” is recorded. Readers keep seeing the version "
                        "in force until a managing editor and a board member approve it.",
                    )
                    return redirect(self._version_url(version))
            else:
                status = 400
        elif may_draft_page_version(request.user):
            form = PageVersionForm(page=page, initial=PageVersionForm.initial_from(newest))
        newest_number = newest.number if newest else 0
        live_number = page.live_version.number if page.live_version_id else None
        versions = [
            (version, version_status(version, newest_number=newest_number, live_number=live_number))
            for version in page.versions.prefetch_related("decisions").order_by("-number")
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "page": page,
            "versions": versions,
            "form": form,
            "title": f"{page.title}: versions",
        }
        return TemplateResponse(request, "admin/reader/editorialpage/page_versions.html", context, status=status)

    def version_view(self, request, object_id, number, status=200, reject_form=None):
        """One version: its words, the change against the version in force, the decisions, and the forms."""
        page = self._page(request, object_id)
        version = get_object_or_404(
            EditorialPageVersion.objects.select_related("drafted_by").prefetch_related("decisions__decided_by"),
            page=page,
            number=number,
        )
        version.page = page
        state = status_of(version)
        base = page.live_version if page.live_version_id and page.live_version_id != version.pk else None
        may_decide = state == VersionStatus.PENDING and may_decide_page_version(request.user, version)
        may_decide = may_decide and not any(d.decided_by_id == request.user.pk for d in version.decisions.all())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "page": page,
            "version": version,
            "status": state,
            "base": base,
            "changes": _changes(base, version),
            "may_decide": may_decide,
            "drafted_it": version.drafted_by_id == request.user.pk,
            "hash_form": DecisionHashForm(initial={"content_hash": version.content_hash}),
            "reject_form": reject_form or RejectForm(initial={"content_hash": version.content_hash}),
            "title": f"{page.title}, version {version.number}",
            "refresh": refresh_job(version),
        }
        return TemplateResponse(request, "admin/reader/editorialpage/version.html", context, status=status)

    def approve_view(self, request, object_id, number):
        return self._decide(request, object_id, number, approve=True)

    def reject_view(self, request, object_id, number):
        return self._decide(request, object_id, number, approve=False)

    def _decide(self, request, object_id, number, *, approve: bool):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        page = self._page(request, object_id)
        version = get_object_or_404(EditorialPageVersion, page=page, number=number)
        form = (DecisionHashForm if approve else RejectForm)(request.POST)
        if not form.is_valid():
            messages.error(request, "The form was incomplete. Nothing was recorded.")
            return self.version_view(request, object_id, number, status=400, reject_form=None if approve else form)
        try:
            if approve:
                decision = page_version_approve(version=version, user=request.user, **form.cleaned_data)
            else:
                decision = page_version_reject(version=version, user=request.user, **form.cleaned_data)
        except WorkflowError as refusal:
            messages.error(request, refusal.message)
            return self.version_view(request, object_id, number, status=409, reject_form=None if approve else form)
        messages.success(request, _decision_message(decision))
        return redirect(self._version_url(version))

    def _page(self, request, object_id) -> EditorialPage:
        if not str(object_id).isdigit():
            raise Http404("No such page.")
        page = get_object_or_404(EditorialPage.objects.select_related("live_version"), pk=object_id)
        if not self.has_view_or_change_permission(request, page):
            raise PermissionDenied
        return page

    @staticmethod
    def _version_url(version) -> str:
        return reverse("admin:reader_editorialpage_version", args=[version.page_id, version.number])


def _changes(base, version) -> list[tuple[str, object]]:
    """(label, the words with what changed marked) of each part of the version, against `base` (or nothing)."""
    parts = [("Title", "title"), ("Words for professionals and everyone", "body")]
    if version.page.has_patient_text:
        parts.append(("Words for patients and caregivers", "patient_body"))
    return [
        (label, word_diff(getattr(base, name, "") if base else "", getattr(version, name))) for label, name in parts
    ]


def _decision_message(decision) -> str:
    version = decision.version
    if decision.decision == EditorialPageDecision.Decision.REJECT:
        return f"You rejected version {version.number}. Readers keep seeing the version in force."
    if EditorialPage.objects.filter(pk=version.page_id, live_version=version).exists():
        return f"You approved version {version.number}. It is now in force: readers see it."
    return (
        f"You approved version {version.number} as {decision.get_role_display().lower()}. "
        "It reaches readers once the other role approves it too."
    )


@admin.register(FollowUpQuestion)
class FollowUpQuestionAdmin(ReadOnlyHistoryAdmin):
    """Readers' questions, for editors to triage. Their text is always shown escaped."""

    list_display = ("created_at", "article", "audience", "status", "question_excerpt", "email")
    # No filter by article: it would list every article in the library. Search finds an article's questions.
    list_filter = ("status", "audience")
    list_select_related = ("article",)
    search_fields = ("question", "email", "article__title")
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
