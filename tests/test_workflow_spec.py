"""The workflow's table is complete and is the one the documentation shows.

Every state must be a column of the truth tables and every move a table of its own, so that
adding a state or a move without saying who may do what, and when, fails here; and the table in
`docs/workflow.md` must be the one generated from `editorial.workflow.TRANSITIONS`.
"""

from pathlib import Path

from editorial.workflow import PUBLIC_STEP_OF_STATE, PUBLIC_STEPS, TRANSITIONS, Action, State, transitions_markdown
from tests.test_workflow_permissions import EXPECTED_WORLD, SPEC, STATE_AFTER

DOCS = Path(__file__).resolve().parent.parent / "docs" / "workflow.md"


def test_every_action_has_a_move_and_a_truth_table():
    assert (set(TRANSITIONS), set(SPEC), set(STATE_AFTER)) == (set(Action), set(Action), set(Action))


def test_every_state_is_a_column_of_the_truth_tables():
    states_built = {state or State.DRAFT for state, _ in EXPECTED_WORLD.values()}
    assert states_built == set(State)


def test_every_state_is_placed_on_one_of_the_public_steps():
    assert set(PUBLIC_STEP_OF_STATE) == set(State)
    assert set(PUBLIC_STEP_OF_STATE.values()) <= set(PUBLIC_STEPS)


def test_every_move_is_worded_so_that_a_refusal_is_a_sentence():
    assert {action: bool(move.past_participle.strip()) for action, move in TRANSITIONS.items()} == dict.fromkeys(
        Action, True
    )


def test_the_documented_table_is_the_executed_table():
    assert transitions_markdown() in DOCS.read_text()
