"""When a revision of an article first reached quorum: the article is never shown unapproved again."""

from django.db import migrations, models


def first_approved_when_approved(apps, schema_editor):
    """Date each article from its first approval that reached quorum, in the audit log (live at once or waiting)."""
    ArticleWorkflow = apps.get_model("editorial", "ArticleWorkflow")
    AuditEvent = apps.get_model("editorial", "AuditEvent")
    for workflow in ArticleWorkflow.objects.filter(first_approved_at__isnull=True):
        first = (
            AuditEvent.objects.filter(
                article_id=workflow.article_id, action="editorial.approve", to_state__in=["approved", "scheduled"]
            )
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if first is not None:
            ArticleWorkflow.objects.filter(pk=workflow.pk).update(first_approved_at=first)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0010_lifecycle_schedule_and_rereview"),
    ]

    operations = [
        migrations.AddField(
            model_name="articleworkflow",
            name="first_approved_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When a revision of this article first reached quorum, whether it went live at once or waited.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="historicalarticleworkflow",
            name="first_approved_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When a revision of this article first reached quorum, whether it went live at once or waited.",
                null=True,
            ),
        ),
        migrations.RunPython(first_approved_when_approved, migrations.RunPython.noop),
    ]
