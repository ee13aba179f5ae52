"""A GIN index on the words of the question and title alone, on PostgreSQL.

Search ranks a bounded set of candidates (see `reader.selectors.published_articles`),
among them the newest articles whose question or title match: this index finds
those without reading the articles whose words alone match. The expression is
the one `SearchVector("question", "title", config="english")` compiles to, so
the query uses it.
"""

from django.db import migrations

HEADING = """to_tsvector('english'::regconfig, COALESCE("question", '') || ' ' || COALESCE("title", ''))"""


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX reader_publishedarticle_heading_search ON reader_publishedarticle USING gin ({HEADING});"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS reader_publishedarticle_heading_search;")


class Migration(migrations.Migration):
    dependencies = [("reader", "0008_published_review_date_index")]

    operations = [migrations.RunPython(create_index, drop_index)]
