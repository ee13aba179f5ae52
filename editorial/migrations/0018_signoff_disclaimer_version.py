"""Sign-offs record the disclaimer version in force when they were signed.

On SQLite, adding the column rebuilds the sign-off table, which drops its
append-only triggers: they are put back after it, and again after the column is
removed when going back.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models


signed_by = import_module("editorial.migrations.0006_signoff_signed_by")


def restore_sqlite_signoff_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        signed_by.signoff_guard_on(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0017_expert_links"),
        ("reader", "0011_page_versions"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_signoff_guard),
        migrations.AddField(
            model_name="historicalsignoff",
            name="disclaimer_version",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The disclaimer version in force when it was signed, recorded by the review service; empty for sign-offs made before the disclaimer was versioned.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="reader.editorialpageversion",
            ),
        ),
        migrations.AddField(
            model_name="signoff",
            name="disclaimer_version",
            field=models.ForeignKey(
                blank=True,
                help_text="The disclaimer version in force when it was signed, recorded by the review service; empty for sign-offs made before the disclaimer was versioned.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="reader.editorialpageversion",
            ),
        ),
        migrations.RunPython(restore_sqlite_signoff_guard, migrations.RunPython.noop),
    ]
