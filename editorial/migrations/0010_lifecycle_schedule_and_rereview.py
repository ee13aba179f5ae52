"""Re-reviews, schedules and review intervals.

- A sign-off belongs to a review round of its revision (1: its first review;
  each re-review of the same words is the next): one person signs once a round.
- The workflow records the round in progress and the round that certified
  the live words (1 for every article approved so far), the article's review
  interval, its go-live time and expiry, and who set them.

On SQLite, altering the sign-off table rebuilds it, which drops its append-only
triggers; the last step puts them back (and the first, going back).
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

signed_by = importlib.import_module("editorial.migrations.0006_signoff_signed_by")


def restore_sqlite_signoff_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        signed_by.signoff_guard_on(schema_editor)


def certified_by_first_round(apps, schema_editor):
    """Every article approved so far was certified by its revision's first (and only) review."""
    ArticleWorkflow = apps.get_model("editorial", "ArticleWorkflow")
    approved = ArticleWorkflow.objects.filter(approved_at__isnull=False)
    approved.update(certified_round=1)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_text_length_validators"),
        ("editorial", "0009_restore_action"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_signoff_guard),
        migrations.RemoveConstraint(
            model_name="articleworkflow",
            name="workflow_state_known",
        ),
        migrations.RemoveConstraint(
            model_name="signoff",
            name="signoff_once_per_reviewer_and_revision",
        ),
        migrations.RemoveConstraint(
            model_name="signoff",
            name="signoff_once_per_person_and_revision",
        ),
        migrations.AddField(
            model_name="articleworkflow",
            name="certified_round",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="The review round whose approvals certified the live (or held) revision.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="articleworkflow",
            name="expires_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the live words leave public pages unless the board reviews them first.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="articleworkflow",
            name="go_live_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the revision in review goes live once approved (empty: at approval).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="articleworkflow",
            name="review_interval_months",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Months between reviews of the live words; empty means the site default.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="articleworkflow",
            name="review_round",
            field=models.PositiveSmallIntegerField(
                default=1,
                help_text="Which review of the revision in review this is: 1 its first, 2 its first re-review, …",
            ),
        ),
        migrations.AddField(
            model_name="articleworkflow",
            name="scheduled_by",
            field=models.ForeignKey(
                blank=True,
                help_text="The managing editor who last set the schedule; the schedule's moves are recorded in their name.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalarticleworkflow",
            name="certified_round",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="The review round whose approvals certified the live (or held) revision.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="historicalarticleworkflow",
            name="expires_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the live words leave public pages unless the board reviews them first.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="historicalarticleworkflow",
            name="go_live_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the revision in review goes live once approved (empty: at approval).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="historicalarticleworkflow",
            name="review_interval_months",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Months between reviews of the live words; empty means the site default.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="historicalarticleworkflow",
            name="review_round",
            field=models.PositiveSmallIntegerField(
                default=1,
                help_text="Which review of the revision in review this is: 1 its first, 2 its first re-review, …",
            ),
        ),
        migrations.AddField(
            model_name="historicalarticleworkflow",
            name="scheduled_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The managing editor who last set the schedule; the schedule's moves are recorded in their name.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalsignoff",
            name="round",
            field=models.PositiveSmallIntegerField(
                default=1, help_text="Which review of the revision: 1 its first, 2 its first re-review, …"
            ),
        ),
        migrations.AddField(
            model_name="signoff",
            name="round",
            field=models.PositiveSmallIntegerField(
                default=1, help_text="Which review of the revision: 1 its first, 2 its first re-review, …"
            ),
        ),
        migrations.AlterField(
            model_name="articleworkflow",
            name="approved_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the live revision last reached quorum: approved, or re-certified.",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="articleworkflow",
            name="state",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("submitted", "Submitted"),
                    ("under_review", "Under review"),
                    ("changes_requested", "Changes requested"),
                    ("approved", "Approved"),
                    ("withdrawn", "Withdrawn"),
                    ("held", "Held for safety"),
                    ("scheduled", "Scheduled to go live"),
                ],
                default="draft",
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("editorial.submit", "Submit for review"),
                    ("editorial.assign", "Assign reviewers"),
                    ("editorial.start_review", "Start review"),
                    ("editorial.approve", "Approve"),
                    ("editorial.request_changes", "Request changes"),
                    ("editorial.withdraw", "Withdraw"),
                    ("editorial.hold", "Hold for safety"),
                    ("editorial.release", "Release the hold"),
                    ("editorial.restore", "Restore an earlier version"),
                    ("editorial.rereview", "Open a re-review"),
                    ("editorial.schedule", "Set the schedule"),
                    ("editorial.go_live", "Go live as scheduled"),
                    ("editorial.expire", "Expire as scheduled"),
                ],
                max_length=64,
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="from_state",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("submitted", "Submitted"),
                    ("under_review", "Under review"),
                    ("changes_requested", "Changes requested"),
                    ("approved", "Approved"),
                    ("withdrawn", "Withdrawn"),
                    ("held", "Held for safety"),
                    ("scheduled", "Scheduled to go live"),
                ],
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="to_state",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("submitted", "Submitted"),
                    ("under_review", "Under review"),
                    ("changes_requested", "Changes requested"),
                    ("approved", "Approved"),
                    ("withdrawn", "Withdrawn"),
                    ("held", "Held for safety"),
                    ("scheduled", "Scheduled to go live"),
                ],
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="historicalarticleworkflow",
            name="approved_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the live revision last reached quorum: approved, or re-certified.",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="historicalarticleworkflow",
            name="state",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("submitted", "Submitted"),
                    ("under_review", "Under review"),
                    ("changes_requested", "Changes requested"),
                    ("approved", "Approved"),
                    ("withdrawn", "Withdrawn"),
                    ("held", "Held for safety"),
                    ("scheduled", "Scheduled to go live"),
                ],
                default="draft",
                max_length=32,
            ),
        ),
        migrations.AddConstraint(
            model_name="articleworkflow",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "state__in",
                        [
                            "draft",
                            "submitted",
                            "under_review",
                            "changes_requested",
                            "approved",
                            "withdrawn",
                            "held",
                            "scheduled",
                        ],
                    )
                ),
                name="workflow_state_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="articleworkflow",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("review_interval_months__isnull", True),
                    models.Q(("review_interval_months__gte", 1), ("review_interval_months__lte", 60)),
                    _connector="OR",
                ),
                name="workflow_review_interval_1_to_60_months",
            ),
        ),
        migrations.AddConstraint(
            model_name="articleworkflow",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("state", "scheduled"), _negated=True), ("go_live_at__isnull", False), _connector="OR"
                ),
                name="workflow_scheduled_has_go_live",
            ),
        ),
        migrations.AddConstraint(
            model_name="articleworkflow",
            constraint=models.CheckConstraint(
                condition=models.Q(("review_round__gte", 1)), name="workflow_review_round_from_1"
            ),
        ),
        migrations.AddConstraint(
            model_name="signoff",
            constraint=models.UniqueConstraint(
                fields=("revision", "round", "reviewer"),
                name="signoff_once_per_reviewer_and_round",
                violation_error_message="You have already signed off this revision in this review.",
            ),
        ),
        migrations.AddConstraint(
            model_name="signoff",
            constraint=models.UniqueConstraint(
                fields=("revision", "round", "signed_by"),
                name="signoff_once_per_person_and_round",
                violation_error_message="You have already signed off this revision in this review.",
            ),
        ),
        migrations.AddConstraint(
            model_name="signoff",
            constraint=models.CheckConstraint(condition=models.Q(("round__gte", 1)), name="signoff_round_from_1"),
        ),
        migrations.RunPython(certified_by_first_round, migrations.RunPython.noop),
        migrations.RunPython(restore_sqlite_signoff_guard, migrations.RunPython.noop),
    ]
