import pytest

from tests.factories import BoardMemberFactory, EditorFactory, ManagingEditorFactory, UserFactory


@pytest.fixture
def editor(db):
    return EditorFactory(username="editor")


@pytest.fixture
def managing_editor(db):
    return ManagingEditorFactory(username="managing")


@pytest.fixture
def board_member(db):
    return BoardMemberFactory(username="board")


@pytest.fixture
def reader(db):
    """A logged-in account with no staff access and no role."""
    return UserFactory(username="reader")
