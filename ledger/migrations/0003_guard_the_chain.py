"""The chain cannot be rewritten or emptied: links and checkpoints refuse UPDATE, DELETE and TRUNCATE (PostgreSQL).

The same guard as every history table (editorial 0012); `manage.py database_roles`
then grants the site's role only SELECT and INSERT on them.
"""

from importlib import import_module

from django.db import migrations

append_only = import_module("editorial.migrations.0012_append_only_everywhere")

TABLES = ["ledger_link", "ledger_checkpoint"]


def guard(apps, schema_editor):
    append_only.guard_history_tables(schema_editor, TABLES)


def unguard(apps, schema_editor):
    append_only.unguard_history_tables(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_backfill"), ("editorial", "0012_append_only_everywhere")]

    operations = [migrations.RunPython(guard, unguard)]
