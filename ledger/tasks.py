"""The ledger's periodic job: a checkpoint over the head of every article's chain."""

from django_tasks import task

from jobs.periodic import periodic
from ledger.services import checkpoint_take


@periodic
@task()
def take_checkpoint() -> int | None:
    """Chain every article's head to the last checkpoint; return the new checkpoint's id, None if nothing changed."""
    checkpoint = checkpoint_take()
    return checkpoint.pk if checkpoint else None
