import importlib

import pytest
from django.core.cache import cache
from django.db import transaction
from django.db.backends.postgresql.creation import DatabaseCreation
from django.db.backends.postgresql.operations import DatabaseOperations
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

from tests.factories import BoardMemberFactory, EditorFactory, ManagingEditorFactory, UserFactory

SQLiteCreation, SQLiteOperations = SQLiteWrapper.creation_class, SQLiteWrapper.ops_class

# The data migration that writes the site pages' first versions, whose guards it also creates.
PAGE_VERSIONS = importlib.import_module("reader.migrations.0011_page_versions")


class _Guard:
    """Enough of a schema editor for a migration's guard functions: plain SQL on one connection."""

    def __init__(self, connection):
        self.connection = connection

    def execute(self, sql, params=()):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)


@pytest.fixture(scope="session", autouse=True)
def flushes_empty_the_record_as_a_restore_would():
    """Let the flush that ends a committing test empty the append-only tables on PostgreSQL.

    The flush deletes every row, which the record's triggers refuse
    (editorial/migrations/0012). The tests' superuser runs it with triggers off for
    its one transaction, as `pg_restore --disable-triggers` does; the setting is a
    superuser's, so the site's own database role could not do the same. With the
    triggers off, foreign keys are not checked either, so the tables are emptied
    in any order by DELETE: a test leaves a few hundred rows, and Django's one
    TRUNCATE of every table, which gives each table and index a new file, took
    1.5 s where the DELETEs take 0.06 s (a committing test ends with one).
    """
    execute_sql_flush = DatabaseOperations.execute_sql_flush
    sql_flush = DatabaseOperations.sql_flush

    def flush_without_triggers(self, sql_list):
        return execute_sql_flush(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    def flush_by_delete(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences:  # TRUNCATE … RESTART IDENTITY does both at once
            return sql_flush(self, style, tables, reset_sequences=True, allow_cascade=allow_cascade)
        return [f"DELETE FROM {self.quote_name(table)};" for table in tables]  # noqa: S608 - Django's table names

    deserialize_db_from_string = DatabaseCreation.deserialize_db_from_string

    def reload_without_triggers(self, data):
        """`serialized_rollback` saves again the rows migrations wrote (the roles' first history rows)."""
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            return deserialize_db_from_string(self, data)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "execute_sql_flush", flush_without_triggers)
        patch.setattr(DatabaseOperations, "sql_flush", flush_by_delete)
        patch.setattr(DatabaseCreation, "deserialize_db_from_string", reload_without_triggers)
        patch.setattr(SQLiteOperations, "execute_sql_flush", _without_page_guards(SQLiteOperations.execute_sql_flush))
        patch.setattr(
            SQLiteCreation,
            "deserialize_db_from_string",
            _without_page_guards(SQLiteCreation.deserialize_db_from_string),
        )
        yield


def _without_page_guards(method):
    """On SQLite, run `method` with the guards of the site pages' versions lifted, and put them back after.

    A data migration writes each page's first version, so those rows are there in
    every test: a committing test's flush deletes them and `serialized_rollback`
    saves them again, both of which the row triggers refuse. (The other append-only
    tables hold no row a migration wrote; the browser tests lift their guards.)
    """

    def lifted(self, *args, **kwargs):
        guard = _Guard(self.connection)
        with self.connection.cursor() as cursor:  # the browser tests may have lifted them already
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)",
                list(PAGE_VERSIONS.TABLES),
            )
            guarded = cursor.fetchone()[0] > 0
        PAGE_VERSIONS.drop_guards(None, guard)
        try:
            return method(self, *args, **kwargs)
        finally:
            if guarded:
                PAGE_VERSIONS.create_guards(None, guard)

    return lifted


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


@pytest.fixture
def empty_cache():
    """An empty cache before and after the test: whole pages another test's data cached would be stale here.

    Modules whose tests read cached pages use it for every test
    (`pytest.mark.usefixtures("empty_cache")`).
    """
    cache.clear()
    yield
    cache.clear()
