import sys

from django.core.management.base import BaseCommand

from audit.checks import (
    ARTICLE_CHECKS,
    Counts,
    Library,
    LiveBatch,
    chains_are_intact,
    history_rows_match_their_seals,
    live_article_ids,
)
from audit.site_pages import site_pages_are_approved
from config.text import counted

BATCH = 200  # live articles checked at a time: their revisions and pages are held for one batch only


class Command(BaseCommand):
    help = (
        "Check every promise made about the articles readers can see: the served pages show exactly the approved "
        "words, revisions still hash to their hash, the chain is intact, the quorum of valid approvals is met, "
        "every claim cites a reference, no retracted reference stands without a fix in review, an overdue "
        "review is flagged, readers see approved versions of the site's pages, and each sign-off recorded the "
        "disclaimer version approved and in force when it was signed. Prints one line per failure and a summary "
        "last; exits 1 on any failure."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", type=int, default=BATCH, help="Articles checked at a time; progress is shown after each."
        )

    def handle(self, *args, batch, **options):
        counts, failures = Counts(), 0
        ids = live_article_ids()
        library = Library()
        for start in range(0, len(ids), batch):
            some = LiveBatch(ids[start : start + batch], library, counts)
            for check in ARTICLE_CHECKS:
                failures += self._report(check(some))
            self._progress("Audited", start + batch, len(ids), batch)
        failures += self._report(
            chains_are_intact(
                ids,
                counts=counts,
                batch=batch,
                progress=lambda done, total: self._progress("Verified the chains of", done, total, batch),
            )
        )
        failures += self._report(
            history_rows_match_their_seals(
                counts=counts, progress=lambda done, total: self._progress("Verified", done, total, 1, "seals")
            )
        )
        failures += self._report(site_pages_are_approved())
        tally = (
            f"{counted(counts.articles, 'live article')}, {counted(counts.pages, 'served page')}, "
            f"{counted(counts.approvals, 'approval')}, {counted(counts.ledger.links, 'link')}, "
            f"{counted(counts.ledger.checkpoints, 'checkpoint')}, "
            f"{counted(counts.seals.seals, 'seal')} over {counted(counts.seals.rows, 'history row')}"
        )
        if counts.seals.unsealed:
            tally += f" ({counted(counts.seals.unsealed, 'newer row')} not sealed yet)"
        if failures:
            self.stdout.write(f"The audit failed: {counted(failures, 'failure')} in {tally}.")
            sys.exit(1)
        self.stdout.write(f"The audit passed: {tally}.")

    def _report(self, failures) -> int:
        for failure in failures:
            self.stdout.write(str(failure))
        return len(failures)

    def _progress(self, verb: str, done: int, total: int, batch: int, things: str = "articles") -> None:
        if total > batch:  # a long run says how far it is, on stderr, so that stdout stays the findings
            self.stderr.write(f"{verb} {min(done, total)} of {total} {things}…")
