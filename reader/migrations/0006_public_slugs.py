"""Every slug that was ever public for an article, so that old addresses redirect and are never reused."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def record_public_slugs(apps, schema_editor):
    """Slugs of every revision that was ever live, and of pending revisions shown with a caution."""
    ArticleWorkflow = apps.get_model("editorial", "ArticleWorkflow")
    AuditEvent = apps.get_model("editorial", "AuditEvent")
    PublicSlug = apps.get_model("reader", "PublicSlug")
    taken = {}
    # Approvals that reached quorum made their revision live, in the order they happened.
    went_live = AuditEvent.objects.filter(action="editorial.approve", to_state="approved").select_related("revision")
    candidates = [(event.created_at, event.article_id, event.revision.content["slug"]) for event in went_live]
    for workflow in ArticleWorkflow.objects.select_related("article", "live_revision", "current_revision"):
        if workflow.live_revision_id:
            candidates.append((workflow.approved_at, workflow.article_id, workflow.live_revision.content["slug"]))
        policy = workflow.article.pending_display or settings.READER_PENDING_POLICY
        if (
            workflow.approved_at is None
            and workflow.state in ("submitted", "under_review")
            and workflow.current_revision_id
            and policy == "caution"
        ):
            candidates.append(
                (workflow.current_revision.created_at, workflow.article_id, workflow.current_revision.content["slug"])
            )
    for when, article_id, slug in sorted(candidates, key=lambda candidate: candidate[0]):
        if slug not in taken:  # the first article public under a slug keeps it
            taken[slug] = PublicSlug.objects.create(slug=slug, article_id=article_id, first_public_at=when)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0003_bounded_text_and_version"),
        ("editorial", "0005_workflow_permissions"),
        ("reader", "0005_bounded_editorial_page"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicSlug",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.SlugField(max_length=120, unique=True)),
                ("first_public_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="public_slugs",
                        to="articles.article",
                    ),
                ),
            ],
            options={"ordering": ["first_public_at", "id"]},
        ),
        migrations.RunPython(record_public_slugs, migrations.RunPython.noop),
    ]
