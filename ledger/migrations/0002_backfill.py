"""Start the chain over the history already recorded: a link for every audit event and sign-off."""

from django.db import migrations


def backfill(apps, schema_editor):
    from ledger.services import links_backfill

    links_backfill(apps)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_chain"), ("editorial", "0011_first_approved_at")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
