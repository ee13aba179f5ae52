"""Role history is append-only like every other history table, and starts with each role as it stands.

The guard is the one of every history table (PostgreSQL; see editorial 0012). The baseline
gives every role a first version, its name and permissions when its history began, so that
the first change shows what it changed; that row names nobody, and its reason says so.
"""

from importlib import import_module

from django.db import migrations
from django.utils import timezone

append_only = import_module("editorial.migrations.0012_append_only_everywhere")

TABLES = ["editorial_accounts_historicalgroup", "editorial_accounts_historicalgroup_permissions"]
BASELINE_REASON = "As the role stood when its history began"


def guard(apps, schema_editor):
    append_only.guard_history_tables(schema_editor, TABLES)


def unguard(apps, schema_editor):
    append_only.unguard_history_tables(schema_editor, TABLES)


def baseline(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    HistoricalGroup = apps.get_model("editorial_accounts", "HistoricalGroup")
    HistoricalPermissions = apps.get_model("editorial_accounts", "HistoricalGroup_permissions")
    through = Group._meta.get_field("permissions").remote_field.through
    now = timezone.now()
    for group in Group.objects.exclude(pk__in=HistoricalGroup.objects.values("id")).order_by("pk"):
        record = HistoricalGroup.objects.create(
            id=group.pk, name=group.name, history_date=now, history_type="+", history_change_reason=BASELINE_REASON
        )
        HistoricalPermissions.objects.bulk_create(
            HistoricalPermissions(id=row.pk, history=record, group_id=group.pk, permission_id=row.permission_id)
            for row in through.objects.filter(group_id=group.pk).order_by("pk")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("editorial_accounts", "0004_group_history"),
        ("editorial", "0012_append_only_everywhere"),
        ("reader", "0004_reader_permissions"),  # the roles have their permissions before their history begins
    ]

    operations = [migrations.RunPython(guard, unguard), migrations.RunPython(baseline, migrations.RunPython.noop)]
