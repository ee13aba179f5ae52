"""Enqueue background work together with the change it follows, so that neither can happen without the other."""

import logging

from django.db import transaction
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend

logger = logging.getLogger(__name__)


def enqueue_with_commit(enqueue) -> None:
    """Call `enqueue` (which enqueues tasks) so that its tasks exist if and only if the current transaction commits.

    With the database queue the task rows are written inside the transaction:
    they commit or roll back with the change they follow, and no crash between
    the two can lose them (a transactional outbox); a worker sees them once the
    change commits. Any other queue (the immediate one runs a task at once)
    waits for the commit instead, and a failure then is logged, never raised:
    the change is recorded by then, and must not turn into an error page.
    """
    if isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        enqueue()
    else:
        transaction.on_commit(enqueue, robust=True)
