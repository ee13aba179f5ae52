"""The editorial workflow: its states, its moves, and who may make each move.

This module is the specification. Everything that changes an article's state
goes through `editorial.services`, which reads these tables; nothing else
decides what is legal.

    Draft ──submit──▶ Submitted ──start review──▶ Under Review ──approve (quorum)──▶ Approved
                          ▲                           │                                  │
                          │                     request changes                      withdraw
                          │                           ▼                                  ▼
                          └──────submit────── Changes Requested                      Withdrawn
                                                                                         │
    Approved / Withdrawn ──submit (a new cycle; readers keep the live revision)──▶ Submitted

An edit to the working copy never changes what readers see: only an approved
revision is ever live, and a new revision must be submitted and approved again.
"""

from dataclasses import dataclass

from django.db import models


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Action(models.TextChoices):
    SUBMIT = "editorial.submit", "Submit for review"
    ASSIGN = "editorial.assign", "Assign reviewers"
    START_REVIEW = "editorial.start_review", "Start review"
    APPROVE = "editorial.approve", "Approve"
    REQUEST_CHANGES = "editorial.request_changes", "Request changes"
    WITHDRAW = "editorial.withdraw", "Withdraw"


class Role(models.TextChoices):
    """Who may act, as the transition table names them; `editorial.rules` decides membership."""

    EDITOR = "editor", "an editor"
    MANAGING_EDITOR = "managing_editor", "a managing editor"
    ASSIGNED_REVIEWER = "assigned_reviewer", "a board member assigned to this article"


@dataclass(frozen=True)
class Move:
    """A legal move: from which states, to which state, by whom.

    `target` None leaves the state as it is (an assignment). An approval
    reaches its target only when the quorum of approvals is met.
    """

    sources: frozenset
    target: State | None
    actors: frozenset
    needs_live_revision: bool = False


def _move(sources, target, *actors, needs_live_revision=False):
    return Move(frozenset(sources), target, frozenset(actors), needs_live_revision)


TRANSITIONS: dict[Action, Move] = {
    Action.SUBMIT: _move(
        {State.DRAFT, State.CHANGES_REQUESTED, State.SUBMITTED, State.UNDER_REVIEW, State.APPROVED, State.WITHDRAWN},
        State.SUBMITTED,
        Role.EDITOR,
        Role.MANAGING_EDITOR,
    ),
    Action.ASSIGN: _move({State.SUBMITTED, State.UNDER_REVIEW, State.CHANGES_REQUESTED}, None, Role.MANAGING_EDITOR),
    Action.START_REVIEW: _move({State.SUBMITTED, State.UNDER_REVIEW}, State.UNDER_REVIEW, Role.ASSIGNED_REVIEWER),
    Action.APPROVE: _move({State.UNDER_REVIEW}, State.APPROVED, Role.ASSIGNED_REVIEWER),
    Action.REQUEST_CHANGES: _move({State.UNDER_REVIEW}, State.CHANGES_REQUESTED, Role.ASSIGNED_REVIEWER),
    # Pulls the live revision from readers, even while a newer revision is in review.
    Action.WITHDRAW: _move(
        {State.APPROVED, State.SUBMITTED, State.UNDER_REVIEW, State.CHANGES_REQUESTED},
        State.WITHDRAWN,
        Role.MANAGING_EDITOR,
        needs_live_revision=True,
    ),
}

# The reader page shows these three steps; every other state maps onto one of them.
PUBLIC_STEPS = (State.SUBMITTED, State.UNDER_REVIEW, State.APPROVED)

# A comment is required for these actions: the reason is part of the record.
REASON_REQUIRED = frozenset({Action.REQUEST_CHANGES, Action.WITHDRAW})
