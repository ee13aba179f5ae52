"""Outside experts' review links: the link (tracked) and every use of it (append-only); experts write in threads.

Uses are records like sign-offs and claim notes: on PostgreSQL a row trigger
(migration 0004's `editorial_refuse_change()`) refuses UPDATE and DELETE and a
statement trigger (migration 0012's) refuses TRUNCATE; on SQLite row triggers
refuse UPDATE and DELETE. The link's history table is guarded like every history
table.

A thread message is now written by a person or through an expert's link, one of
the two. On SQLite, adding the column and changing the constraint rebuild the
messages' table, which drops its append-only triggers (migration 0015): they are
put back after, and again after going back.
"""

import importlib

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models

USES = "editorial_expertlinkuse"
HISTORY_TABLES = ["editorial_historicalexpertlink"]
MESSAGES = "editorial_threadmessage"
append_only = importlib.import_module("editorial.migrations.0012_append_only_everywhere")


def create_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER {USES}_append_only BEFORE UPDATE OR DELETE ON {USES} "
            "FOR EACH ROW EXECUTE FUNCTION editorial_refuse_change();"
        )
        append_only.refuse_truncate(schema_editor, USES)
        append_only.guard_history_tables(schema_editor, HISTORY_TABLES)
    elif vendor == "sqlite":
        _sqlite_append_only(schema_editor, USES)


def drop_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {USES}_append_only ON {USES};")
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{USES}_no_truncate" ON "{USES}";')
        append_only.unguard_history_tables(schema_editor, HISTORY_TABLES)
    elif vendor == "sqlite":
        for operation in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {USES}_no_{operation};")


def restore_sqlite_message_guards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _sqlite_append_only(schema_editor, MESSAGES)


def _sqlite_append_only(schema_editor, table: str) -> None:
    for operation in ("UPDATE", "DELETE"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation.lower()};")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: {operation} refused'); END;"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0016_member_profiles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ExpertLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "name",
                    models.CharField(
                        help_text="The expert's name as editors and the audit trail see it.", max_length=120
                    ),
                ),
                (
                    "credentials",
                    models.CharField(
                        blank=True, help_text="For example “MD, PhD, consultant nephrologist”.", max_length=120
                    ),
                ),
                (
                    "email",
                    models.EmailField(
                        help_text="Where the link is sent. Only this person should open it.", max_length=254
                    ),
                ),
                (
                    "conflict_statement",
                    models.TextField(
                        help_text="The expert's own declaration of interests, or their statement that they have none."
                    ),
                ),
                ("token_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("expires_at", models.DateTimeField()),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ExpertLinkUse",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "page",
                    models.CharField(
                        choices=[("read", "The revision"), ("comment", "The comment form")], max_length=16
                    ),
                ),
                (
                    "asked_for",
                    models.CharField(help_text="The article and revision the address named.", max_length=200),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("shown", "Shown the revision"),
                            ("commented", "Comment recorded"),
                            ("comment_refused", "Comment refused: incomplete or stale"),
                            ("expired", "Refused: the link had expired"),
                            ("revoked", "Refused: the link was revoked"),
                            ("other_revision", "Refused: the address named another revision"),
                        ],
                        max_length=24,
                    ),
                ),
                ("status_code", models.PositiveSmallIntegerField()),
                ("client_address", models.GenericIPAddressField(blank=True, null=True)),
                ("user_agent", models.CharField(blank=True, max_length=300)),
            ],
            options={
                "ordering": ["at", "id"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalExpertLink",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "name",
                    models.CharField(
                        help_text="The expert's name as editors and the audit trail see it.", max_length=120
                    ),
                ),
                (
                    "credentials",
                    models.CharField(
                        blank=True, help_text="For example “MD, PhD, consultant nephrologist”.", max_length=120
                    ),
                ),
                (
                    "email",
                    models.EmailField(
                        help_text="Where the link is sent. Only this person should open it.", max_length=254
                    ),
                ),
                (
                    "conflict_statement",
                    models.TextField(
                        help_text="The expert's own declaration of interests, or their statement that they have none."
                    ),
                ),
                ("token_hash", models.CharField(db_index=True, editable=False, max_length=64)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("expires_at", models.DateTimeField()),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
            ],
            options={
                "verbose_name": "historical expert link",
                "verbose_name_plural": "historical expert links",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_message_guards),
        migrations.RemoveConstraint(
            model_name="threadmessage",
            name="threadmessage_has_author",
        ),
        migrations.AddField(
            model_name="expertlink",
            name="created_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="expertlink",
            name="revision",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="expert_links", to="editorial.revision"
            ),
        ),
        migrations.AddField(
            model_name="expertlink",
            name="revoked_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="threadmessage",
            name="expert_link",
            field=models.ForeignKey(
                blank=True,
                help_text="The outside expert's link the message was written through, for an author with no account.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="thread_messages",
                to="editorial.expertlink",
            ),
        ),
        migrations.AddConstraint(
            model_name="threadmessage",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("author__isnull", False), ("expert_link__isnull", True)),
                    models.Q(("author__isnull", True), ("expert_link__isnull", False)),
                    _connector="OR",
                ),
                name="threadmessage_has_one_author",
                violation_error_message="A message is written by one person, or through one expert's link.",
            ),
        ),
        migrations.AlterField(
            model_name="threadmessage",
            name="author",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(restore_sqlite_message_guards, migrations.RunPython.noop),
        migrations.AddField(
            model_name="expertlinkuse",
            name="link",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="uses", to="editorial.expertlink"
            ),
        ),
        migrations.AddField(
            model_name="historicalexpertlink",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalexpertlink",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="historicalexpertlink",
            name="revision",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="editorial.revision",
            ),
        ),
        migrations.AddField(
            model_name="historicalexpertlink",
            name="revoked_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="expertlink",
            constraint=models.CheckConstraint(
                condition=models.Q(("token_hash__regex", "^[0-9a-f]{64}$")), name="expertlink_token_hash_is_sha256"
            ),
        ),
        migrations.AddConstraint(
            model_name="expertlink",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.GreaterThan(
                    django.db.models.functions.text.Length(django.db.models.functions.text.Trim("name")), 0
                ),
                name="expertlink_name_not_blank",
                violation_error_message="An expert link names the expert.",
            ),
        ),
        migrations.AddConstraint(
            model_name="expertlink",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.GreaterThan(
                    django.db.models.functions.text.Length(django.db.models.functions.text.Trim("conflict_statement")),
                    0,
                ),
                name="expertlink_conflict_statement_not_blank",
                violation_error_message="An expert link records the expert's conflict-of-interest statement.",
            ),
        ),
        migrations.AddConstraint(
            model_name="expertlink",
            constraint=models.CheckConstraint(
                condition=models.Q(("expires_at__gt", models.F("created_at"))), name="expertlink_expires_after_made"
            ),
        ),
        migrations.AddConstraint(
            model_name="expertlink",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("revoked_at__isnull", True), ("revoked_by__isnull", True)),
                    models.Q(("revoked_at__isnull", False), ("revoked_by__isnull", False)),
                    _connector="OR",
                ),
                name="expertlink_revocation_names_who",
            ),
        ),
        migrations.AddIndex(
            model_name="expertlinkuse",
            index=models.Index(fields=["link", "at"], name="expertlinkuse_link_time"),
        ),
        migrations.AlterField(
            model_name="historicalreviewthread",
            name="opened_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="Who opened it; empty for an outside expert's thread (its first message names their link).",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="reviewthread",
            name="opened_by",
            field=models.ForeignKey(
                blank=True,
                help_text="Who opened it; empty for an outside expert's thread (its first message names their link).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(create_guards, drop_guards),
    ]
