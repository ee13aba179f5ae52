"""Bounded retries for tasks: django-tasks and its database backend run a task once, whatever it raises."""

import functools
import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def retried(function):
    """Make a task function enqueue itself again when it fails, later each time, up to a bound.

    Put it under `@task()`. The task gains an `attempt` keyword (1 when first
    enqueued). A failed attempt still raises, so its result is recorded as
    failed with the traceback; the next attempt waits TASKS_RETRY_DELAY_SECONDS,
    then four times longer after each failure, until TASKS_MAX_ATTEMPTS attempts
    in all, after which the failure is logged as an error. The task must be
    idempotent: emails go through `jobs.mail.send_once`.
    """

    @functools.wraps(function)
    def attempt_it(*args, attempt: int = 1, **kwargs):
        try:
            return function(*args, **kwargs)
        except Exception as error:
            retry_or_give_up(attempt_it, args, kwargs, attempt=attempt, error=error)
            raise

    attempt_it.is_retried = True
    return attempt_it


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after the failed `attempt` before the next one: 1, 4, 16, 64... minutes by default."""
    return timedelta(seconds=settings.TASKS_RETRY_DELAY_SECONDS * 4 ** (attempt - 1))


def retry_or_give_up(function, args, kwargs, *, attempt: int, error: BaseException) -> None:
    """Enqueue the next attempt of the task whose function is `function`, or log that it gave up."""
    task = import_string(f"{function.__module__}.{function.__qualname__}")
    call = _describe(task, args, kwargs)
    if attempt >= settings.TASKS_MAX_ATTEMPTS:
        logger.error(
            "Gave up on %s after %d attempts (last error: %s: %s). Nothing more is tried automatically: "
            'fix the cause, then enqueue it again (see docs/operations.md, "A task that gave up").',
            call,
            attempt,
            type(error).__name__,
            error,
        )
        return
    delay = retry_delay(attempt)
    if task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + delay)
    else:  # the immediate backend runs the next attempt at once
        delay = timedelta(0)
    logger.warning(
        "%s failed (attempt %d of %d), trying again in %d s: %s: %s",
        call,
        attempt,
        settings.TASKS_MAX_ATTEMPTS,
        delay.total_seconds(),
        type(error).__name__,
        error,
    )
    task.enqueue(*args, attempt=attempt + 1, **kwargs)


def _describe(task, args, kwargs) -> str:
    arguments = [repr(value) for value in args] + [f"{name}={value!r}" for name, value in kwargs.items()]
    return f"{task.module_path}({', '.join(arguments)})"
