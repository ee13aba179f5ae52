"""Periodic housekeeping of the task queue itself."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from jobs.periodic import periodic
from jobs.retries import retry_or_give_up

logger = logging.getLogger(__name__)


class WorkerVanished(Exception):
    """The worker running a task stopped (killed, or its machine went down) before the task finished."""


@periodic
@task()
def purge_task_results() -> int:
    """Delete results of tasks that finished more than TASKS_RESULTS_KEPT_DAYS ago; return how many."""
    cutoff = timezone.now() - timedelta(days=settings.TASKS_RESULTS_KEPT_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted


@periodic
@task()
def retry_stalled_tasks() -> int:
    """Retry the retried tasks (emails) that a worker started and never finished; return how many.

    The database worker leaves a task it was killed in the middle of marked
    as running forever. After TASKS_STALLED_AFTER_MINUTES, far longer than an
    email takes (EMAIL_TIMEOUT bounds the mail server), the attempt is marked
    failed and the next one enqueued, as if it had raised. Those tasks are
    idempotent, so one that had sent before its worker vanished sends nothing.
    """
    cutoff = timezone.now() - timedelta(minutes=settings.TASKS_STALLED_AFTER_MINUTES)
    retried = 0
    with transaction.atomic():
        for result in DBTaskResult.objects.running().filter(started_at__lt=cutoff).select_for_update(skip_locked=True):
            try:
                function = result.task.func
            except ImportError:
                continue  # a task removed from the code: nothing to run again
            if not getattr(function, "is_retried", False):
                continue
            error = WorkerVanished(f"Worker {result.worker_ids[-1]} started this at {result.started_at} and vanished.")
            result.set_failed(error)
            kwargs = dict(result.args_kwargs["kwargs"])
            attempt = kwargs.pop("attempt", 1)
            retry_or_give_up(function, result.args_kwargs["args"], kwargs, attempt=attempt, error=error)
            retried += 1
    return retried
