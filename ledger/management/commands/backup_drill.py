"""Prove a backup restores: dump this database, restore it into a scratch one, verify the copy, compare."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from config.text import counted
from ledger.drill import Database, DrillError, drill_run


class Command(BaseCommand):
    help = (
        "Dump this PostgreSQL database (pg_dump, custom format), restore it into a new scratch database, "
        "run the ledger's verification there in a subprocess, compare every link, checkpoint, seal, "
        "append-only trigger, grant and table's row count with the source, and drop the scratch database. "
        "Exits 1 on any difference. "
        "Needs a role that may create databases (the owner role or a superuser). See docs/backup.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scratch", help="Name of the scratch database (default: <database>_drill_<random>).")
        parser.add_argument("--dump", type=Path, help="Keep the verified dump at this path.")
        parser.add_argument("--pg-bin", help="Directory of the pg_dump and pg_restore to use (default: the PATH).")

    def handle(self, *args, scratch, dump, pg_bin, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "The backup drill needs PostgreSQL (pg_dump and pg_restore); this is " + connection.vendor
            )
        started = time.monotonic()
        source = Database.from_settings(connection.settings_dict)
        try:
            report = drill_run(source=source, scratch_name=scratch, bin_dir=pg_bin, dump_path=dump, log=self._log)
        except DrillError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Verification on the restore ({' '.join(report.verification)}):")
        output = report.verification_output if report.verification_code == 0 else report.verification_errors
        self.stdout.write("  " + output.replace("\n", "\n  "))
        if report.fingerprint.checkpoints:  # what to keep beside the dump, out of the administrators' reach
            checkpoint_id, _previous, chain, _heads = report.fingerprint.checkpoints[-1]
            self.stdout.write(f"The dump's last checkpoint: {checkpoint_id}, chain {chain}.")
        for difference in report.differences:
            self.stdout.write(f"Difference: {difference}")
        fingerprint = report.fingerprint
        tally = (
            f"{counted(fingerprint.links, 'link')} in {counted(len(fingerprint.heads), 'chain')}, "
            f"{counted(len(fingerprint.checkpoints), 'checkpoint')}, {counted(len(fingerprint.seals), 'seal')}, "
            f"{counted(len(fingerprint.guards), 'append-only trigger')}, {counted(len(fingerprint.rows), 'table')}"
        )
        seconds = time.monotonic() - started
        if not report.is_sound:
            failed = (
                [] if report.verification_code == 0 else [f"{report.verification[0]} exited {report.verification_code}"]
            )
            failed += [f"{len(report.differences)} difference(s)"] if report.differences else []
            self.stdout.write(f"The restore drill FAILED ({', '.join(failed)}) in {seconds:.1f} s: {tally}.")
            sys.exit(1)
        self.stderr.write(", ".join(f"{step} {spent:.1f} s" for step, spent in report.seconds.items()))
        kept = f" The verified dump is {dump}." if dump else ""
        self.stdout.write(f"The restore drill passed in {seconds:.1f} s: {tally} identical in the restore.{kept}")

    def _log(self, message: str) -> None:
        self.stderr.write(message)
