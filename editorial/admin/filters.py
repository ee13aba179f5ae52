"""The article list's workflow filters: flagged evidence, and where each article stands in its review cycle."""

from django.conf import settings
from django.contrib import admin
from django.utils import timezone

from articles.models import Article
from editorial.evidence import FLAGGED_STANDINGS, live_revision_cites
from editorial.models import (
    ArticleWorkflow,
)
from references.models import Reference


class RetractedEvidenceFilter(admin.SimpleListFilter):
    """Whether the revision readers see cites a reference now retracted or under an expression of concern."""

    title = "cites retracted evidence"
    parameter_name = "retracted_evidence"

    def lookups(self, request, model_admin):
        return [
            ("any", "Yes"),
            ("retracted", "Yes, a retracted reference"),
            ("concern", "Yes, an expression of concern only"),
            ("no", "No"),
        ]

    def queryset(self, request, queryset):
        """Filter in the database, on the stored flags (`LiveEvidenceFlag`): an article's flag is its worst standing."""
        retracted, concern = Reference.Retraction.RETRACTED, Reference.Retraction.EXPRESSION_OF_CONCERN
        match self.value():
            case "any":
                return queryset.filter(live_revision_cites(FLAGGED_STANDINGS))
            case "retracted":
                return queryset.filter(live_revision_cites([retracted]))
            case "concern":
                return queryset.filter(live_revision_cites([concern]), ~live_revision_cites([retracted]))
            case "no":
                return queryset.filter(~live_revision_cites(FLAGGED_STANDINGS))
        return queryset


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
