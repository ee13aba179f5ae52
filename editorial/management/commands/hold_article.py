from django.core.management.base import BaseCommand

from editorial.management.commands._arguments import acting_user, article_by_slug, refusals_as_command_errors
from editorial.models import ArticleWorkflow
from editorial.services import article_hold


class Command(BaseCommand):
    help = (
        "Hold an article for safety: readers see a notice instead of the live words at once, "
        "any review is interrupted and a scheduled go-live cancelled."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--reason", required=True, help="Why, for editors (recorded in the audit log).")
        parser.add_argument("--public-reason", required=True, help="Why, in a sentence readers see on the notice.")
        parser.add_argument("--as", dest="username", required=True, help="The managing editor or board member.")

    def handle(self, *args, slug, reason, public_reason, username, **options):
        article = article_by_slug(slug)
        user = acting_user(username)
        workflow = ArticleWorkflow.objects.filter(article=article).select_related("live_revision").first()
        live = workflow.live_revision if workflow else None
        with refusals_as_command_errors():
            article_hold(article=article, user=user, revision=live, reason=reason, public_reason=public_reason)
        self.stdout.write(
            self.style.SUCCESS(f"Held revision {live.number} of “{article}”: readers see the notice instead.")
        )
