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
    Approved ──open a re-review (the live revision, unchanged)──▶ Submitted
    Under Review ──approve (quorum) with a go-live time ahead──▶ Scheduled ──go live (the schedule)──▶ Approved
    live ──expire (the schedule)──▶ Withdrawn

An edit to the working copy never changes what readers see: only an approved
revision is ever live, and a new revision must be submitted and approved again.
A hold takes the live revision from readers at once and keeps it aside; a
release restores it, or the approval of a newer revision ends the hold.

A re-review asks the board to certify the live words again, unchanged: its
quorum moves "last reviewed" and "next review due", never "last updated".
Some moves are made by the schedule a managing editor set (a go-live time, an
expiry): nobody takes them by hand, and their audit events name that editor.
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
    SCHEDULED = "scheduled", "Scheduled to go live"


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
    REREVIEW = "editorial.rereview", "Open a re-review"
    SCHEDULE = "editorial.schedule", "Set the schedule"
    GO_LIVE = "editorial.go_live", "Go live as scheduled"
    EXPIRE = "editorial.expire", "Expire as scheduled"


class Role(models.TextChoices):
    """Who may act, as the transition table names them; `editorial.rules` decides membership."""

    EDITOR = "editor", "an editor"
    MANAGING_EDITOR = "managing_editor", "a managing editor"
    ASSIGNED_REVIEWER = "assigned_reviewer", "a board member assigned to this article"
    BOARD_MEMBER = "board_member", "an active board member"
    SCHEDULE = "schedule", "the schedule a managing editor set"


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
    APPROVED = "approved", "with approved words, live, held or scheduled"
    ONCE_APPROVED = "once_approved", "with a revision the board once approved"


@dataclass(frozen=True)
class Move:
    """A legal move: from which states, to which state, by whom, and how it is worded.

    `target` None leaves the state as it is (an assignment); `until` says when a
    move reaches its target (an approval reaches it at quorum), and
    `scheduled_target` where it goes instead while a go-live time is ahead.
    `needs` says which approved words must exist too: a live revision, or
    approved words live, held or scheduled.
    """

    sources: frozenset
    target: State | None
    actors: frozenset
    past_participle: str  # "… cannot be <past participle> now"
    reason: Reason = Reason.OPTIONAL
    until: Until = Until.ALWAYS
    needs: Needs = Needs.NOTHING
    scheduled_target: State | None = None

    def is_possible(self, workflow) -> bool:
        """Whether the move can start from the workflow's state (the "when", leaving aside who and input).

        `workflow` answers `state`, `is_live`, `is_held`, `is_scheduled` and
        `was_approved` (some revision once reached quorum; it may since be withdrawn).
        """
        has_words = {
            Needs.NOTHING: True,
            Needs.LIVE: workflow.is_live,
            Needs.APPROVED: workflow.is_live or workflow.is_held or workflow.is_scheduled,
            Needs.ONCE_APPROVED: workflow.was_approved,
        }[self.needs]
        return workflow.state in self.sources and has_words

    @property
    def reached_states(self) -> frozenset:
        """The states the move leaves once it reaches its target: the target, and the scheduled one if any."""
        return frozenset(state for state in (self.target, self.scheduled_target) if state is not None)

    def target_of(self, state: str, *, reached: bool = True, scheduled: bool = False) -> str:
        """The state the move leaves: its target once reached (the scheduled one if a go-live is ahead)."""
        if self.target is None or not reached:
            return state
        return self.scheduled_target if scheduled and self.scheduled_target else self.target

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
# readers may see approved words (with a live revision): approved, or a newer revision in review or waiting to go live
LIVE_STATES = frozenset({State.APPROVED, State.SCHEDULED}) | IN_REVIEW_CYCLE
NOTICE_STATES = frozenset({State.WITHDRAWN, State.HELD})  # readers see a notice instead of the words
SCHEDULABLE_STATES = frozenset(State) - {State.DRAFT}  # a submitted article can be given a schedule
GO_LIVE_STATES = IN_REVIEW_CYCLE | {State.SCHEDULED}  # a go-live time applies to a revision not yet live

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
        scheduled_target=State.SCHEDULED,
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
    # Asks the board to certify the live words again, unchanged: the same revision, a new review round.
    Action.REREVIEW: Move(
        frozenset({State.APPROVED}),
        State.SUBMITTED,
        frozenset({Role.MANAGING_EDITOR}),
        "re-reviewed",
        needs=Needs.LIVE,
    ),
    # Sets when the revision in review goes live, when the live words expire, and the review interval.
    Action.SCHEDULE: Move(SCHEDULABLE_STATES, None, frozenset({Role.MANAGING_EDITOR}), "scheduled"),
    # The schedule's own moves: run by the periodic job once their time has come, never by hand.
    Action.GO_LIVE: Move(frozenset({State.SCHEDULED}), State.APPROVED, frozenset({Role.SCHEDULE}), "put live"),
    Action.EXPIRE: Move(LIVE_STATES, State.WITHDRAWN, frozenset({Role.SCHEDULE}), "expired", needs=Needs.LIVE),
}

# The public reason readers read when an article's expiry came before the board re-reviewed it.
EXPIRED_PUBLIC_REASON = (
    "This answer reached the end of the period our medical advisory board approved it for. "
    "It is offline until the board has reviewed it again."
)

# The reader page shows these three steps; every other state maps onto one of them.
PUBLIC_STEPS = (State.SUBMITTED, State.UNDER_REVIEW, State.APPROVED)

# Where each state stands on the public three-step stepper. A live page is always at Approved; the
# notices (withdrawn, held) show no stepper, and a scheduled revision is approved, waiting to go live.
PUBLIC_STEP_OF_STATE = {
    State.DRAFT: State.SUBMITTED,
    State.SUBMITTED: State.SUBMITTED,
    State.UNDER_REVIEW: State.UNDER_REVIEW,
    State.CHANGES_REQUESTED: State.UNDER_REVIEW,
    State.APPROVED: State.APPROVED,
    State.SCHEDULED: State.APPROVED,
    State.WITHDRAWN: State.APPROVED,
    State.HELD: State.APPROVED,
}


def refusal_message(action: Action, *, title: str, state: str) -> str:
    """The sentence an editor reads when `action` cannot start from `state`."""
    return f"“{title}” is {State(state).label.lower()}, so it cannot be {TRANSITIONS[action].past_participle} now."


def transitions_markdown() -> str:
    """Render `TRANSITIONS` as the Markdown table `docs/workflow.md` shows (a test keeps the two equal)."""
    rows = ["| Move (audit action) | From | To | Who | Reason |", "| --- | --- | --- | --- | --- |"]
    for action, move in TRANSITIONS.items():
        if move.sources == set(State):
            sources = "any state"
        elif move.sources == set(State) - {State.DRAFT}:
            sources = "any state but Draft"
        else:
            sources = ", ".join(s.label for s in State if s in move.sources)
        if move.needs != Needs.NOTHING:
            sources += f" ({move.needs.label})"
        target = move.target.label if move.target else "unchanged"
        if move.scheduled_target:
            target += f" ({move.scheduled_target.label} while a go-live time is ahead)"
        if move.until != Until.ALWAYS:
            target += f" {move.until.label}"
        actors = " or ".join(role.label for role in Role if role in move.actors)
        rows.append(f"| {action.label} (`{action.value}`) | {sources} | {target} | {actors} | {move.reason.label} |")
    return "\n".join(rows) + "\n"
