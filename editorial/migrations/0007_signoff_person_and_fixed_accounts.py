"""A sign-off belongs to a person for good; a profile to an account; contributors are a fixed record.

- `SignOff.signed_by` is required, and one person signs a revision at most once.
- The database refuses to move a board profile to another account (an UPDATE
  that changes `editorial_reviewer.user_id`).
- A revision's contributors are written once, with the revision, and never
  changed: the database refuses UPDATE and DELETE on their table, as it does
  for revisions (migration 0004).

On SQLite, altering the sign-off table rebuilds it, which drops its triggers;
the last step puts the append-only trigger of migration 0004 back.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

REVIEWER = "editorial_reviewer"
CONTRIBUTORS = "editorial_revision_contributors"
ACCOUNT_FIXED = "editorial_reviewer.user_id never changes: a board profile belongs to one account"

signed_by = importlib.import_module("editorial.migrations.0006_signoff_signed_by")


def create_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION editorial_reviewer_keep_account() RETURNS trigger AS $$
            BEGIN
                IF NEW.user_id IS DISTINCT FROM OLD.user_id THEN
                    RAISE EXCEPTION '{ACCOUNT_FIXED}';
                END IF;
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql;
            """,
            params=None,
        )
        schema_editor.execute(
            f"CREATE TRIGGER {REVIEWER}_account_fixed BEFORE UPDATE OF user_id ON {REVIEWER} "
            "FOR EACH ROW EXECUTE FUNCTION editorial_reviewer_keep_account();"
        )
        # editorial_refuse_change() is migration 0004's: it refuses every UPDATE and DELETE.
        schema_editor.execute(
            f"CREATE TRIGGER {CONTRIBUTORS}_append_only BEFORE UPDATE OR DELETE ON {CONTRIBUTORS} "
            "FOR EACH ROW EXECUTE FUNCTION editorial_refuse_change();"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {REVIEWER}_account_fixed BEFORE UPDATE OF user_id ON {REVIEWER} "
            f"WHEN NEW.user_id IS NOT OLD.user_id BEGIN SELECT RAISE(ABORT, '{ACCOUNT_FIXED}'); END;"
        )
        for operation in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER {CONTRIBUTORS}_no_{operation.lower()} BEFORE {operation} ON {CONTRIBUTORS} "
                f"BEGIN SELECT RAISE(ABORT, '{CONTRIBUTORS} rows are append-only: {operation} refused'); END;"
            )
        signed_by.signoff_guard_on(schema_editor)


def drop_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {REVIEWER}_account_fixed ON {REVIEWER};")
        schema_editor.execute("DROP FUNCTION IF EXISTS editorial_reviewer_keep_account();")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {CONTRIBUTORS}_append_only ON {CONTRIBUTORS};")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {REVIEWER}_account_fixed;")
        for operation in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {CONTRIBUTORS}_no_{operation};")


def restore_sqlite_signoff_guard(apps, schema_editor):
    """Going back: un-altering the sign-off table rebuilds it on SQLite, dropping its triggers."""
    if schema_editor.connection.vendor == "sqlite":
        signed_by.signoff_guard_on(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0006_signoff_signed_by"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_signoff_guard),
        migrations.AlterField(
            model_name="signoff",
            name="signed_by",
            field=models.ForeignKey(
                help_text="The person who signed: the board profile's account when they signed.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sign_offs",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="signoff",
            constraint=models.UniqueConstraint(
                fields=("revision", "signed_by"),
                name="signoff_once_per_person_and_revision",
                violation_error_message="You have already signed off this revision.",
            ),
        ),
        migrations.AlterField(
            model_name="historicalreviewer",
            name="user",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The member's own account. It cannot be changed once the profile is saved.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="reviewer",
            name="user",
            field=models.OneToOneField(
                help_text="The member's own account. It cannot be changed once the profile is saved.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reviewer",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="revision",
            name="contributors",
            field=models.ManyToManyField(
                help_text=(
                    "Everyone whose edits since the live revision are in these words, the cited references' "
                    "details included; none of them may review it. Written once with the revision, never changed."
                ),
                related_name="contributed_revisions",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(create_guards, drop_guards),
    ]
