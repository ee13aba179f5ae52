"""The editorial workflow: its states, its moves, who may make each move, and their wording.

This module is the specification, and it is executed: `editorial.services`
applies `TRANSITIONS` (each move's sources and target), `editorial.rules`
answers "what may this person do now" from it (`available_actions`), and the
table in `docs/workflow.md` is generated from it (`transitions_markdown`).

    Draft ──submit──▶ Submitted ──start review──▶ Under Review ──approve (quorum)──▶ Approved
                          ▲                           │                                  │
                          │                     request changes                 withdraw │ hold
                          │                           ▼                                  ▼
                          └──────submit────── Changes Requested              Withdrawn   Held ──release──▶ Approved

    Approved / Withdrawn / Held ──submit (a new cycle)──▶ Submitted
    any state, once approved ──restore an earlier approved revision (submitted anew)──▶ Submitted

An edit to the working copy never changes what readers see: only an approved
revision is ever live, and a new revision must be submitted and approved again.
A hold takes the live revision from readers at once and keeps it aside; a
release restores it, or the approval of a newer revision ends the hold.
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
    HELD = "held", "Held for safety"


class Action(models.TextChoices):
    SUBMIT = "editorial.submit", "Submit for review"
    ASSIGN = "editorial.assign", "Assign reviewers"
    START_REVIEW = "editorial.start_review", "Start review"
    APPROVE = "editorial.approve", "Approve"
    REQUEST_CHANGES = "editorial.request_changes", "Request changes"
    WITHDRAW = "editorial.withdraw", "Withdraw"
    HOLD = "editorial.hold", "Hold for safety"
    RELEASE = "editorial.release", "Release the hold"
    RESTORE = "editorial.restore", "Restore an earlier version"


class Role(models.TextChoices):
    """Who may act, as the transition table names them; `editorial.rules` decides membership."""

    EDITOR = "editor", "an editor"
    MANAGING_EDITOR = "managing_editor", "a managing editor"
    ASSIGNED_REVIEWER = "assigned_reviewer", "a board member assigned to this article"
    BOARD_MEMBER = "board_member", "an active board member"


class Reason(models.TextChoices):
    """What a move records as its reason: nothing required, an internal reason, or an internal and a public one."""

    OPTIONAL = "optional", "optional"
    INTERNAL = "internal", "an internal reason"
    INTERNAL_AND_PUBLIC = "internal_and_public", "an internal reason and a public one"


class Until(models.TextChoices):
    """When a move reaches its target; until then the state is unchanged."""

    ALWAYS = "always", ""
    QUORUM = "quorum", "once the quorum is met, else unchanged"


class Needs(models.TextChoices):
    """Which approved words a move needs besides its source state."""

    NOTHING = "nothing", ""
    LIVE = "live", "with a live revision"
    APPROVED = "approved", "with approved words, live or held"
    ONCE_APPROVED = "once_approved", "with a revision the board once approved"


@dataclass(frozen=True)
class Move:
    """A legal move: from which states, to which state, by whom, and how it is worded.

    `target` None leaves the state as it is (an assignment); `until` says when a
    move reaches its target (an approval reaches it at quorum). `needs` says
    which approved words must exist too: a live revision, or approved words live or held.
    """

    sources: frozenset
    target: State | None
    actors: frozenset
    past_participle: str  # "… cannot be <past participle> now"
    reason: Reason = Reason.OPTIONAL
    until: Until = Until.ALWAYS
    needs: Needs = Needs.NOTHING

    def is_possible(self, state: str, *, is_live: bool, is_held: bool, was_approved: bool) -> bool:
        """Whether the move can start from `state` (the "when", leaving aside who and input).

        `was_approved`: some revision of the article once reached quorum (it may since be withdrawn).
        """
        has_words = {
            Needs.NOTHING: True,
            Needs.LIVE: is_live,
            Needs.APPROVED: is_live or is_held,
            Needs.ONCE_APPROVED: was_approved,
        }[self.needs]
        return state in self.sources and has_words

    @property
    def needs_reason(self) -> bool:
        return self.reason != Reason.OPTIONAL

    @property
    def needs_public_reason(self) -> bool:
        return self.reason == Reason.INTERNAL_AND_PUBLIC


# State groups: each question about states is answered here, once.
REVIEWABLE_STATES = frozenset({State.SUBMITTED, State.UNDER_REVIEW})  # a board member can sign the revision
IN_REVIEW_CYCLE = REVIEWABLE_STATES | {State.CHANGES_REQUESTED}  # a revision is with the board or its editors
PENDING_STATES = REVIEWABLE_STATES  # a never-approved article may be shown under the caution policy
LIVE_STATES = frozenset({State.APPROVED}) | IN_REVIEW_CYCLE  # readers may see approved words (with a live revision)
NOTICE_STATES = frozenset({State.WITHDRAWN, State.HELD})  # readers see a notice instead of the words

TRANSITIONS: dict[Action, Move] = {
    Action.SUBMIT: Move(
        frozenset(State),
        State.SUBMITTED,
        frozenset({Role.EDITOR, Role.MANAGING_EDITOR}),
        "submitted",
    ),
    Action.ASSIGN: Move(IN_REVIEW_CYCLE, None, frozenset({Role.MANAGING_EDITOR}), "assigned to reviewers"),
    Action.START_REVIEW: Move(REVIEWABLE_STATES, State.UNDER_REVIEW, frozenset({Role.ASSIGNED_REVIEWER}), "started"),
    Action.APPROVE: Move(
        frozenset({State.UNDER_REVIEW}),
        State.APPROVED,
        frozenset({Role.ASSIGNED_REVIEWER}),
        "approved",
        until=Until.QUORUM,
    ),
    Action.REQUEST_CHANGES: Move(
        frozenset({State.UNDER_REVIEW}),
        State.CHANGES_REQUESTED,
        frozenset({Role.ASSIGNED_REVIEWER}),
        "sent back for changes",
        reason=Reason.INTERNAL,
    ),
    # Pulls the approved words from readers for good, even while a newer revision is in review,
    # and even while they are held (a hold need not be released, showing the words, to withdraw them).
    Action.WITHDRAW: Move(
        LIVE_STATES | {State.HELD},
        State.WITHDRAWN,
        frozenset({Role.MANAGING_EDITOR}),
        "withdrawn",
        reason=Reason.INTERNAL_AND_PUBLIC,
        needs=Needs.APPROVED,
    ),
    # Takes the live revision from readers at once, keeping it aside, and interrupts any review.
    # Board members are physicians: any active one may hold, assigned or not; safety does not wait.
    Action.HOLD: Move(
        LIVE_STATES,
        State.HELD,
        frozenset({Role.MANAGING_EDITOR, Role.BOARD_MEMBER}),
        "held",
        reason=Reason.INTERNAL_AND_PUBLIC,
        needs=Needs.LIVE,
    ),
    # Restores the held revision to readers. To keep it held until a corrected revision is
    # approved instead, submit the correction: its approval ends the hold.
    Action.RELEASE: Move(
        frozenset({State.HELD}),
        State.APPROVED,
        frozenset({Role.MANAGING_EDITOR}),
        "released",
        reason=Reason.INTERNAL,
    ),
    # Puts the words of a revision the board once approved back into the working copy and submits
    # them as a new revision: the board signs them off again before readers see them.
    Action.RESTORE: Move(
        frozenset(State),
        State.SUBMITTED,
        frozenset({Role.MANAGING_EDITOR}),
        "restored to an earlier version",
        needs=Needs.ONCE_APPROVED,
    ),
}

# The reader page shows these three steps; every other state maps onto one of them.
PUBLIC_STEPS = (State.SUBMITTED, State.UNDER_REVIEW, State.APPROVED)


def refusal_message(action: Action, *, title: str, state: str) -> str:
    """The sentence an editor reads when `action` cannot start from `state`."""
    return f"“{title}” is {State(state).label.lower()}, so it cannot be {TRANSITIONS[action].past_participle} now."


def transitions_markdown() -> str:
    """Render `TRANSITIONS` as the Markdown table `docs/workflow.md` shows (a test keeps the two equal)."""
    rows = ["| Move (audit action) | From | To | Who | Reason |", "| --- | --- | --- | --- | --- |"]
    for action, move in TRANSITIONS.items():
        sources = "any state" if move.sources == set(State) else ", ".join(s.label for s in State if s in move.sources)
        if move.needs != Needs.NOTHING:
            sources += f" ({move.needs.label})"
        target = move.target.label if move.target else "unchanged"
        if move.until != Until.ALWAYS:
            target += f" {move.until.label}"
        actors = " or ".join(role.label for role in Role if role in move.actors)
        rows.append(f"| {action.label} (`{action.value}`) | {sources} | {target} | {actors} | {move.reason.label} |")
    return "\n".join(rows) + "\n"
