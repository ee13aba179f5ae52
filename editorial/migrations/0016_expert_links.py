"""Outside experts' review links: the link (tracked), every use of it and the expert's comments (append-only).

Uses and comments are records like sign-offs and claim notes: on PostgreSQL a row
trigger (migration 0004's `editorial_refuse_change()`) refuses UPDATE and DELETE and a
statement trigger (migration 0012's) refuses TRUNCATE; on SQLite row triggers refuse
UPDATE and DELETE. The link's history table is guarded like every history table.
"""

import importlib


import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


TABLES = ("editorial_expertlinkuse", "editorial_expertcomment")
HISTORY_TABLES = ["editorial_historicalexpertlink"]
append_only = importlib.import_module("editorial.migrations.0012_append_only_everywhere")


def create_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION editorial_refuse_change();"
            )
            append_only.refuse_truncate(schema_editor, table)
        elif vendor == "sqlite":
            for operation in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: {operation} refused'); END;"
                )
    append_only.guard_history_tables(schema_editor, HISTORY_TABLES)


def drop_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_no_truncate" ON "{table}";')
        elif vendor == "sqlite":
            for operation in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation};")
    append_only.unguard_history_tables(schema_editor, HISTORY_TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0015_review_threads"),
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
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "revision",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="expert_links",
                        to="editorial.revision",
                    ),
                ),
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ExpertComment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "claim_uid",
                    models.UUIDField(blank=True, help_text="Empty: a comment on the article as a whole.", null=True),
                ),
                (
                    "flag",
                    models.CharField(
                        choices=[
                            ("note", "Note"),
                            ("inaccurate", "Inaccurate"),
                            ("unsupported", "Not supported by its citations"),
                            ("dose", "Dose needs checking"),
                            ("wording", "Patient wording is not faithful"),
                        ],
                        default="note",
                        max_length=16,
                    ),
                ),
                ("text", models.TextField(max_length=5000)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "revision",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="expert_comments",
                        to="editorial.revision",
                    ),
                ),
                (
                    "link",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="comments", to="editorial.expertlink"
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "id"],
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
                (
                    "link",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="uses", to="editorial.expertlink"
                    ),
                ),
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
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "revision",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="editorial.revision",
                    ),
                ),
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
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
        migrations.AddConstraint(
            model_name="expertcomment",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.GreaterThan(
                    django.db.models.functions.text.Length(django.db.models.functions.text.Trim("text")), 0
                ),
                name="expertcomment_text_not_blank",
            ),
        ),
        migrations.AddConstraint(
            model_name="expertcomment",
            constraint=models.CheckConstraint(
                condition=models.Q(("flag__in", ["note", "inaccurate", "unsupported", "dose", "wording"])),
                name="expertcomment_flag_known",
            ),
        ),
        migrations.AddIndex(
            model_name="expertlinkuse",
            index=models.Index(fields=["link", "at"], name="expertlinkuse_link_time"),
        ),
        migrations.RunPython(create_guards, drop_guards),
    ]
