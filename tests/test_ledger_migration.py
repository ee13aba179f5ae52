"""The migration that starts recording the disclaimer: links written before it stay in form 1 and still verify.

It really migrates, so it commits: the tables are emptied and the data reloaded
afterwards, like every committing test's, and the schema goes back to the latest
migrations whatever happens. On SQLite, where the flush that empties them is a
DELETE the append-only triggers refuse, the guards are lifted for the flush and
put back as migrated once the module is done.
"""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from editorial.models import SignOff
from editorial.services import article_submit
from ledger.models import Link
from ledger.services import links_backfill, verify
from tests.tampering import append_only_switched_off
from tests.workflow_helpers import approved, citable_article, edit_claim

BEFORE = [("ledger", "0004_seals"), ("editorial", "0017_expert_links"), ("reader", "0010_problem_reports")]
SQLITE_GUARDS = [  # (migration, what creates its guards, what drops them)
    ("editorial.migrations.0004_append_only_triggers", "create_triggers", "drop_triggers"),
    ("editorial.migrations.0007_signoff_person_and_fixed_accounts", "create_guards", "drop_guards"),
    ("editorial.migrations.0014_claim_attestations", "create_guards", "drop_guards"),
    ("editorial.migrations.0015_review_threads", "create_guards", "drop_guards"),
    ("editorial.migrations.0017_expert_links", "create_guards", "drop_guards"),
    ("reader.migrations.0011_page_versions", "create_guards", "drop_guards"),
]


def sqlite_guards(which: int) -> None:
    with connection.schema_editor() as editor:
        for module, *functions in SQLITE_GUARDS:
            getattr(importlib.import_module(module), functions[which])(None, editor)


@pytest.fixture(scope="module")
def sqlite_guards_put_back(django_db_setup, django_db_blocker):
    yield
    if connection.vendor == "sqlite":
        with django_db_blocker.unblock():
            sqlite_guards(1)  # drop what a migration may have put back, then create each once
            sqlite_guards(0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_links_written_before_the_migration_stay_form_1_and_verify_beside_new_form_2_links(
    sqlite_guards_put_back, editor, managing_editor
):
    try:
        article = citable_article()
        approved(article, editor, managing_editor)
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        old_apps = executor.loader.project_state(BEFORE).apps
        with append_only_switched_off("ledger_link") as cursor:  # the chain as the site wrote it then
            cursor.execute("DELETE FROM ledger_link")
        links_backfill(old_apps)
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

        edit_claim(article, "A newer wording.", user=editor)
        article_submit(article=article, user=editor)

        links = Link.objects.filter(article=article).order_by("sequence")
        assert (
            [link.canonical_version for link in links],
            SignOff.objects.get().disclaimer_version,
            verify(),
        ) == ([1, 1, 1, 1, 1, 2], None, [])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        if connection.vendor == "sqlite":
            sqlite_guards(1)  # the flush that ends this test deletes the rows it wrote
