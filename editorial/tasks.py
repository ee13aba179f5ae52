"""The workflow's periodic jobs: the schedule's moves and the review reminders.

`manage.py run_periodic_tasks` (cron or a systemd timer) enqueues them; a
worker runs them. Each works out for itself what is due, so a missed run is
caught up by the next, and two runs that overlap do no harm: the services lock
each article and check again, and each reminder is sent once.
"""

import logging
from collections.abc import Callable
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from articles.models import Article
from editorial.errors import WorkflowError
from editorial.models import ArticleWorkflow
from editorial.notifications import review_reminder_letters
from editorial.services import article_expire, article_go_live
from jobs.mail import send_all_once
from jobs.periodic import periodic

logger = logging.getLogger(__name__)


class ScheduleIncomplete(Exception):
    """Some of the schedule's moves failed unexpectedly; the others were made, and the next run tries again."""


@periodic
@task()
def run_schedule() -> dict[str, int]:
    """Put live the approved revisions whose go-live time has come, then expire what is due; return how many."""
    return schedule_run(now=timezone.now())


def schedule_run(*, now: datetime) -> dict[str, int]:
    """Make every go-live and expiry due at `now`, each article in its own transaction.

    An article the service refuses (somebody held or withdrew it since it was
    found due, or another run moved it first) is logged and skipped: nothing
    is recorded for it and the others still move. An unexpected failure of one
    article does not stop the others either, but fails the run afterwards
    (`ScheduleIncomplete`), so it is seen.
    """
    failures: list[str] = []
    counts = {
        "went_live": _move_each(ArticleWorkflow.objects.go_live_due(now), article_go_live, now=now, failures=failures),
        "expired": _move_each(ArticleWorkflow.objects.expiry_due(now), article_expire, now=now, failures=failures),
    }
    if failures:
        raise ScheduleIncomplete(f"{len(failures)} scheduled move(s) failed, {counts} made: {'; '.join(failures)}")
    return counts


def _move_each(due: QuerySet, move: Callable, *, now: datetime, failures: list[str]) -> int:
    moved = 0
    for article in Article.objects.filter(workflow__in=due).order_by("pk"):
        try:
            move(article=article, now=now)
        except WorkflowError as refusal:
            logger.warning("The schedule skipped “%s” (%s): %s", article, article.slug, refusal)
        except Exception as error:  # one article's failure must not keep the others from their schedule
            logger.exception("The schedule failed on “%s” (%s)", article, article.slug)
            failures.append(f"{article.slug} ({move.__name__}): {type(error).__name__}: {error}")
        else:
            moved += 1
    return moved


@periodic
@task()
def send_review_reminders() -> int:
    """Remind managing editors and assigned members of live articles whose review is due soon or overdue."""
    return review_reminders_send(today=timezone.localdate())


def review_reminders_send(*, today: date) -> int:
    """Email each reminder due on `today` that was never sent; return how many went out now.

    One reminder per article, stage (due soon, then overdue) and due date, to
    each person, ever: a second run sends nothing, and a review that moves the
    due date (a re-certification) starts the reminders afresh.
    """
    return send_all_once(review_reminder_letters(today=today))
