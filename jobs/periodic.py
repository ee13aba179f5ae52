"""The jobs that `manage.py run_periodic_tasks` enqueues, run by cron or a systemd timer.

An app registers a job by decorating a task that takes no arguments with
`@periodic` in its `tasks` module. Every run enqueues every job, so a job
decides for itself what is due (everything older than a cutoff, say) and must
do no harm when two runs overlap.
"""

from django.utils.module_loading import autodiscover_modules

PERIODIC_TASKS = {}


def periodic(task):
    """Register `task` to be enqueued by every run of `run_periodic_tasks`."""
    PERIODIC_TASKS[task.name] = task
    return task


def periodic_tasks() -> dict:
    """Every registered job by name, after importing each installed app's `tasks` module."""
    autodiscover_modules("tasks")
    return dict(sorted(PERIODIC_TASKS.items()))
