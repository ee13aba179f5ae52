from django.core.management.base import BaseCommand

from editorial.management.commands._arguments import acting_user, article_by_slug, refusals_as_command_errors
from editorial.services import article_rereview


class Command(BaseCommand):
    help = (
        "Open a re-review of an approved article: the board signs the live words again, unchanged, "
        "and its approval moves the next review date. Readers keep the live words meanwhile."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--note", default="", help="A note for the board (recorded in the audit log).")
        parser.add_argument("--as", dest="username", required=True, help="The managing editor opening it.")

    def handle(self, *args, slug, note, username, **options):
        article = article_by_slug(slug)
        with refusals_as_command_errors():
            revision = article_rereview(article=article, user=acting_user(username), note=note)
        self.stdout.write(
            self.style.SUCCESS(
                f"Opened a re-review of revision {revision.number} of “{article}”: assign board members to review it."
            )
        )
