"""The site's own pages under sign-off: immutable, hashed versions and the decisions on them.

Each existing page's words are carried over as its version 1 (drafted by nobody,
approved by nobody) and stay what readers see until a managing editor and a board
member approve a version: the audit reports such a page until then. The disclaimer
gains its words for patients, and a "when to get urgent help" page is added, in our
own words. Versions and decisions are append-only records: on PostgreSQL a row
trigger (editorial migration 0004's `editorial_refuse_change()`) refuses UPDATE and
DELETE and a statement trigger refuses TRUNCATE; on SQLite row triggers refuse
UPDATE and DELETE. They are created last, after the table rebuilds of SQLite.
"""

import hashlib
import importlib
import json
import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

truncate_guard = importlib.import_module("editorial.migrations.0012_append_only_everywhere")
TABLES = ("reader_editorialpageversion", "reader_editorialpagedecision")

PATIENT_DISCLAIMER = (
    "This page explains in plain words what the research says. It is general information, not advice about you. "
    "Your own doctor, nurse or pharmacist knows your health and your medicines: talk to them before you start, "
    "stop or change any treatment, and do not stop a prescribed medicine because of something you read here."
)
URGENT_HELP = (
    "Call your local emergency number now if you or someone with you has chest pain or pressure, trouble "
    "breathing, sudden weakness or numbness of the face, an arm or a leg, sudden confusion or trouble speaking, "
    "a severe allergic reaction, heavy bleeding, or thoughts of harming yourself. If you are not sure whether it "
    "is an emergency, contact your doctor's urgent line or a local urgent care service today rather than waiting."
)


def version_hash(*, slug, title, body, patient_body) -> str:
    """As `reader.models.page_version_hash` computes it, frozen here."""
    content = {"v": 1, "page": slug, "title": title, "body": body, "patient_body": patient_body}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def carry_over(apps, schema_editor):
    EditorialPage = apps.get_model("reader", "EditorialPage")
    EditorialPageVersion = apps.get_model("reader", "EditorialPageVersion")
    EditorialPage.objects.get_or_create(
        slug="urgent-help", defaults={"title": "When to get urgent help", "body": URGENT_HELP}
    )
    for page in EditorialPage.objects.filter(live_version__isnull=True):
        patient_body = PATIENT_DISCLAIMER if page.slug == "disclaimer" else ""
        version = EditorialPageVersion.objects.create(
            page=page,
            number=1,
            title=page.title,
            body=page.body,
            patient_body=patient_body,
            content_hash=version_hash(slug=page.slug, title=page.title, body=page.body, patient_body=patient_body),
        )
        EditorialPage.objects.filter(pk=page.pk).update(live_version=version)


def uncarry(apps, schema_editor):
    EditorialPage = apps.get_model("reader", "EditorialPage")
    EditorialPage.objects.update(live_version=None)
    apps.get_model("reader", "EditorialPageDecision").objects.all().delete()
    apps.get_model("reader", "EditorialPageVersion").objects.all().delete()
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE;")  # no pending checks may block the ALTERs after
    EditorialPage.objects.filter(slug="urgent-help").delete()


def create_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE;")  # the carried-over rows' checks first
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION editorial_refuse_change();"
            )
            truncate_guard.refuse_truncate(schema_editor, table)
        elif vendor == "sqlite":
            for operation in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: {operation} refused'); END;"
                )


def drop_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_no_truncate" ON "{table}";')
        elif vendor == "sqlite":
            for operation in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation};")


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0014_claim_attestations"),
        ("reader", "0010_problem_reports"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="editorialpage",
            name="body",
            field=models.TextField(
                help_text="The words before versions were kept; readers see the approved version.",
                max_length=20000,
                validators=[django.core.validators.MaxLengthValidator(20000)],
            ),
        ),
        migrations.AlterField(
            model_name="historicaleditorialpage",
            name="body",
            field=models.TextField(
                help_text="The words before versions were kept; readers see the approved version.",
                max_length=20000,
                validators=[django.core.validators.MaxLengthValidator(20000)],
            ),
        ),
        migrations.CreateModel(
            name="EditorialPageVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField()),
                ("title", models.CharField(max_length=200)),
                (
                    "body",
                    models.TextField(
                        help_text="Markdown: paragraphs, headings, lists, bold, italic and links. Professionals read this.",
                        max_length=20000,
                        validators=[django.core.validators.MaxLengthValidator(20000)],
                    ),
                ),
                (
                    "patient_body",
                    models.TextField(
                        blank=True,
                        help_text="What patients and caregivers read instead, where the page speaks to them apart.",
                        max_length=20000,
                        validators=[django.core.validators.MaxLengthValidator(20000)],
                    ),
                ),
                ("content_hash", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "drafted_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty for the words carried over from before versions were kept.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "page",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="versions", to="reader.editorialpage"
                    ),
                ),
            ],
            options={
                "ordering": ["page", "-number"],
            },
        ),
        migrations.CreateModel(
            name="EditorialPageDecision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("content_hash", models.CharField(max_length=64)),
                ("decision", models.CharField(choices=[("approve", "Approve"), ("reject", "Reject")], max_length=16)),
                (
                    "role",
                    models.CharField(
                        choices=[("managing_editor", "Managing editor"), ("board_member", "Board member")],
                        max_length=16,
                    ),
                ),
                ("comment", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "decided_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "reviewer",
                    models.ForeignKey(
                        blank=True,
                        help_text="The board profile a board member decided with.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="editorial.reviewer",
                    ),
                ),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="decisions",
                        to="reader.editorialpageversion",
                    ),
                ),
            ],
            options={
                "ordering": ["version", "created_at", "id"],
            },
        ),
        migrations.AddField(
            model_name="editorialpage",
            name="live_version",
            field=models.ForeignKey(
                blank=True,
                help_text="The version readers see: the newest approved one.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="reader.editorialpageversion",
            ),
        ),
        migrations.AddField(
            model_name="historicaleditorialpage",
            name="live_version",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The version readers see: the newest approved one.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="reader.editorialpageversion",
            ),
        ),
        migrations.AddConstraint(
            model_name="editorialpageversion",
            constraint=models.UniqueConstraint(fields=("page", "number"), name="editorialpageversion_unique_number"),
        ),
        migrations.AddConstraint(
            model_name="editorialpageversion",
            constraint=models.CheckConstraint(
                condition=models.Q(("number__gte", 1)), name="editorialpageversion_number_from_1"
            ),
        ),
        migrations.AddConstraint(
            model_name="editorialpageversion",
            constraint=models.CheckConstraint(
                condition=models.Q(("content_hash__regex", "^[0-9a-f]{64}$")),
                name="editorialpageversion_hash_is_sha256",
            ),
        ),
        migrations.AddConstraint(
            model_name="editorialpageversion",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.GreaterThan(
                    django.db.models.functions.text.Length(django.db.models.functions.text.Trim("body")), 0
                ),
                name="editorialpageversion_body_not_blank",
            ),
        ),
        migrations.AddConstraint(
            model_name="editorialpageversion",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.GreaterThan(
                    django.db.models.functions.text.Length(django.db.models.functions.text.Trim("title")), 0
                ),
                name="editorialpageversion_title_not_blank",
            ),
        ),
        migrations.AddConstraint(
            model_name="editorialpagedecision",
            constraint=models.UniqueConstraint(
                fields=("version", "decided_by"),
                name="editorialpagedecision_once_per_person",
                violation_error_message="You have already decided on this version.",
            ),
        ),
        migrations.AddConstraint(
            model_name="editorialpagedecision",
            constraint=models.UniqueConstraint(
                condition=models.Q(("decision", "approve")),
                fields=("version", "role"),
                name="editorialpagedecision_one_approval_per_role",
            ),
        ),
        migrations.AddConstraint(
            model_name="editorialpagedecision",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("decision", "reject"), _negated=True),
                    django.db.models.lookups.GreaterThan(
                        django.db.models.functions.text.Length(django.db.models.functions.text.Trim("comment")), 0
                    ),
                    _connector="OR",
                ),
                name="editorialpagedecision_rejection_has_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="editorialpagedecision",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("role", "board_member"), _negated=True), ("reviewer__isnull", False), _connector="OR"
                ),
                name="editorialpagedecision_board_member_named",
            ),
        ),
        migrations.AddConstraint(
            model_name="editorialpagedecision",
            constraint=models.CheckConstraint(
                condition=models.Q(("content_hash__regex", "^[0-9a-f]{64}$")),
                name="editorialpagedecision_hash_is_sha256",
            ),
        ),
        migrations.RunPython(carry_over, uncarry),
        migrations.RunPython(create_guards, drop_guards),
    ]
