# ruff: noqa: E501 (the truth tables are grids of ten states; they read best unwrapped)
"""Who may make each workflow move, and when: the workflow's truth table.

Every cell is one action, taken by one person, on an article in one state. Its outcome is
"ok" (the move happens and writes exactly one audit event), "forbidden" (`PermissionDenied`:
the wrong person) or "refused" (`InvalidTransition`: the right person at the wrong moment).
Who is checked before when, so a person who may not take an action is forbidden in every state;
the one deliberate exception is a board member whose review has closed, who is told so (APPROVE).

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

People (the rows):
    anonymous       a visitor who is not logged in
    reader          a logged-in account with no role
    editor          Editors
    managing        Managing Editors
    assigned        an Advisory Board member assigned to the article (while a cycle is open)
    unassigned      an Advisory Board member never assigned to it
    dual            Editors + Advisory Board, assigned, who did not edit the revision in review
    dual_author     Editors + Advisory Board, assigned before they edited the revision in review
    superuser       a superuser with no board profile

Each world is built once per state through the real services and shared by its cells; every cell
runs in its own savepoint, so one cell's move never leaks into the next.
"""

from dataclasses import dataclass
from functools import partial

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from articles.models import Article, Citation
from editorial.errors import InvalidTransition
from editorial.models import ArticleWorkflow, AuditEvent, ReviewAssignment, Revision, SignOff
from editorial.revisions import content_hash, working_copy_document
from editorial.roles import ADVISORY_BOARD, EDITORS
from editorial.rules import available_actions
from editorial.services import (
    article_hold,
    article_release,
    article_restore,
    article_submit,
    article_withdraw,
    review_approve,
    review_assign,
    review_request_changes,
    review_start,
)
from editorial.workflow import Action, State
from references.models import Reference
from tests.factories import EditorFactory, ManagingEditorFactory, ReviewerFactory, UserFactory
from tests.workflow_helpers import FULL_CHECKLIST, citable_article, edit_claim

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
)
ROLES = ("anonymous", "reader", "editor", "managing", "assigned", "unassigned", "dual", "dual_author", "superuser")
OK, FORBIDDEN, REFUSED = "ok", "forbidden", "refused"
# Every call below carries valid input (a reason, a full checklist, the current revision and its
# hash), so every refusal in these tables is about the moment: `InvalidTransition`. Any other
# `WorkflowError` escaping a cell would be a mistake in the call, and fails it.
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
# in review, and after approval or withdrawal it starts a new cycle. Board members do not write.
SUBMIT = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    editor       ok         ok         ok         ok         ok         ok         ok              ok              ok         ok
    managing     ok         ok         ok         ok         ok         ok         ok              ok              ok         ok
    assigned     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    dual         ok         ok         ok         ok         ok         ok         ok              ok              ok         ok
    dual_author  ok         ok         ok         ok         ok         ok         ok              ok              ok         ok
    superuser    ok         ok         ok         ok         ok         ok         ok              ok              ok         ok
""")

# Managing editors and superusers assign, while a revision is in the cycle; a draft has nothing to
# review, and an approved or withdrawn article must be submitted again first.
ASSIGN = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    managing     refused    ok         ok         ok         refused    refused    ok              ok              refused    ok
    assigned     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    dual         forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    dual_author  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    superuser    refused    ok         ok         ok         refused    refused    ok              ok              refused    ok
""")

# Only a board member with an open assignment starts a review, and only of a submitted revision (or
# again while it is in review). A draft has no assignments yet; approval closes them all, and a
# member of the closed review is told so kindly. Nobody reviews words they wrote or edited.
START_REVIEW = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    managing     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    assigned     forbidden  ok         ok         refused    refused    refused    ok              ok              refused    ok
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    dual         forbidden  ok         ok         refused    refused    refused    ok              ok              refused    ok
    dual_author  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    superuser    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
""")

# Only an assigned board member signs off, and only a revision under review. Nobody approves words
# they wrote or edited, whatever else they are. A member whose review closed (approved or withdrawn)
# while they were reading is told so kindly ("somebody else was faster") instead of being forbidden.
APPROVE = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    managing     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    assigned     forbidden  refused    ok         refused    refused    refused    refused         ok              refused    refused
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    dual         forbidden  refused    ok         refused    refused    refused    refused         ok              refused    refused
    dual_author  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    superuser    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
""")

# As for approval: nobody reviews words they wrote or edited, not even to send them back.
REQUEST_CHANGES = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    managing     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    assigned     forbidden  refused    ok         refused    refused    refused    refused         ok              refused    refused
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    dual         forbidden  refused    ok         refused    refused    refused    refused         ok              refused    refused
    dual_author  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    superuser    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
""")

# Managing editors and superusers withdraw approved words: live ones, even while a newer revision is
# in review, and held ones, even while a correction is in review (no release needed first).
WITHDRAW = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    managing     refused    refused    refused    refused    ok         refused    ok              ok              ok         ok
    assigned     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    dual         forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    dual_author  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    superuser    refused    refused    refused    refused    ok         refused    ok              ok              ok         ok
""")

# Managing editors, superusers and every active board member (physicians; assigned or not, and even
# if they wrote the words) hold what readers see, at once: a live revision, even while a newer one is
# in review. Nothing else can be held, not even a held article whose correction is in review.
HOLD = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    managing     refused    refused    refused    refused    ok         refused    ok              ok              refused    refused
    assigned     refused    refused    refused    refused    ok         refused    ok              ok              refused    refused
    unassigned   refused    refused    refused    refused    ok         refused    ok              ok              refused    refused
    dual         refused    refused    refused    refused    ok         refused    ok              ok              refused    refused
    dual_author  refused    refused    refused    refused    ok         refused    ok              ok              refused    refused
    superuser    refused    refused    refused    refused    ok         refused    ok              ok              refused    refused
""")

# Only managing editors and superusers release a hold, and only while the article is held: once a
# correction is submitted, its approval ends the hold.
RELEASE = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    managing     refused    refused    refused    refused    refused    refused    refused         refused         ok         refused
    assigned     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    dual         forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    dual_author  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    superuser    refused    refused    refused    refused    refused    refused    refused         refused         ok         refused
""")

# Only managing editors and superusers restore an earlier version, and only of an article the board
# once approved (live, held or withdrawn since): the restored words are submitted anew. Nothing can be
# restored of an article never approved.
RESTORE = truth_table("""
                 draft      submitted  reviewing  changes    approved   withdrawn  live+submitted  live+reviewing  held       held+submitted
    anonymous    forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    reader       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    editor       forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    managing     refused    refused    refused    refused    ok         ok         ok              ok              ok         ok
    assigned     forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    unassigned   forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    dual         forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    dual_author  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden  forbidden       forbidden       forbidden  forbidden
    superuser    refused    refused    refused    refused    ok         ok         ok              ok              ok         ok
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
}

# Where an "ok" move leaves the article (None: where it was). Approval needs one approval here:
# every world uses the site's default quorum of one.
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
            revision=revision, user=cast["assigned"], content_hash=revision.content_hash, comment="Check the dose."
        )
        return
    review_approve(
        revision=revision, user=cast["assigned"], content_hash=revision.content_hash, checklist=FULL_CHECKLIST
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
        )
    if action == Action.REQUEST_CHANGES:
        return partial(
            review_request_changes,
            revision=revision,
            user=actor,
            content_hash=revision.content_hash,
            comment="Please check the dose in the first claim.",
        )
    if action == Action.HOLD:  # holding what the person reads: the live revision, else the newest
        held = workflow.live_revision if workflow and workflow.live_revision else revision
        return partial(
            article_hold, article=article, user=actor, revision=held, reason="Dose query.", public_reason="Checking."
        )
    if action == Action.RELEASE:
        return partial(article_release, article=article, user=actor, reason="The dose was right.")
    if action == Action.RESTORE:
        # The newest revision the board approved. A reference it cites was corrected since, so that its
        # words are new even where that revision is also the one in review (approved, its only approval).
        event = AuditEvent.objects.filter(article=article, action=Action.APPROVE, to_state=State.APPROVED).last()
        cited = Citation.objects.filter(claim__section__article=article).values("reference")[:1]
        Reference.objects.filter(pk__in=cited).update(title="A corrected title")
        return partial(article_restore, article=article, user=actor, revision=event.revision if event else revision)
    return partial(
        article_withdraw,
        article=article,
        user=actor,
        reason="A safety notice was issued.",
        public_reason="A safety notice was issued about this treatment.",
    )


def footprint(article_id: int) -> dict:
    """Everything a move could change, as comparable values."""
    workflow = ArticleWorkflow.objects.filter(article_id=article_id).values_list(
        "state", "current_revision", "live_revision", "held_revision", "public_reason", "quorum"
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
