# ruff: noqa: E501 (the truth tables are grids of fourteen states; they read best unwrapped)
"""Who may make each workflow move, and when: the workflow's truth table.

Every cell is one action, taken by one person, on an article in one state. Its outcome is
"ok" (the move happens and writes exactly one audit event), "forbidden" (`PermissionDenied`:
the wrong person) or "refused" (`InvalidTransition`: the right person at the wrong moment).
Who is checked before when, so a person who may not take an action is forbidden in every state;
the one deliberate exception is a board member whose review has closed, who is told so (APPROVE).
The schedule's own moves (GO_LIVE, EXPIRE) are made by no person: everyone is forbidden them in
every state, and a test of its own shows the schedule itself making them.

The tables are written out by hand from the editorial rules; they are not read from
`editorial.workflow.TRANSITIONS`, because they are the specification that table is checked against.

States (the columns):
    draft           never submitted; there is no revision and nobody can be assigned yet
    submitted       a revision waits for review; three board members are assigned
    reviewing       under review (the assigned member started it)
    changes         changes requested by the assigned member
    approved        approved; the review cycle closed every assignment
    withdrawn       approved, then withdrawn; no live revision
    live+submitted  approved, and a newer revision is submitted (readers keep the approved one)
    live+reviewing  approved, and a newer revision is under review
    held            approved, then held for safety by a managing editor; no live revision
    held+submitted  held, then a correction submitted with three board members assigned (still held)
    scheduled       approved with a go-live time ahead: waiting to go live, never live before
    live+scheduled  approved, and a newer revision approved with a go-live time ahead (readers keep the first)
    rereview        approved, then a re-review opened: the live revision in review again, round 2, with
                    `assigned` and `dual` assigned (`dual_author` wrote those words, so cannot be)
    rereviewing     the re-review started by the assigned member

People (the rows):
    anonymous       a visitor who is not logged in
    reader          a logged-in account with no role
    editor          Editors
    managing        Managing Editors
    assigned        an Advisory Board member assigned to the article (while a cycle is open)
    unassigned      an Advisory Board member never assigned to it
    dual            Editors + Advisory Board, assigned, who did not edit the revision in review
    dual_author     Editors + Advisory Board, assigned before they edited the revision in review (in a
                    re-review, that revision is the live one, and they are an author no one can assign)
    superuser       a superuser with no board profile

Each world is built once per state through the real services and shared by its cells; every cell
runs in its own savepoint, so one cell's move never leaks into the next.
"""

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from articles.models import Article, Citation
from editorial.errors import AssignmentRefused, InvalidTransition
from editorial.models import ArticleWorkflow, AuditEvent, ReviewAssignment, Revision, SignOff
from editorial.revisions import content_hash, working_copy_document
from editorial.roles import ADVISORY_BOARD, EDITORS
from editorial.rules import THE_SCHEDULE, available_actions
from editorial.services import (
    article_expire,
    article_go_live,
    article_hold,
    article_release,
    article_rereview,
    article_restore,
    article_schedule,
    article_submit,
    article_withdraw,
    review_approve,
    review_assign,
    review_request_changes,
    review_start,
)
from editorial.services.moves import workflow_check, workflow_lock
from editorial.workflow import Action, State
from references.models import Reference
from tests.factories import EditorFactory, ManagingEditorFactory, ReviewerFactory, UserFactory
from tests.workflow_helpers import FULL_CHECKLIST, changed_claims, citable_article, edit_claim

pytestmark = pytest.mark.django_db

STATES = (
    "draft",
    "submitted",
    "reviewing",
    "changes",
    "approved",
    "withdrawn",
    "live+submitted",
    "live+reviewing",
    "held",
    "held+submitted",
    "scheduled",
    "live+scheduled",
    "rereview",
    "rereviewing",
)
ROLES = ("anonymous", "reader", "editor", "managing", "assigned", "unassigned", "dual", "dual_author", "superuser")
OK, FORBIDDEN, REFUSED = "ok", "forbidden", "refused"
# Every call below carries valid input (a reason, a full checklist, the current revision and its
# hash, a schedule the world can keep), so every refusal in these tables is about the moment:
# `InvalidTransition`. Any other `WorkflowError` escaping a cell would be a mistake in the call, and
# fails it.
REFUSAL = {FORBIDDEN: PermissionDenied, REFUSED: InvalidTransition}


def truth_table(text: str) -> dict[tuple[str, str], str]:
    """Read a grid of outcomes (people down, states across) into {(role, state): outcome}."""
    header, *rows = (line.split() for line in text.strip().splitlines())
    assert tuple(header) == STATES, header
    assert tuple(row[0] for row in rows) == ROLES, [row[0] for row in rows]
    table = {(role, state): cell for role, *cells in rows for state, cell in zip(STATES, cells, strict=True)}
    assert set(table.values()) <= {OK, FORBIDDEN, REFUSED}, set(table.values())
    return table


# Editors, managing editors and superusers submit, from every state: a new revision replaces the one
# in review (or waiting to go live, or re-reviewed unchanged), and after approval or withdrawal it
# starts a new cycle. Board members do not write.
SUBMIT = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted  scheduled  live+scheduled  rereview   rereviewing
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    editor       ok         ok         ok         ok         ok         ok         ok              ok              ok         ok              ok         ok              ok         ok
    managing     ok         ok         ok         ok         ok         ok         ok              ok              ok         ok              ok         ok              ok         ok
    assigned     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual         ok         ok         ok         ok         ok         ok         ok              ok              ok         ok              ok         ok              ok         ok
    dual_author  ok         ok         ok         ok         ok         ok         ok              ok              ok         ok              ok         ok              ok         ok
    superuser    ok         ok         ok         ok         ok         ok         ok              ok              ok         ok              ok         ok              ok         ok
""")

# Managing editors and superusers assign, while a revision is in the cycle, a re-review included; a
# draft has nothing to review, and an approved, withdrawn or scheduled article must be submitted (or
# re-reviewed) again first.
ASSIGN = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted  scheduled  live+scheduled  rereview   rereviewing
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    managing     refused    ok         ok         ok         refused    refused    ok              ok              refused    ok              refused    refused         ok         ok
    assigned     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual         forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual_author  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    superuser    refused    ok         ok         ok         refused    refused    ok              ok              refused    ok              refused    refused         ok         ok
""")

# Only a board member with an open assignment starts a review, and only of a submitted revision (or
# again while it is in review), a re-review of the live words included. A draft has no assignments
# yet; approval closes them all (also when it waits for a go-live time), and a member of the closed
# review is told so kindly. Nobody reviews words they wrote or edited.
START_REVIEW = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted  scheduled  live+scheduled  rereview   rereviewing
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    managing     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    assigned     forbidden  ok         ok         refused    refused    refused    ok              ok              refused    ok              refused    refused         ok         ok
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual         forbidden  ok         ok         refused    refused    refused    ok              ok              refused    ok              refused    refused         ok         ok
    dual_author  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    superuser    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
""")

# Only an assigned board member signs off, and only a revision under review. Nobody approves words
# they wrote or edited, whatever else they are; a re-review is signed anew, in its own round. A member
# whose review closed (approved, scheduled or withdrawn) while they were reading is told so kindly
# ("somebody else was faster") instead of being forbidden.
APPROVE = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted  scheduled  live+scheduled  rereview   rereviewing
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    managing     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    assigned     forbidden  refused    ok         refused    refused    refused    refused         ok              refused    refused         refused    refused         refused    ok
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual         forbidden  refused    ok         refused    refused    refused    refused         ok              refused    refused         refused    refused         refused    ok
    dual_author  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    superuser    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
""")

# As for approval: nobody reviews words they wrote or edited, not even to send them back.
REQUEST_CHANGES = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted  scheduled  live+scheduled  rereview   rereviewing
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    managing     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    assigned     forbidden  refused    ok         refused    refused    refused    refused         ok              refused    refused         refused    refused         refused    ok
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual         forbidden  refused    ok         refused    refused    refused    refused         ok              refused    refused         refused    refused         refused    ok
    dual_author  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    superuser    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
""")

# Managing editors and superusers withdraw approved words: live ones, even while a newer revision is
# in review or waiting to go live, held ones, even while a correction is in review (no release needed
# first), and words waiting to go live that readers never saw.
WITHDRAW = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted  scheduled  live+scheduled  rereview   rereviewing
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    managing     refused    refused    refused    refused    ok         refused    ok              ok              ok         ok              ok         ok              ok         ok
    assigned     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual         forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual_author  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    superuser    refused    refused    refused    refused    ok         refused    ok              ok              ok         ok              ok         ok              ok         ok
""")

# Managing editors, superusers and every active board member (physicians; assigned or not, and even
# if they wrote the words) hold what readers see, at once: a live revision, even while a newer one is
# in review, re-reviewed or waiting to go live. Nothing else can be held: not a held article whose
# correction is in review, nor words waiting to go live that readers never saw.
HOLD = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted  scheduled  live+scheduled  rereview   rereviewing
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    managing     refused    refused    refused    refused    ok         refused    ok              ok              refused    refused         refused    ok              ok         ok
    assigned     refused    refused    refused    refused    ok         refused    ok              ok              refused    refused         refused    ok              ok         ok
    unassigned   refused    refused    refused    refused    ok         refused    ok              ok              refused    refused         refused    ok              ok         ok
    dual         refused    refused    refused    refused    ok         refused    ok              ok              refused    refused         refused    ok              ok         ok
    dual_author  refused    refused    refused    refused    ok         refused    ok              ok              refused    refused         refused    ok              ok         ok
    superuser    refused    refused    refused    refused    ok         refused    ok              ok              refused    refused         refused    ok              ok         ok
""")

# Only managing editors and superusers release a hold, and only while the article is held: once a
# correction is submitted, its approval ends the hold.
RELEASE = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted  scheduled  live+scheduled  rereview   rereviewing
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    managing     refused    refused    refused    refused    refused    refused    refused         refused         ok         refused         refused    refused         refused    refused
    assigned     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual         forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual_author  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    superuser    refused    refused    refused    refused    refused    refused    refused         refused         ok         refused         refused    refused         refused    refused
""")

# Only managing editors and superusers restore an earlier version, and only of an article the board
# once approved (live, held, withdrawn since, or waiting to go live): the restored words are submitted
# anew. Nothing can be restored of an article never approved.
RESTORE = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted  scheduled  live+scheduled  rereview   rereviewing
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    managing     refused    refused    refused    refused    ok         ok         ok              ok              ok         ok              ok         ok              ok         ok
    assigned     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual         forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual_author  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    superuser    refused    refused    refused    refused    ok         ok         ok              ok              ok         ok              ok         ok              ok         ok
""")

# Only managing editors and superusers open a re-review, and only of live words nothing else is under way for: an approved article.
REREVIEW = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted  scheduled  live+scheduled  rereview   rereviewing
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    managing     refused    refused    refused    refused    ok         refused    refused         refused         refused    refused         refused    refused         refused    refused
    assigned     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual         forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual_author  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    superuser    refused    refused    refused    refused    ok         refused    refused         refused         refused    refused         refused    refused         refused    refused
""")

# Managing editors and superusers set the schedule of an article once submitted, in any state; a draft has nothing to schedule.
SCHEDULE = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted  scheduled  live+scheduled  rereview   rereviewing
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    managing     refused    ok         ok         ok         ok         ok         ok              ok              ok         ok              ok         ok              ok         ok
    assigned     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual         forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual_author  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    superuser    refused    ok         ok         ok         ok         ok         ok              ok              ok         ok              ok         ok              ok         ok
""")

# Nobody puts words live by hand: the schedule does, once the go-live time has come, so every person is forbidden everywhere.
GO_LIVE = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted  scheduled  live+scheduled  rereview   rereviewing
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    managing     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    assigned     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual         forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual_author  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    superuser    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
""")

# Nobody expires words by hand: the schedule does, once the expiry has come, so every person is forbidden everywhere.
EXPIRE = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted  scheduled  live+scheduled  rereview   rereviewing
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    managing     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    assigned     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual         forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    dual_author  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
    superuser    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden       forbidden  forbidden       forbidden  forbidden
""")

SPEC = {
    Action.SUBMIT: SUBMIT,
    Action.ASSIGN: ASSIGN,
    Action.START_REVIEW: START_REVIEW,
    Action.APPROVE: APPROVE,
    Action.REQUEST_CHANGES: REQUEST_CHANGES,
    Action.WITHDRAW: WITHDRAW,
    Action.HOLD: HOLD,
    Action.RELEASE: RELEASE,
    Action.RESTORE: RESTORE,
    Action.REREVIEW: REREVIEW,
    Action.SCHEDULE: SCHEDULE,
    Action.GO_LIVE: GO_LIVE,
    Action.EXPIRE: EXPIRE,
}

# Where an "ok" move leaves the article (None: where it was). Approval needs one approval here:
# every world uses the site's default quorum of one, and no world under review has a go-live time.
STATE_AFTER = {
    Action.SUBMIT: State.SUBMITTED,
    Action.ASSIGN: None,
    Action.START_REVIEW: State.UNDER_REVIEW,
    Action.APPROVE: State.APPROVED,
    Action.REQUEST_CHANGES: State.CHANGES_REQUESTED,
    Action.WITHDRAW: State.WITHDRAWN,
    Action.HOLD: State.HELD,
    Action.RELEASE: State.APPROVED,
    Action.RESTORE: State.SUBMITTED,
    Action.REREVIEW: State.SUBMITTED,
    Action.SCHEDULE: None,
    Action.GO_LIVE: State.APPROVED,
    Action.EXPIRE: State.WITHDRAWN,
}


# The worlds: each state built through the real services.


@dataclass(frozen=True)
class World:
    state: str
    article_id: int
    people: dict  # role -> user pk; the anonymous visitor has none


def make_cast() -> dict:
    """Create everyone in the table except the anonymous visitor, named after their role."""
    dual_roles = [EDITORS, ADVISORY_BOARD]
    cast = {
        "reader": UserFactory(username="reader"),
        "editor": EditorFactory(username="editor"),
        "managing": ManagingEditorFactory(username="managing"),
        "assigned": ReviewerFactory(user__username="assigned").user,
        "unassigned": ReviewerFactory(user__username="unassigned").user,
        "dual": ReviewerFactory(user=EditorFactory(username="dual", roles=dual_roles)).user,
        "dual_author": ReviewerFactory(user=EditorFactory(username="dual_author", roles=dual_roles)).user,
        "superuser": UserFactory(username="superuser", is_staff=True, is_superuser=True),
    }
    assert not hasattr(cast["superuser"], "reviewer")
    return cast


def open_review_cycle(article, cast) -> Revision:
    """Submit, assign three board members, let `dual_author` edit, and submit again.

    Assigning refuses anyone who wrote the revision in review, so the only way to be an assigned
    author is to edit after being assigned; the second submission makes that edit part of the
    revision in review while the assignment stays open.
    """
    article_submit(article=article, user=cast["editor"])
    board = [cast[role].reviewer for role in ("assigned", "dual", "dual_author")]
    review_assign(article=article, assigned_by=cast["managing"], reviewers=board)
    edit_claim(article, "Reworded by an editor who sits on the board.", user=cast["dual_author"])
    return article_submit(article=article, user=cast["editor"])


def build_state(state: str, article, cast) -> None:
    """Bring `article` to `state` through the services, as the editorial team would."""
    if state == "draft":
        edit_claim(article, "Reworded by an editor who sits on the board.", user=cast["dual_author"])
        return
    if state.startswith("rereview"):
        build_state("approved", article, cast)
        article_rereview(article=article, user=cast["managing"], note="Due for its yearly review.")
        # `dual_author` edited the live words, and a re-review reviews those very words: assigning
        # refuses them, so only the two other members are assigned.
        board = [cast[role].reviewer for role in ("assigned", "dual")]
        review_assign(article=article, assigned_by=cast["managing"], reviewers=board)
        if state == "rereviewing":
            review_start(article=article, user=cast["assigned"])
        return
    if state.startswith("held"):
        build_state("approved", article, cast)
        live = ArticleWorkflow.objects.get(article=article).live_revision
        article_hold(
            article=article,
            user=cast["managing"],
            revision=live,
            reason="Dose query.",
            public_reason="Checking a dose.",
        )
        if state == "held":
            return
        edit_claim(article, "A corrected wording for the next review cycle.", user=cast["editor"])
        state = "submitted"
    if state.startswith("live+"):
        build_state("approved", article, cast)
        edit_claim(article, "A newer wording for the next review cycle.", user=cast["editor"])
        state = state.removeprefix("live+")
    revision = open_review_cycle(article, cast)
    if state == "submitted":
        return
    review_start(article=article, user=cast["assigned"])
    if state == "reviewing":
        return
    if state == "changes":
        review_request_changes(
            revision=revision,
            user=cast["assigned"],
            content_hash=revision.content_hash,
            conflict="none",
            comment="Check the dose.",
        )
        return
    if state == "scheduled":
        article_schedule(
            article=article,
            user=cast["managing"],
            go_live_at=timezone.now() + timedelta(days=7),
            expires_at=None,
            review_interval_months=None,
        )
    review_approve(
        revision=revision,
        user=cast["assigned"],
        content_hash=revision.content_hash,
        conflict="none",
        checklist=FULL_CHECKLIST,
    )
    if state == "withdrawn":
        article_withdraw(
            article=article,
            user=cast["managing"],
            reason="Withdrawn for the table.",
            public_reason="We are checking this answer against new evidence.",
        )


EXPECTED_WORLD = {  # state, has a live revision
    "draft": (None, False),
    "submitted": (State.SUBMITTED, False),
    "reviewing": (State.UNDER_REVIEW, False),
    "changes": (State.CHANGES_REQUESTED, False),
    "approved": (State.APPROVED, True),
    "withdrawn": (State.WITHDRAWN, False),
    "live+submitted": (State.SUBMITTED, True),
    "live+reviewing": (State.UNDER_REVIEW, True),
    "held": (State.HELD, False),
    "held+submitted": (State.SUBMITTED, False),
    "scheduled": (State.SCHEDULED, False),
    "live+scheduled": (State.SCHEDULED, True),
    "rereview": (State.SUBMITTED, True),
    "rereviewing": (State.UNDER_REVIEW, True),
}


@pytest.fixture(scope="module")
def world(request, django_db_setup, django_db_blocker):
    """Build one state's world once, inside a transaction rolled back when the module moves on."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            cast = make_cast()
            article = citable_article()
            build_state(request.param, article, cast)
            yield World(
                state=request.param, article_id=article.pk, people={role: user.pk for role, user in cast.items()}
            )
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def person(world: World, role: str):
    if role == "anonymous":
        return AnonymousUser()
    return get_user_model().objects.get(pk=world.people[role])


def prepare(action: Action, world: World, actor):
    """Return the realistic call `actor` would make for `action`, ready to run."""
    article = Article.objects.get(pk=world.article_id)
    workflow = (
        ArticleWorkflow.objects.filter(article=article).select_related("current_revision", "live_revision").first()
    )
    revision = workflow.current_revision if workflow else None
    if revision is None:  # a draft has no revision: the reviewer can only point at the working copy
        content = working_copy_document(article)
        revision = Revision(article=article, number=1, content=content, content_hash=content_hash(content))
    if action == Action.SUBMIT:
        edit_claim(article, "Something new to submit.", user=None)
        return partial(article_submit, article=article, user=actor)
    if action == Action.ASSIGN:
        return partial(review_assign, article=article, assigned_by=actor, reviewers=[ReviewerFactory()])
    if action == Action.START_REVIEW:
        return partial(review_start, article=article, user=actor)
    if action == Action.APPROVE:
        return partial(
            review_approve,
            revision=revision,
            user=actor,
            content_hash=revision.content_hash,
            checklist=FULL_CHECKLIST,
            conflict="none",
            attested_claims=changed_claims(revision),
        )
    if action == Action.REQUEST_CHANGES:
        return partial(
            review_request_changes,
            revision=revision,
            user=actor,
            content_hash=revision.content_hash,
            comment="Please check the dose in the first claim.",
            conflict="none",
        )
    if action == Action.HOLD:  # holding what the person reads: the live revision, else the newest
        held = workflow.live_revision if workflow and workflow.live_revision else revision
        return partial(
            article_hold, article=article, user=actor, revision=held, reason="Dose query.", public_reason="Checking."
        )
    if action == Action.RELEASE:
        return partial(article_release, article=article, user=actor, reason="The dose was right.")
    if action == Action.RESTORE:
        # The newest revision the board approved (gone live, or waiting to). A reference it cites was
        # corrected since, so that its words are new even where that revision is also the one in review.
        event = AuditEvent.objects.filter(
            article=article, action=Action.APPROVE, to_state__in=[State.APPROVED, State.SCHEDULED]
        ).last()
        cited = Citation.objects.filter(claim__section__article=article).values("reference")[:1]
        Reference.objects.filter(pk__in=cited).update(title="A corrected title")
        return partial(article_restore, article=article, user=actor, revision=event.revision if event else revision)
    if action == Action.REREVIEW:
        return partial(article_rereview, article=article, user=actor, note="Due for its yearly review.")
    if action == Action.SCHEDULE:
        return partial(article_schedule, article=article, user=actor, **valid_schedule(world))
    if action in (Action.GO_LIVE, Action.EXPIRE):
        return prepare_schedule_move(action, world, article, actor)
    return partial(
        article_withdraw,
        article=article,
        user=actor,
        reason="A safety notice was issued.",
        public_reason="A safety notice was issued about this treatment.",
    )


# The worlds with new words in review or waiting to go live: the only ones a go-live time applies to
# (a re-review certifies the live words again, so it has nothing new to put live).
NEW_WORDS = {
    "submitted",
    "reviewing",
    "changes",
    "live+submitted",
    "live+reviewing",
    "held+submitted",
    "scheduled",
    "live+scheduled",
}


def valid_schedule(world: World) -> dict:
    """A schedule the world can keep: a go-live time where there are new words to put live, an expiry after it."""
    now = timezone.now()
    go_live_at = now + timedelta(days=7) if world.state in NEW_WORDS else None
    return {"go_live_at": go_live_at, "expires_at": now + timedelta(days=30), "review_interval_months": 6}


def prepare_schedule_move(action: Action, world: World, article, actor):
    """Return the schedule's move once its time has come; a person can only meet the check it starts with.

    For an expiry, the managing editor first sets one (keeping any go-live time), and the schedule runs
    a second after it. The schedule's services take no person: a person reaching for these moves is
    stopped by the check every move makes first (`workflow_check`, who before when).
    """
    workflow = ArticleWorkflow.objects.filter(article=article).first()
    go_live_at = workflow.go_live_at if workflow else None
    due = (go_live_at or timezone.now()) + timedelta(seconds=1)
    if action == Action.EXPIRE and workflow is not None:
        expires_at = (go_live_at or timezone.now()) + timedelta(days=1)
        article_schedule(
            article=article,
            user=person(world, "managing"),
            go_live_at=go_live_at,
            expires_at=expires_at,
            review_interval_months=None,
        )
        due = expires_at + timedelta(seconds=1)
    if actor is not THE_SCHEDULE:
        return partial(check_as_person, action, article=article, user=actor)
    service = article_go_live if action == Action.GO_LIVE else article_expire
    return partial(service, article=article, now=due)


def check_as_person(action: Action, *, article, user) -> None:
    workflow_check(action, workflow=workflow_lock(article.pk), user=user)


def footprint(article_id: int) -> dict:
    """Everything a move could change, as comparable values."""
    workflow = ArticleWorkflow.objects.filter(article_id=article_id).values_list(
        "state",
        "current_revision",
        "live_revision",
        "held_revision",
        "public_reason",
        "quorum",
        "review_round",
        "certified_round",
        "go_live_at",
        "expires_at",
        "review_interval_months",
        "scheduled_by",
    )
    return {
        "workflow": workflow.first(),
        "audit_trail": list(
            AuditEvent.objects.filter(article_id=article_id).values_list(
                "action", "actor__username", "from_state", "to_state"
            )
        ),
        "revisions": Revision.objects.filter(article_id=article_id).count(),
        "sign_offs": SignOff.objects.filter(revision__article_id=article_id).count(),
        "assignments": sorted(
            ReviewAssignment.objects.filter(article_id=article_id).values_list("reviewer_id", "is_open")
        ),
    }


@pytest.mark.parametrize("world", STATES, indirect=True)
def test_each_world_is_in_the_state_it_claims(world):
    workflow = ArticleWorkflow.objects.filter(article_id=world.article_id).first()
    state, has_live = EXPECTED_WORLD[world.state]
    assert (workflow.state if workflow else None, bool(workflow and workflow.live_revision_id)) == (state, has_live)
    if workflow and workflow.current_revision and world.state not in ("approved", "withdrawn", "held"):
        authors = set(workflow.current_revision.contributors.values_list("username", flat=True))
        assert "dual_author" in authors


@pytest.mark.parametrize("world", ["rereview", "rereviewing"], indirect=True)
def test_a_rereview_world_has_the_live_revision_in_review_again_in_round_two(world):
    workflow = ArticleWorkflow.objects.get(article_id=world.article_id)
    assigned = ReviewAssignment.objects.filter(article_id=world.article_id, is_open=True)

    assert (
        workflow.current_revision_id == workflow.live_revision_id,
        workflow.review_round,
        sorted(assigned.values_list("reviewer__user__username", flat=True)),
    ) == (True, 2, ["assigned", "dual"])


@pytest.mark.parametrize("world", ["rereview"], indirect=True)
def test_an_author_of_the_live_words_cannot_be_assigned_to_their_rereview(world):
    article = Article.objects.get(pk=world.article_id)

    with pytest.raises(AssignmentRefused):
        review_assign(
            article=article, assigned_by=person(world, "managing"), reviewers=[person(world, "dual_author").reviewer]
        )


@pytest.mark.parametrize("world", ["scheduled", "live+scheduled"], indirect=True)
def test_a_scheduled_world_waits_for_a_go_live_time_its_managing_editor_set(world):
    workflow = ArticleWorkflow.objects.get(article_id=world.article_id)

    assert (
        workflow.go_live_at > timezone.now(),
        workflow.scheduled_by.username,
        workflow.current_revision_id == workflow.live_revision_id,
    ) == (True, "managing", False)


# The world is the outer, module-scoped parameter, so pytest groups the cells by state and builds
# each world once; the expected outcome is looked up in the tables above.
@pytest.mark.parametrize(
    ("action", "role"),
    [pytest.param(action, role, id=f"{action.name.lower()}-{role}") for action in SPEC for role in ROLES],
)
@pytest.mark.parametrize("world", STATES, indirect=True)
def test_workflow_move_by_role_and_state(world, action, role):
    expected = SPEC[action][role, world.state]
    actor = person(world, role)
    move = prepare(action, world, actor)
    before = footprint(world.article_id)
    from_state = before["workflow"][0] if before["workflow"] else State.DRAFT

    if expected == OK:
        move()
        to_state = STATE_AFTER[action] or from_state
        after = footprint(world.article_id)
        assert after["audit_trail"] == [*before["audit_trail"], (action.value, role, from_state, to_state)]
        assert after["workflow"][0] == to_state
        return

    with pytest.raises(REFUSAL[expected]):
        move()
    assert footprint(world.article_id) == before


# What the desk, the admin and the commands offer is exactly what the tables allow.
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("world", STATES, indirect=True)
def test_available_actions_are_exactly_the_moves_the_tables_allow(world, role):
    workflow = (
        ArticleWorkflow.objects.filter(article_id=world.article_id)
        .select_related("article", "current_revision", "live_revision")
        .first()
    )
    article = Article.objects.get(pk=world.article_id)

    offered = available_actions(person(world, role), workflow, article=article)

    assert offered == [action for action in SPEC if SPEC[action][role, world.state] == OK]


# The schedule a managing editor set, which no person can be, makes the two moves nobody may make by
# hand: it puts words live exactly where they wait for their go-live time, and expires them exactly
# where readers see live words whose expiry has come. Its one audit event names that managing editor.
THE_SCHEDULE_MAY = {
    Action.GO_LIVE: {"scheduled", "live+scheduled"},
    Action.EXPIRE: {"approved", "live+submitted", "live+reviewing", "live+scheduled", "rereview", "rereviewing"},
}


@pytest.mark.parametrize("action", [Action.GO_LIVE, Action.EXPIRE], ids=["go_live", "expire"])
@pytest.mark.parametrize("world", STATES, indirect=True)
def test_the_schedule_makes_its_moves_in_their_states_in_the_name_of_whoever_set_it(world, action):
    move = prepare(action, world, THE_SCHEDULE)
    before = footprint(world.article_id)
    from_state = before["workflow"][0] if before["workflow"] else State.DRAFT

    if world.state in THE_SCHEDULE_MAY[action]:
        move()
        after = footprint(world.article_id)
        event = AuditEvent.objects.filter(article_id=world.article_id).latest("pk")
        assert (after["audit_trail"], after["workflow"][0], event.data["by_schedule"]) == (
            [*before["audit_trail"], (action.value, "managing", from_state, STATE_AFTER[action])],
            STATE_AFTER[action],
            True,
        )
        return

    with pytest.raises(InvalidTransition):
        move()
    assert footprint(world.article_id) == before
