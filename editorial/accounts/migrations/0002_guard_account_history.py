"""Account history is append-only like every other history table (PostgreSQL; see editorial 0012)."""

from importlib import import_module

from django.db import migrations

append_only = import_module("editorial.migrations.0012_append_only_everywhere")

TABLES = [
    "editorial_accounts_historicaluser",
    "editorial_accounts_historicaluser_groups",
    "editorial_accounts_historicaluser_user_permissions",
]


def guard(apps, schema_editor):
    append_only.guard_history_tables(schema_editor, TABLES)


def unguard(apps, schema_editor):
    append_only.unguard_history_tables(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial_accounts", "0001_account_history"),
        ("editorial", "0012_append_only_everywhere"),
    ]

    operations = [migrations.RunPython(guard, unguard)]
