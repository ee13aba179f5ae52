"""The ledger's periodic job: a checkpoint over the head of every article's chain, and seals over the history."""

import logging

from django_tasks import task

from jobs.periodic import periodic
from ledger.seals import seals_take
from ledger.services import checkpoint_take

logger = logging.getLogger(__name__)


@periodic
@task()
def take_checkpoint() -> int | None:
    """Seal the history and checkpoint every article's head; return the new checkpoint's id, None if nothing changed.

    The new heads are logged too: a copy outside the database, where whoever could
    rewrite the chain and every checkpoint after it cannot reach.
    """
    seals = seals_take()
    checkpoint = checkpoint_take()
    if checkpoint:
        logger.info("Ledger checkpoint %s: chain %s", checkpoint.pk, checkpoint.chain)
    if seals:
        logger.info("Ledger seal %s: chain %s (%d new seals)", seals[-1].pk, seals[-1].chain, len(seals))
    return checkpoint.pk if checkpoint else None
