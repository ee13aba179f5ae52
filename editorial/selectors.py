"""Reads about the workflow that cross relations."""

from dataclasses import dataclass
from datetime import datetime

from articles.models import Article
from articles.selectors import article_content_history
from editorial.models import ArticleWorkflow, AuditEvent
from editorial.revisions import claim_changes, content_hash, working_copy_document


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    who: object
    kind: str  # "edit" or "workflow"
    summary: str
    revision_number: int | None = None


def article_timeline(article: Article, limit: int = 200) -> list[TimelineEntry]:
    """Return edits, submissions, transitions and sign-offs of an article, newest first (six queries)."""
    entries = [
        TimelineEntry(
            when=event.created_at,
            who=event.actor,
            kind="workflow",
            summary=_event_summary(event),
            revision_number=event.revision.number if event.revision else None,
        )
        for event in AuditEvent.objects.filter(article=article).select_related("actor", "revision").reverse()[:limit]
    ]
    entries += [
        TimelineEntry(when=row.history_date, who=row.history_user, kind="edit", summary=_edit_summary(row))
        for row in article_content_history(article, limit=limit)
    ]
    entries += [
        TimelineEntry(when=row.history_date, who=row.history_user, kind="edit", summary=_edit_summary(row, "article"))
        for row in article.history.select_related("history_user")[:limit]
    ]
    return sorted(entries, key=lambda entry: entry.when, reverse=True)[:limit]


def _event_summary(event: AuditEvent) -> str:
    summary = event.get_action_display()
    if event.from_state != event.to_state:
        summary += f": {event.get_from_state_display()} → {event.get_to_state_display()}"
    if event.comment:
        summary += f" — “{event.comment}”"
    return summary


def _edit_summary(row, kind: str | None = None) -> str:
    verb = {"+": "added", "~": "changed", "-": "deleted"}[row.history_type]
    kind = kind or row.kind
    return f"{kind.capitalize()} {verb}"


@dataclass(frozen=True)
class WorkingCopyStatus:
    has_unsubmitted_changes: bool
    changes_since_current: dict
    changes_since_live: dict
    document: dict

    def changed_claims(self) -> list[tuple[str, str]]:
        """(change, wording) for each claim added or changed since the revision in review."""
        return [
            (self.changes_since_current[claim["uid"]], claim["text"])
            for section in self.document["sections"]
            for claim in section["claims"]
            if self.changes_since_current.get(claim["uid"]) in ("added", "changed")
        ]

    def removed_claim_count(self) -> int:
        return sum(1 for change in self.changes_since_current.values() if change == "removed")


def working_copy_status(workflow: ArticleWorkflow | None, article: Article) -> WorkingCopyStatus:
    """Compare the working copy with the revision in review and with the live revision."""
    document = working_copy_document(article)
    current = workflow.current_revision if workflow else None
    live = workflow.live_revision if workflow else None
    return WorkingCopyStatus(
        has_unsubmitted_changes=current is None or current.content_hash != content_hash(document),
        changes_since_current=claim_changes(current.content if current else None, document),
        changes_since_live=claim_changes(live.content if live else None, document),
        document=document,
    )
