"""Each revision's words as plain text and as a search vector, read out of the revisions already stored.

Derived from `Revision.content` (see `RevisionSearchText`); revisions are read
in batches by id so a large library is filled in bounded memory. Content that is
not an article document (none is, but bench seeds write stubs) gets no row: the
reader's index reads such a revision's words from its content, as before.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models
from django.db.models import TextField, Value

from articles.search import document_text, plain_text, weighted_search_vector

BATCH = 500
DOCUMENT_KEYS = {"question", "title", "lede", "plain_lede", "specialty", "sections"}


def read_out_stored_revisions(apps, schema_editor):
    Revision = apps.get_model("editorial", "Revision")
    RevisionSearchText = apps.get_model("editorial", "RevisionSearchText")
    with_vector = schema_editor.connection.vendor == "postgresql"
    last_id = 0
    while True:
        batch = list(Revision.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", "content")[:BATCH])
        if not batch:
            return
        RevisionSearchText.objects.bulk_create(
            RevisionSearchText(revision_id=revision_id, **words_of(content, with_vector=with_vector))
            for revision_id, content in batch
            if isinstance(content, dict) and DOCUMENT_KEYS <= content.keys()
        )
        last_id = batch[-1][0]


def words_of(content: dict, *, with_vector: bool) -> dict:
    """What `editorial.models.search_text_of` reads out of a revision's content (a migration may not import it)."""
    words = {
        "lede": plain_text(content["lede"]),
        "plain_lede": plain_text(content["plain_lede"]),
        "body": document_text(content),
    }
    if with_vector:
        texts = (content["question"], content["title"], words["lede"], words["plain_lede"], content["specialty"])
        values = (Value(text, output_field=TextField()) for text in (*texts, words["body"]))
        words["search_vector"] = weighted_search_vector(*values)
    return words


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0023_assignment_open_by_due"),
    ]

    operations = [
        migrations.CreateModel(
            name="RevisionSearchText",
            fields=[
                (
                    "revision",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_text",
                        serialize=False,
                        to="editorial.revision",
                    ),
                ),
                ("lede", models.TextField()),
                ("plain_lede", models.TextField(blank=True)),
                (
                    "body",
                    models.TextField(help_text="The sections' and claims' words as plain text (`document_text`)."),
                ),
                ("search_vector", django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
            ],
        ),
        migrations.RunPython(read_out_stored_revisions, migrations.RunPython.noop),
    ]
