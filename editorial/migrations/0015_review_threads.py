"""Review threads: conversations about a claim or the article, with append-only messages.

Messages are records like claim notes: on PostgreSQL a row trigger (migration
0004's `editorial_refuse_change()`) refuses UPDATE and DELETE and a statement
trigger (migration 0012's) refuses TRUNCATE; on SQLite row triggers refuse
UPDATE and DELETE. Threads are tracked: their history table is guarded as every
history table is (`guard_history_tables`).
"""

import importlib

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


MESSAGES = "editorial_threadmessage"
THREAD_HISTORY = ["editorial_historicalreviewthread"]
append_only = importlib.import_module("editorial.migrations.0012_append_only_everywhere")


def create_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER {MESSAGES}_append_only BEFORE UPDATE OR DELETE ON {MESSAGES} "
            "FOR EACH ROW EXECUTE FUNCTION editorial_refuse_change();"
        )
        append_only.refuse_truncate(schema_editor, MESSAGES)
        append_only.guard_history_tables(schema_editor, THREAD_HISTORY)
    elif vendor == "sqlite":
        for operation in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER {MESSAGES}_no_{operation.lower()} BEFORE {operation} ON {MESSAGES} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGES} rows are append-only: {operation} refused'); END;"
            )


def drop_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {MESSAGES}_append_only ON {MESSAGES};")
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{MESSAGES}_no_truncate" ON "{MESSAGES}";')
        append_only.unguard_history_tables(schema_editor, THREAD_HISTORY)
    elif vendor == "sqlite":
        for operation in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {MESSAGES}_no_{operation};")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_text_length_validators"),
        ("editorial", "0014_claim_attestations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalReviewThread",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "claim_uid",
                    models.UUIDField(
                        blank=True, help_text="The claim it is about; empty: the whole article.", null=True
                    ),
                ),
                (
                    "quote",
                    models.TextField(
                        blank=True,
                        help_text="The claim's words in the revision the thread was opened on, quoted as they were.",
                    ),
                ),
                ("opened_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("resolved_at", models.DateTimeField(blank=True, null=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "article",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="articles.article",
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
                    "opened_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Who opened it.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "opened_on",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The revision the thread was opened on.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="editorial.revision",
                    ),
                ),
                (
                    "resolved_by",
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
                    "resolved_in",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The revision whose words settle the thread: the newest one when it was resolved.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="editorial.revision",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical review thread",
                "verbose_name_plural": "historical review threads",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ReviewThread",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "claim_uid",
                    models.UUIDField(
                        blank=True, help_text="The claim it is about; empty: the whole article.", null=True
                    ),
                ),
                (
                    "quote",
                    models.TextField(
                        blank=True,
                        help_text="The claim's words in the revision the thread was opened on, quoted as they were.",
                    ),
                ),
                ("opened_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("resolved_at", models.DateTimeField(blank=True, null=True)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="review_threads",
                        to="articles.article",
                    ),
                ),
                (
                    "opened_by",
                    models.ForeignKey(
                        help_text="Who opened it.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "opened_on",
                    models.ForeignKey(
                        help_text="The revision the thread was opened on.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="editorial.revision",
                    ),
                ),
                (
                    "resolved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "resolved_in",
                    models.ForeignKey(
                        blank=True,
                        help_text="The revision whose words settle the thread: the newest one when it was resolved.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="editorial.revision",
                    ),
                ),
            ],
            options={
                "ordering": ["opened_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="ThreadMessage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
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
                ("text", models.TextField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "author",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "claim_note",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="thread_message",
                        to="editorial.claimnote",
                    ),
                ),
                (
                    "read_revision",
                    models.ForeignKey(
                        help_text="The revision the author was reading when they wrote.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="editorial.revision",
                    ),
                ),
                (
                    "sign_off",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="thread_messages",
                        to="editorial.signoff",
                    ),
                ),
                (
                    "thread",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="messages",
                        to="editorial.reviewthread",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="reviewthread",
            index=models.Index(fields=["article", "resolved_at"], name="reviewthread_article_state"),
        ),
        migrations.AddConstraint(
            model_name="reviewthread",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("claim_uid__isnull", True),
                    django.db.models.lookups.GreaterThan(
                        django.db.models.functions.text.Length(django.db.models.functions.text.Trim("quote")), 0
                    ),
                    _connector="OR",
                ),
                name="reviewthread_claim_is_quoted",
                violation_error_message="A thread about a claim quotes the claim's words.",
            ),
        ),
        migrations.AddConstraint(
            model_name="reviewthread",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("resolved_at__isnull", True), ("resolved_by__isnull", True), ("resolved_in__isnull", True)
                    ),
                    models.Q(
                        ("resolved_at__isnull", False), ("resolved_by__isnull", False), ("resolved_in__isnull", False)
                    ),
                    _connector="OR",
                ),
                name="reviewthread_resolution_is_whole",
                violation_error_message="A resolution names its revision, its person and its time.",
            ),
        ),
        migrations.AddConstraint(
            model_name="threadmessage",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.GreaterThan(
                    django.db.models.functions.text.Length(django.db.models.functions.text.Trim("text")), 0
                ),
                name="threadmessage_text_not_blank",
            ),
        ),
        migrations.AddConstraint(
            model_name="threadmessage",
            constraint=models.CheckConstraint(
                condition=models.Q(("author__isnull", False)), name="threadmessage_has_author"
            ),
        ),
        migrations.AddConstraint(
            model_name="threadmessage",
            constraint=models.CheckConstraint(
                condition=models.Q(("claim_note__isnull", True), ("sign_off__isnull", False), _connector="OR"),
                name="threadmessage_note_names_its_sign_off",
            ),
        ),
        migrations.RunPython(create_guards, drop_guards),
    ]
