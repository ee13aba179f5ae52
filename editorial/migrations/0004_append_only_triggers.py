"""Make revisions, sign-offs, claim notes and audit events append-only in the database.

The models refuse updates and deletes; these triggers make the database refuse
them too, so that no script, shell session or bug can rewrite the record.
"""

from django.db import migrations

TABLES = ("editorial_revision", "editorial_signoff", "editorial_claimnote", "editorial_auditevent")


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION editorial_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '% rows are append-only: % refused', TG_TABLE_NAME, TG_OP;
            END;
            $$ LANGUAGE plpgsql;
            """,
            params=None,  # the % signs are PL/pgSQL's, not placeholders
        )
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION editorial_refuse_change();"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            for operation in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: {operation} refused'); END;"
                )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        elif vendor == "sqlite":
            for operation in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation};")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS editorial_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [("editorial", "0003_workflow")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
