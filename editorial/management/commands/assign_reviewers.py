from datetime import date

from django.core.management.base import BaseCommand, CommandError

from editorial.management.commands._arguments import acting_user, article_by_slug, refusals_as_command_errors
from editorial.models import Reviewer
from editorial.services import review_assign


class Command(BaseCommand):
    help = "Assign advisory board members to review an article, optionally with a due date and a quorum."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--reviewer", action="append", required=True, help="A board member's slug; repeat.")
        parser.add_argument("--due", type=date.fromisoformat, help="Due date, YYYY-MM-DD.")
        parser.add_argument("--quorum", type=int, help="Approvals needed for this article.")
        parser.add_argument("--as", dest="username", required=True, help="The managing editor assigning them.")

    def handle(self, *args, slug, reviewer, due, quorum, username, **options):
        article = article_by_slug(slug)
        reviewers = list(Reviewer.objects.filter(slug__in=reviewer))
        missing = set(reviewer) - {r.slug for r in reviewers}
        if missing:
            raise CommandError(f"No board member with the slug: {', '.join(sorted(missing))}.")
        with refusals_as_command_errors():
            review_assign(
                article=article, assigned_by=acting_user(username), reviewers=reviewers, due_date=due, quorum=quorum
            )
        self.stdout.write(self.style.SUCCESS(f"Assigned {', '.join(map(str, reviewers))} to “{article}”."))
