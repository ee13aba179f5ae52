import sys

from django.core.management.base import BaseCommand

from ledger.seals import SealSummary, verify_seals
from ledger.services import BATCH, Summary, verify


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


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
        counted = (
            f"{_count(summary.links, 'link')} over {_count(summary.articles, 'article')}, "
            f"{_count(summary.checkpoints, 'checkpoint')}"
        )
        if not article_ids:
            sealed = SealSummary()
            failures += verify_seals(summary=sealed)
            counted += f", {_count(sealed.seals, 'seal')} over {_count(sealed.rows, 'history row')}"
            if sealed.unsealed:
                counted += f" ({_count(sealed.unsealed, 'newer row')} not sealed yet)"
        for failure in failures:
            self.stdout.write(str(failure))
        if failures:
            self.stdout.write(f"The ledger is broken: {_count(len(failures), 'failure')} in {counted}.")
            sys.exit(1)
        self.stdout.write(f"The ledger is intact: {counted}.")

    def _progress(self, done: int, total: int) -> None:
        if total > self._batch:  # a long run says how far it is, on stderr, so that stdout stays the findings
            self.stderr.write(f"Checked {done} of {total} articles…")
