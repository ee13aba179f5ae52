from django.core.management.base import BaseCommand

from editorial.management.commands._arguments import acting_user, article_by_slug, refusals_as_command_errors
from editorial.services import article_release


class Command(BaseCommand):
    help = "Release an article's safety hold: readers see the held revision again."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--reason", required=True, help="Why, for editors (recorded in the audit log).")
        parser.add_argument("--as", dest="username", required=True, help="The managing editor releasing it.")

    def handle(self, *args, slug, reason, username, **options):
        article = article_by_slug(slug)
        with refusals_as_command_errors():
            revision = article_release(article=article, user=acting_user(username), reason=reason)
        self.stdout.write(self.style.SUCCESS(f"Released “{article}”: readers see revision {revision.number} again."))
