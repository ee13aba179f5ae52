from django.core.management.base import BaseCommand
from django.utils import timezone

from editorial.management.commands._arguments import acting_user, article_by_slug, moment, refusals_as_command_errors
from editorial.models import ArticleWorkflow
from editorial.services import article_schedule


class Command(BaseCommand):
    help = (
        "Set when the revision in review goes live, when the live words expire, and the months between "
        "reviews. What is not given stays as it is. Times are ISO 8601, in the site's time zone unless "
        "they name an offset."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        go_live = parser.add_mutually_exclusive_group()
        go_live.add_argument("--go-live", type=moment, help="When the revision in review goes live once approved.")
        go_live.add_argument("--clear-go-live", action="store_true", help="Go live at approval instead.")
        expires = parser.add_mutually_exclusive_group()
        expires.add_argument("--expires", type=moment, help="When the live words leave public pages.")
        expires.add_argument("--clear-expiry", action="store_true", help="Let the live words stay.")
        interval = parser.add_mutually_exclusive_group()
        interval.add_argument("--interval-months", type=int, help="Months between reviews of the live words.")
        interval.add_argument(
            "--clear-interval", action="store_true", help="Review at the site's default interval instead."
        )
        parser.add_argument("--note", default="", help="Why (recorded in the audit log).")
        parser.add_argument("--as", dest="username", required=True, help="The managing editor setting it.")

    def handle(self, *args, slug, username, note, **options):
        article = article_by_slug(slug)
        user = acting_user(username)
        current = ArticleWorkflow.objects.filter(article=article).first() or ArticleWorkflow()
        with refusals_as_command_errors():
            workflow = article_schedule(
                article=article,
                user=user,
                go_live_at=_chosen(options, "go_live", "clear_go_live", current.go_live_at),
                expires_at=_chosen(options, "expires", "clear_expiry", current.expires_at),
                review_interval_months=_chosen(
                    options, "interval_months", "clear_interval", current.review_interval_months
                ),
                note=note,
            )
        interval = f"every {workflow.review_interval} months"
        if workflow.review_interval_months is None:
            interval += " (the site default)"
        due = f"{workflow.next_review_due:%Y-%m-%d}" if workflow.next_review_due else "—"
        self.stdout.write(
            self.style.SUCCESS(
                f"Scheduled “{article}”: goes live {_when(workflow.go_live_at, 'at approval')}, "
                f"expires {_when(workflow.expires_at, 'never')}, reviewed {interval}, next review due {due}."
            )
        )


def _chosen(options: dict, name: str, clear: str, current):
    """The value given, none if asked to clear it, else the one the article has."""
    if options[clear]:
        return None
    return options[name] if options[name] is not None else current


def _when(moment, otherwise: str) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else otherwise
