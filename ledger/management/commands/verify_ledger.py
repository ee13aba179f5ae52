import sys

from django.core.management.base import BaseCommand

from config.text import counted
from ledger.seals import SealSummary, verify_seals
from ledger.services import BATCH, Summary, verify


class Command(BaseCommand):
    help = (
        "Recompute every link of the tamper-evident chain from the audit events and sign-offs as they are now, "
        "check the checkpoints, and (unless articles are named) every seal over the history. "
        "Prints one line per failure and a summary last; exits 1 on any failure."
    )

    def add_arguments(self, parser):
        parser.add_argument("article_ids", nargs="*", type=int, help="Check only these articles (by id).")
        parser.add_argument(
            "--batch", type=int, default=BATCH, help="Articles checked at a time; progress is shown after each."
        )

    def handle(self, *args, article_ids, batch, **options):
        summary = Summary()
        self._batch = batch
        failures = verify(article_ids or None, batch=batch, progress=self._progress, summary=summary)
        tally = (
            f"{counted(summary.links, 'link')} over {counted(summary.articles, 'article')}, "
            f"{counted(summary.checkpoints, 'checkpoint')}"
        )
        if not article_ids:
            sealed = SealSummary()
            failures += verify_seals(summary=sealed)
            tally += f", {counted(sealed.seals, 'seal')} over {counted(sealed.rows, 'history row')}"
            if sealed.unsealed:
                tally += f" ({counted(sealed.unsealed, 'newer row')} not sealed yet)"
        for failure in failures:
            self.stdout.write(str(failure))
        if failures:
            self.stdout.write(f"The ledger is broken: {counted(len(failures), 'failure')} in {tally}.")
            sys.exit(1)
        self.stdout.write(f"The ledger is intact: {tally}.")

    def _progress(self, done: int, total: int) -> None:
        if total > self._batch:  # a long run says how far it is, on stderr, so that stdout stays the findings
            self.stderr.write(f"Checked {done} of {total} articles…")
