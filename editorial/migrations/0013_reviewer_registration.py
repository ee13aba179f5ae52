"""Board profiles record a professional registration.

On SQLite, adding a column rebuilds the table, which drops its triggers: the guard
that keeps a profile's account fixed (migration 0007) is put back after it, and
again after the column is removed when going back.
"""

from importlib import import_module

from django.db import migrations, models

fixed_accounts = import_module("editorial.migrations.0007_signoff_person_and_fixed_accounts")


def restore_sqlite_account_guard(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    reviewer = fixed_accounts.REVIEWER
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {reviewer}_account_fixed;")
    schema_editor.execute(
        f"CREATE TRIGGER {reviewer}_account_fixed BEFORE UPDATE OF user_id ON {reviewer} "
        f"WHEN NEW.user_id IS NOT OLD.user_id BEGIN SELECT RAISE(ABORT, '{fixed_accounts.ACCOUNT_FIXED}'); END;"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0012_append_only_everywhere"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_account_guard),
        migrations.AddField(
            model_name="historicalreviewer",
            name="registration",
            field=models.CharField(
                blank=True,
                help_text="The regulator and number, for example “GMC 7654321”. Sign-off reports show it as it was then.",
                max_length=80,
                verbose_name="professional registration",
            ),
        ),
        migrations.AddField(
            model_name="reviewer",
            name="registration",
            field=models.CharField(
                blank=True,
                help_text="The regulator and number, for example “GMC 7654321”. Sign-off reports show it as it was then.",
                max_length=80,
                verbose_name="professional registration",
            ),
        ),
        migrations.RunPython(restore_sqlite_account_guard, migrations.RunPython.noop),
    ]
