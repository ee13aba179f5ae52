from django.core.management.base import BaseCommand

from editorial.management.commands._arguments import acting_user, article_by_slug, refusals_as_command_errors
from editorial.services import article_withdraw


class Command(BaseCommand):
    help = "Withdraw an article from readers, with a reason recorded in the audit log."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--reason", required=True, help="Why, for editors (recorded in the audit log).")
        parser.add_argument("--public-reason", required=True, help="Why, in a sentence readers see on the notice.")
        parser.add_argument("--as", dest="username", required=True, help="The managing editor withdrawing it.")

    def handle(self, *args, slug, reason, public_reason, username, **options):
        article = article_by_slug(slug)
        with refusals_as_command_errors():
            article_withdraw(article=article, user=acting_user(username), reason=reason, public_reason=public_reason)
        self.stdout.write(self.style.SUCCESS(f"Withdrew “{article}”: readers no longer see it."))
