"""The record cannot be rewritten or emptied: every history table is append-only, and no record table is truncated.

On PostgreSQL this migration adds, with its own function `editorial_refuse_rewrite()`:

- a row trigger refusing UPDATE and DELETE on every django-simple-history table of
  the project's apps (each model named "Historical…" in the app registry as
  migrated so far), as migration 0004 does for the record tables;
- a statement trigger refusing TRUNCATE (`BEFORE TRUNCATE … FOR EACH STATEMENT`)
  on those history tables and on the record tables of migrations 0004 and 0007:
  revisions, their contributors, sign-offs, claim notes and audit events.

django-simple-history only ever inserts history rows; no code of the product
updates or deletes them. Migration 0006 corrected `signed_by` on historical
sign-offs before this guard existed; a data migration that must do so again has
to lift the guard for its own transaction, as 0006 does, and say why.

The guard binds the owner of the tables as well, but an owner (or a superuser)
can always disable or drop a trigger: the application's own database role must
not own the tables (see `manage.py database_roles`), and then cannot.

Flushes. Tests that really commit end by emptying every table; on PostgreSQL
that is one TRUNCATE of them all, which these triggers refuse. The test suite's
superuser runs that flush with `session_replication_role = replica` for its one
transaction (tests/conftest.py), as `pg_restore --disable-triggers` does: a
setting only a superuser may change, so no hole for the application's role.

SQLite. Only the UPDATE and DELETE triggers of migrations 0004 and 0007 exist
there (SQLite has no TRUNCATE). History tables get no trigger on SQLite: the
browser tests' flush deletes their rows, and it lifts only the guards it knows.
The guard of history tables is PostgreSQL's, and is tested there.

A new tracked model needs the same guard in its own migration: call
`guard_history_tables(schema_editor, tables)` (a test fails until it does).
"""

from django.db import migrations

PROJECT_APPS = ("articles", "editorial", "editorial_accounts", "jobs", "reader", "references")
RECORD_TABLES = (
    "editorial_revision",
    "editorial_revision_contributors",
    "editorial_signoff",
    "editorial_claimnote",
    "editorial_auditevent",
)


def history_tables(apps) -> list[str]:
    """The django-simple-history tables of the project's apps, as migrated so far."""
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and model.__name__.startswith("Historical")
    )


def create_function(schema_editor) -> None:
    schema_editor.execute(
        """
        CREATE OR REPLACE FUNCTION editorial_refuse_rewrite() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '% rows are append-only: % refused', TG_TABLE_NAME, TG_OP;
        END;
        $$ LANGUAGE plpgsql;
        """,
        params=None,  # the % signs are PL/pgSQL's, not placeholders
    )


def refuse_truncate(schema_editor, table: str) -> None:
    schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_no_truncate" ON "{table}";')
    schema_editor.execute(
        f'CREATE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION editorial_refuse_rewrite();"
    )


def guard_history_tables(schema_editor, tables) -> None:
    """Refuse UPDATE, DELETE and TRUNCATE on these history tables (PostgreSQL; idempotent)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    create_function(schema_editor)
    for table in tables:
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}";')
        schema_editor.execute(
            f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION editorial_refuse_rewrite();"
        )
        refuse_truncate(schema_editor, table)


def unguard_history_tables(schema_editor, tables) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in tables:
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}";')
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_no_truncate" ON "{table}";')


def create_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    guard_history_tables(schema_editor, history_tables(apps))
    for table in RECORD_TABLES:
        refuse_truncate(schema_editor, table)


def drop_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    unguard_history_tables(schema_editor, history_tables(apps))
    for table in RECORD_TABLES:
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_no_truncate" ON "{table}";')
    schema_editor.execute("DROP FUNCTION IF EXISTS editorial_refuse_rewrite();")


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0011_first_approved_at"),
        ("articles", "0004_text_length_validators"),
        ("references", "0006_merged_reference"),
        ("reader", "0007_text_length_validators"),
    ]

    operations = [migrations.RunPython(create_guards, drop_guards)]
