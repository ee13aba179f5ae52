"""Claim attestations: with an approval, the claims the reviewer attested one by one, by uid and content hash.

An append-only record like sign-offs and claim notes: on PostgreSQL a row trigger
(migration 0004's `editorial_refuse_change()`) refuses UPDATE and DELETE and a
statement trigger (migration 0012's) refuses TRUNCATE; on SQLite row triggers
refuse UPDATE and DELETE.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

TABLE = "editorial_claimattestation"
truncate_guard = importlib.import_module("editorial.migrations.0012_append_only_everywhere")


def create_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION editorial_refuse_change();"
        )
        truncate_guard.refuse_truncate(schema_editor, TABLE)
    elif vendor == "sqlite":
        for operation in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER {TABLE}_no_{operation.lower()} BEFORE {operation} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, '{TABLE} rows are append-only: {operation} refused'); END;"
            )


def drop_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{TABLE}_no_truncate" ON "{TABLE}";')
    elif vendor == "sqlite":
        for operation in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{operation};")


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0013_reviewer_registration"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClaimAttestation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("claim_uid", models.UUIDField()),
                ("claim_hash", models.CharField(max_length=64)),
                (
                    "sign_off",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="claim_attestations",
                        to="editorial.signoff",
                    ),
                ),
            ],
            options={
                "ordering": ["sign_off", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("sign_off", "claim_uid"), name="claimattestation_once_per_sign_off"),
                    models.CheckConstraint(
                        condition=models.Q(("claim_hash__regex", "^[0-9a-f]{64}$")), name="claimattestation_hash_hex"
                    ),
                ],
            },
        ),
        migrations.RunPython(create_guards, drop_guards),
    ]
