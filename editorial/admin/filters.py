"""The article list's workflow filters: flagged evidence, and where each article stands in its review cycle."""

from django.conf import settings
from django.contrib import admin
from django.utils import timezone

from articles.models import Article
from editorial.evidence import (
    FLAGGED_STANDINGS,
    live_article_evidence_flags,
)
from editorial.models import (
    ArticleWorkflow,
)
from references.models import Reference


def evidence_flags(request) -> dict[int, str]:
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
        flags = evidence_flags(request)
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
            "scheduled": lambda: workflows.scheduled(),
            "expiring": lambda: workflows.expiring(),
            "held": lambda: workflows.held(),
        }.get(choice, lambda: None)()


admin.site.unregister(Article)
