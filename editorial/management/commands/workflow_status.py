from django.core.management.base import BaseCommand
from django.utils import timezone

from editorial.management.commands._arguments import acting_user, article_by_slug
from editorial.models import ArticleWorkflow, ReviewAssignment
from editorial.rules import available_actions
from editorial.selectors import article_timeline


class Command(BaseCommand):
    help = "Show an article's workflow state, its revisions, its reviewers and its timeline."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--limit", type=int, default=50, help="How many timeline entries to show.")
        parser.add_argument("--as", dest="username", help="Also list the moves this person may make now.")

    def handle(self, *args, slug, limit, username=None, **options):
        article = article_by_slug(slug)
        workflow = ArticleWorkflow.objects.filter(article=article).first()
        write = self.stdout.write
        write(f"{article.title} ({article.slug})")
        if workflow is None:
            write("State: Draft (never submitted)")
        else:
            write(f"State: {workflow.get_state_display()}")
            if workflow.current_revision:
                revision = workflow.current_revision
                write(f"In review: revision {revision.number} {revision.content_hash}")
            if workflow.live_revision:
                revision = workflow.live_revision
                write(
                    f"Live: revision {revision.number} {revision.content_hash}, approved {_when(workflow.approved_at)}"
                )
            if workflow.is_rereview:
                write(f"Re-review: round {workflow.review_round} of the live words, unchanged")
            write(f"Approvals needed: {workflow.required_approvals}")
            _write_schedule(write, workflow)
        for assignment in ReviewAssignment.objects.filter(article=article, is_open=True).select_related("reviewer"):
            due = f", due {assignment.due_date:%Y-%m-%d}" if assignment.due_date else ""
            write(f"Assigned: {assignment.reviewer}{due}")
        if username:
            actions = available_actions(acting_user(username), workflow, article=article)
            write(f"{username} may now: {', '.join(action.label for action in actions) or 'nothing'}")
        write("Timeline (newest first):")
        for entry in article_timeline(article, limit=limit):
            revision = f" [r{entry.revision_number}]" if entry.revision_number else ""
            write(f"  {_when(entry.when)}  {entry.who_name}  {entry.summary}{revision}")


def _write_schedule(write, workflow: ArticleWorkflow) -> None:
    if workflow.go_live_at:
        write(f"Goes live: {_when(workflow.go_live_at)}")
    if workflow.expires_at:
        write(f"Expires: {_when(workflow.expires_at)}")
    if workflow.next_review_due:
        overdue = " (overdue)" if workflow.review_overdue_on(timezone.localdate()) else ""
        write(f"Next review due: {workflow.next_review_due:%Y-%m-%d}{overdue}, every {workflow.review_interval} months")


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"
