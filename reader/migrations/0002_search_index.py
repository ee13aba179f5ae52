"""A GIN index for full-text search, on PostgreSQL.

The search vector is filled on PostgreSQL only (see `reader.index`); SQLite
searches with a plain fallback and needs no index.
"""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX reader_publishedarticle_search ON reader_publishedarticle USING gin (search_vector);"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS reader_publishedarticle_search;")


class Migration(migrations.Migration):
    dependencies = [("reader", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
