"""A revision's contributors: everyone whose edits since the live revision it freezes, for good.

That includes the details of every reference it cites, whoever changed them and for
whichever article. Nobody reviews words they contributed to, and the record of who
they are is written once with the revision: the database refuses to change it.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from config.history import acting_as
from editorial.errors import AssignmentRefused
from editorial.models import AppendOnlyError, Revision
from editorial.services import article_submit, review_assign, review_start
from tests.factories import EditorFactory, ReferenceFactory, ReviewerFactory
from tests.workflow_helpers import approve, approved, citable_article, edit_claim, under_review

pytestmark = pytest.mark.django_db


def cited_reference(article):
    return article.sections.first().claims.first().citations.first().reference


def retitle(reference, title, *, user):
    reference.title = title
    with acting_as(user):
        reference.save()


def contributor_names(revision) -> list[str]:
    return sorted(revision.contributors.values_list("username", flat=True))


def editor_on_the_board():
    """A person in both Editors and Advisory Board, with a board profile."""
    return ReviewerFactory(user=EditorFactory(roles=["Editors", "Advisory Board"]))


# Who counts.


def test_whoever_retitled_a_cited_reference_contributed_to_the_revision(editor):
    article = citable_article()
    colleague = EditorFactory(username="colleague")
    retitle(cited_reference(article), "A retitled trial", user=colleague)
    revision = article_submit(article=article, user=editor)
    assert contributor_names(revision) == ["colleague", "editor"]


def test_a_reference_edit_before_the_live_revision_makes_no_contributor(editor, managing_editor):
    article = citable_article()
    colleague = EditorFactory(username="colleague")
    retitle(cited_reference(article), "Retitled long ago", user=colleague)
    approved(article, editor, managing_editor)
    edit_claim(article, "New words for a new cycle.", user=editor)
    revision = article_submit(article=article, user=editor)
    assert contributor_names(revision) == ["editor"]


def test_flagging_a_cited_reference_as_retracted_makes_no_contributor(editor):
    article = citable_article()
    reference = cited_reference(article)
    reference.retraction_status = "expression_of_concern"
    with acting_as(EditorFactory(username="flagger")):
        reference.save()
    revision = article_submit(article=article, user=editor)
    assert contributor_names(revision) == ["editor"]


def test_editing_a_reference_the_article_does_not_cite_makes_no_contributor(editor):
    article = citable_article()
    retitle(ReferenceFactory(), "Another paper", user=EditorFactory(username="elsewhere"))
    revision = article_submit(article=article, user=editor)
    assert contributor_names(revision) == ["editor"]


# Nobody reviews words they contributed to.


def test_member_who_retitled_a_cited_reference_cannot_be_assigned(editor, managing_editor):
    article = citable_article()
    member = editor_on_the_board()
    retitle(cited_reference(article), "My own title", user=member.user)
    article_submit(article=article, user=editor)
    with pytest.raises(AssignmentRefused, match="wrote or edited this revision"):
        review_assign(article=article, assigned_by=managing_editor, reviewers=[member])


def test_member_who_retitled_a_cited_reference_cannot_approve_the_revision_freezing_it(editor, managing_editor):
    article = citable_article()
    member = editor_on_the_board()
    _, (colleague,) = under_review(article, editor, managing_editor)
    review_assign(article=article, assigned_by=managing_editor, reviewers=[member])
    retitle(cited_reference(article), "My own title", user=member.user)
    revision = article_submit(article=article, user=editor)
    review_start(article=article, user=colleague.user)  # in review: only who signs is in question
    with pytest.raises(PermissionDenied, match="You wrote or edited this revision"):
        approve(revision, member)
    assert revision.sign_offs.count() == 0


# The record is written once.


def test_removing_a_contributor_is_refused(editor):
    revision = article_submit(article=citable_article(), user=editor)
    with (
        pytest.raises(AppendOnlyError, match="written once, with the revision, and never changed"),
        transaction.atomic(),
    ):
        revision.contributors.remove(editor)
    assert contributor_names(revision) == ["editor"]


def test_adding_a_contributor_after_the_revision_is_written_is_refused(editor):
    revision = article_submit(article=citable_article(), user=editor)
    with (
        pytest.raises(AppendOnlyError, match="written once, with the revision, and never changed"),
        transaction.atomic(),
    ):
        revision.contributors.add(EditorFactory())
    assert contributor_names(revision) == ["editor"]


def test_the_database_refuses_to_delete_a_contributor(editor):
    revision = article_submit(article=citable_article(), user=editor)
    with pytest.raises(DatabaseError), transaction.atomic():
        Revision.contributors.through.objects.filter(revision=revision).delete()
    assert contributor_names(Revision.objects.get(pk=revision.pk)) == ["editor"]


def test_the_database_refuses_to_rewrite_a_contributor(editor):
    revision = article_submit(article=citable_article(), user=editor)
    other = EditorFactory()
    with pytest.raises(DatabaseError), transaction.atomic():
        Revision.contributors.through.objects.filter(revision=revision).update(user=other)
    assert contributor_names(revision) == ["editor"]


GUARDED_TABLES = {
    "editorial_revision",
    "editorial_signoff",
    "editorial_claimnote",
    "editorial_claimattestation",
    "editorial_threadmessage",
    "editorial_expertlinkuse",
    "editorial_auditevent",
    "editorial_revision_contributors",
    "reader_editorialpageversion",
    "reader_editorialpagedecision",
}


def guarded_tables() -> set[str]:
    """The tables whose rows the database refuses to update and delete, read from its triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.proname = 'editorial_refuse_change' AND t.tgenabled <> 'D'"
            )
            return {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        names = cursor.fetchall()
    return {table for table, _ in names if {(table, f"{table}_no_update"), (table, f"{table}_no_delete")} <= set(names)}


def test_every_append_only_table_keeps_its_guard():
    """Rebuilding a table (as SQLite does to alter one) drops its triggers; each migration must put them back."""
    assert guarded_tables() == GUARDED_TABLES
