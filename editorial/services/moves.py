"""The steps every move shares: lock, check (who, then when, then reasons), transition, record, close a review.

`_transition` is the one place a workflow's state changes: it applies
`TRANSITIONS[action]`, validates, saves what changed and writes the move's one
audit event. A move that changes the live revision recomputes the article's
evidence flag there too (`editorial.evidence_flags`), in the same transaction.
"""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from articles.models import Article
from config.history import acting_as
from editorial.errors import (
    InvalidTransition,
    ReasonRequired,
)
from editorial.evidence_flags import evidence_flags_refresh
from editorial.models import ArticleWorkflow, AuditEvent, ReviewAssignment
from editorial.rules import holds_any_role
from editorial.signals import public_status_changed
from editorial.workflow import TRANSITIONS, Action, refusal_message
from ledger.services import link_append

WORKFLOW_FIELDS = (
    "state",
    "current_revision_id",
    "live_revision_id",
    "held_revision_id",
    "public_reason",
    "quorum",
    "approved_at",
    "first_approved_at",
    "next_review_due",
    "review_round",
    "certified_round",
    "review_interval_months",
    "go_live_at",
    "expires_at",
    "scheduled_by_id",
)
LIVE_REVISION = WORKFLOW_FIELDS.index("live_revision_id")


def workflow_lock(article_id: int) -> ArticleWorkflow:
    """Lock the article's row (the one lock every move on it takes) and return its workflow.

    An article never submitted has no workflow row yet: it gets an unsaved one
    (a draft), which only a submission saves, so a refused move writes nothing.
    """
    Article.objects.select_for_update().get(pk=article_id)
    workflow = ArticleWorkflow.objects.select_for_update().filter(article_id=article_id).first()
    workflow = workflow or ArticleWorkflow(article_id=article_id)
    workflow._locked_values = _values_of(workflow)
    return workflow


def _values_of(workflow: ArticleWorkflow) -> tuple:
    return tuple(getattr(workflow, field) for field in WORKFLOW_FIELDS)


def workflow_check(action: Action, *, workflow: ArticleWorkflow, user, comment: str = "", public_reason: str = ""):
    """Refuse `action` unless `user` may take it (403), the workflow can take it now (409), with its reasons given."""
    move = TRANSITIONS[action]
    if not holds_any_role(user, move.actors, workflow.article):
        actors = " or ".join(sorted(role.label for role in move.actors))
        raise PermissionDenied(f"Only {actors} can {action.label.lower()}.")
    if not move.is_possible(workflow):
        raise InvalidTransition(refusal_message(action, title=workflow.article.title, state=workflow.state))
    if move.needs_reason and not comment.strip():
        raise ReasonRequired(f"Say why: a reason is required to {action.label.lower()}.")
    if move.needs_public_reason and not public_reason.strip():
        raise ReasonRequired(f"Say why in words for readers: a public reason is required to {action.label.lower()}.")


def _transition(
    action, *, workflow, actor, revision=None, comment="", data=None, reached=True, scheduled=False, is_public=False
) -> AuditEvent:
    """Apply `TRANSITIONS[action]` to the locked workflow: its target, then validate, save and record.

    The service has already checked the move and set what else it changes; the
    state goes to the move's target (none: unchanged; `reached` False: an
    approval below quorum; `scheduled`: its scheduled target, an approval
    waiting for its go-live time). The row is saved only if something changed (each
    save writes a history row); `is_public` moves then tell the reader
    (`public_status_changed`, which may refuse); the one audit event comes last.
    """
    from_state = workflow.state
    workflow.state = TRANSITIONS[action].target_of(from_state, reached=reached, scheduled=scheduled)
    if workflow._state.adding or _values_of(workflow) != workflow._locked_values:
        was_live = None if workflow._state.adding else workflow._locked_values[LIVE_REVISION]
        with acting_as(actor):
            workflow.full_clean()
            workflow.save()
        workflow._locked_values = _values_of(workflow)
        if workflow.live_revision_id != was_live:
            evidence_flags_refresh(article_ids=[workflow.article_id])
    if is_public:
        public_status_changed.send(sender=ArticleWorkflow, article_id=workflow.article_id)
    return _record(
        action, workflow=workflow, actor=actor, from_state=from_state, revision=revision, comment=comment, data=data
    )


def _close_review(workflow: ArticleWorkflow, *, actor) -> list[ReviewAssignment]:
    """Close every open assignment of the article, row by row so that each closing is in its history."""
    closed = _open_assignments(workflow)
    now = timezone.now()
    with acting_as(actor):
        for assignment in closed:
            assignment.is_open, assignment.closed_at = False, now
            assignment.save(update_fields=["is_open", "closed_at"])
    return closed


def _open_assignments(workflow: ArticleWorkflow):
    return list(
        ReviewAssignment.objects.filter(article_id=workflow.article_id, is_open=True).select_related("reviewer__user")
    )


def _record(action, *, workflow, actor, from_state, revision=None, comment="", data=None) -> AuditEvent:
    """Write the move's one audit event and append it to the article's tamper-evident chain."""
    event = AuditEvent.objects.create(
        article_id=workflow.article_id,
        action=action,
        actor=actor,
        from_state=from_state,
        to_state=workflow.state,
        revision=revision,
        comment=comment,
        data=data or {},
    )
    link_append(event)
    return event
