"""Library-wide work as background jobs: queue one with the move that needs it, and report its progress.

A move that touches every article (the disclaimer that every article page
shows goes live) must not do that work in its request: at 100,000 articles it
would take seconds, and fail the request over a cache hiccup after the move
has committed. It queues a job instead, and the task reports its progress a
batch at a time (`job_running`), each report committed on its own so that
the person who made the move sees it advance.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.utils import timezone

from jobs.models import LibraryJob
from jobs.outbox import enqueue_with_commit


def library_job_queue(*, kind: str, cause: str, key: str, started_by, task) -> LibraryJob:
    """Record a job and enqueue `task` (called with the job's id) so that both exist only if the move commits."""
    job = LibraryJob.objects.create(kind=kind, cause=cause, key=key, started_by=started_by)
    enqueue_with_commit(lambda: task.enqueue(job.pk))
    return job


@contextmanager
def job_running(job_id: int, *, total: int) -> Iterator[Callable[[int], None]]:
    """Mark the job running with `total` items to do; yield `advance(count)`; mark it finished, or failed and re-raise.

    A task tried again after a failure starts the count afresh: the jobs are
    idempotent, so doing the first batches twice is harmless.
    """
    jobs = LibraryJob.objects.filter(pk=job_id)
    jobs.update(state=LibraryJob.State.RUNNING, total=total, done=0, error="", started_at=timezone.now())
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        jobs.update(done=done)

    try:
        yield advance
    except Exception as error:
        jobs.update(state=LibraryJob.State.FAILED, error=f"{type(error).__name__}: {error}")
        raise
    jobs.update(state=LibraryJob.State.FINISHED, done=done, finished_at=timezone.now())
