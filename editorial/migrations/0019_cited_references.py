"""An index of the references each revision cites, filled from the revisions already stored.

Derived from `Revision.content` (see `CitedReference`); revisions are read in
batches by id so a large library is indexed in bounded memory.
"""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 500


def index_stored_revisions(apps, schema_editor):
    Revision = apps.get_model("editorial", "Revision")
    CitedReference = apps.get_model("editorial", "CitedReference")
    last_id = 0
    while True:
        batch = list(Revision.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", "content")[:BATCH])
        if not batch:
            return
        CitedReference.objects.bulk_create(
            CitedReference(revision_id=revision_id, reference_id=reference_id)
            for revision_id, content in batch
            for reference_id in sorted({reference["id"] for reference in content.get("references", ())})
        )
        last_id = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0018_signoff_disclaimer_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="CitedReference",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "reference_id",
                    models.PositiveIntegerField(db_index=True, help_text="The id the revision's content froze."),
                ),
                (
                    "revision",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="cited_references",
                        to="editorial.revision",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("revision", "reference_id"), name="cited_reference_once_per_revision"
                    )
                ],
            },
        ),
        migrations.RunPython(index_stored_revisions, migrations.RunPython.noop),
    ]
