"""Give every account that has no history yet a first version: how it stood when its history began.

Without it, the first change to an existing account would show only what it became. The row
names nobody, since nobody made the account what it was; its reason says so.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

BASELINE_REASON = "As the account stood when its history began"
M2M_FIELDS = {"groups": "group_id", "user_permissions": "permission_id"}


def baseline(apps, schema_editor):
    User = apps.get_model(settings.AUTH_USER_MODEL)
    HistoricalUser = apps.get_model("editorial_accounts", "HistoricalUser")
    kept = {field.attname for field in HistoricalUser._meta.concrete_fields}  # no password, no last_login
    copied = [field.attname for field in User._meta.concrete_fields if field.attname in kept]
    now = timezone.now()
    for user in User.objects.exclude(pk__in=HistoricalUser.objects.values("id")).order_by("pk"):
        record = HistoricalUser.objects.create(
            **{name: getattr(user, name) for name in copied},
            history_date=now,
            history_type="+",
            history_change_reason=BASELINE_REASON,
        )
        for field, target in M2M_FIELDS.items():
            through = User._meta.get_field(field).remote_field.through
            history = apps.get_model("editorial_accounts", f"HistoricalUser_{field}")
            history.objects.bulk_create(
                history(id=row.pk, history=record, user_id=user.pk, **{target: getattr(row, target)})
                for row in through.objects.filter(user_id=user.pk).order_by("pk")
            )


class Migration(migrations.Migration):
    dependencies = [("editorial_accounts", "0002_guard_account_history")]

    operations = [migrations.RunPython(baseline, migrations.RunPython.noop)]
