"""Sign-offs name the person who signed: fill `signed_by` for the sign-offs already recorded.

The person is the account that held the sign-off's board profile *when it was
signed*, read from the profile's history (a profile could be moved between
accounts before migration 0007 forbade it), else the profile's account now.

Sign-offs are append-only, and their trigger (migration 0004) refuses the
backfill's UPDATE; it is switched off for this migration's transaction only and
put back before it commits. If one person signed a revision twice through two
profiles, the migration stops and names the sign-offs: which of them stands is
an editorial decision, not a migration's.

Migration 0007 makes `signed_by` required and unique per revision.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SIGNOFF = "editorial_signoff"


def signoff_guard_off(schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {SIGNOFF} DISABLE TRIGGER {SIGNOFF}_append_only;")
    elif schema_editor.connection.vendor == "sqlite":
        for operation in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {SIGNOFF}_no_{operation};")


def signoff_guard_on(schema_editor):
    """Put back the append-only trigger of migration 0004 on the sign-off table (idempotent)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE;")  # no pending events may block ALTER TABLE
        schema_editor.execute(f"ALTER TABLE {SIGNOFF} ENABLE TRIGGER {SIGNOFF}_append_only;")
    elif schema_editor.connection.vendor == "sqlite":
        for operation in ("UPDATE", "DELETE"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {SIGNOFF}_no_{operation.lower()};")
            schema_editor.execute(
                f"CREATE TRIGGER {SIGNOFF}_no_{operation.lower()} BEFORE {operation} ON {SIGNOFF} "
                f"BEGIN SELECT RAISE(ABORT, '{SIGNOFF} rows are append-only: {operation} refused'); END;"
            )


def signers(apps) -> dict[int, int]:
    """Return {sign-off id: id of the account that held its profile when it was signed}."""
    SignOff = apps.get_model("editorial", "SignOff")
    Reviewer = apps.get_model("editorial", "Reviewer")
    HistoricalReviewer = apps.get_model("editorial", "HistoricalReviewer")
    accounts_now = dict(Reviewer.objects.values_list("pk", "user_id"))
    result = {}
    for pk, reviewer_id, created_at in SignOff.objects.order_by("pk").values_list("pk", "reviewer_id", "created_at"):
        held_then = (
            HistoricalReviewer.objects.filter(id=reviewer_id, history_date__lte=created_at, user_id__isnull=False)
            .order_by("-history_date", "-history_id")
            .values_list("user_id", flat=True)
            .first()
        )
        result[pk] = held_then or accounts_now[reviewer_id]
    return result


def refuse_double_signers(apps, signed_by: dict[int, int]) -> None:
    SignOff = apps.get_model("editorial", "SignOff")
    seen, doubles = {}, []
    for pk, revision_id in SignOff.objects.order_by("pk").values_list("pk", "revision_id"):
        key = (revision_id, signed_by[pk])
        if key in seen:
            doubles.append(f"sign-offs {seen[key]} and {pk} on revision {revision_id} (account {key[1]})")
        seen.setdefault(key, pk)
    if doubles:
        raise RuntimeError(
            "One person signed the same revision twice through two board profiles: "
            + "; ".join(doubles)
            + ". Decide which sign-off stands, and whether the revision really reached its quorum, "
            "before running this migration."
        )


def backfill_signed_by(apps, schema_editor):
    signed_by = signers(apps)
    if not signed_by:
        return
    refuse_double_signers(apps, signed_by)
    SignOff = apps.get_model("editorial", "SignOff")
    HistoricalSignOff = apps.get_model("editorial", "HistoricalSignOff")
    by_account: dict[int, list[int]] = {}
    for pk, user_id in signed_by.items():
        by_account.setdefault(user_id, []).append(pk)
    signoff_guard_off(schema_editor)
    for user_id, pks in by_account.items():
        SignOff.objects.filter(pk__in=pks).update(signed_by_id=user_id)
        HistoricalSignOff.objects.filter(id__in=pks).update(signed_by_id=user_id)
    signoff_guard_on(schema_editor)


def restore_sqlite_guard(apps, schema_editor):
    """Going back: removing the column remakes the SQLite table, which drops its triggers."""
    if schema_editor.connection.vendor == "sqlite":
        signoff_guard_on(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0005_workflow_permissions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_guard),
        migrations.AddField(
            model_name="historicalsignoff",
            name="signed_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The person who signed: the board profile's account when they signed.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="signoff",
            name="signed_by",
            field=models.ForeignKey(
                null=True,
                help_text="The person who signed: the board profile's account when they signed.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sign_offs",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(backfill_signed_by, migrations.RunPython.noop),
    ]
