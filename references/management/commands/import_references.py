from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from config.commands import acting_user
from config.history import acting_as
from references.formats.reading import FORMATS
from references.formats.records import ReferenceFileError
from references.imports import REPLACEABLE, ImportConflict, reference_file_import, reference_file_preview


class Command(BaseCommand):
    help = (
        "Import references from a RIS, BibTeX, PubMed MEDLINE (.nbib) or CSL-JSON file. Entries are matched "
        "to the library by DOI, PMID, PMCID, then title and year, so importing a file again updates and never "
        "duplicates. Entries that cannot be used are listed with their position and reason; the others are "
        "imported together in one transaction, recorded in the history under the --as user."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the file.")
        parser.add_argument("--as", dest="username", required=True, help="The user the import is recorded under.")
        parser.add_argument(
            "--format", choices=sorted(FORMATS), help="The file's format, when its name and content do not say."
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what would happen; change nothing.")
        parser.add_argument(
            "--take-file-values",
            metavar="FIELDS",
            default="",
            help="Where a matched reference already has a different value, take the file's in these fields "
            f"(comma-separated, from: {', '.join(REPLACEABLE)}), or in all of them with 'all'. "
            "By default the library's values are kept and only empty fields are filled.",
        )

    def handle(self, *args, file, username, format, dry_run, take_file_values, **options):
        user = acting_user(username)
        replace = _fields(take_file_values)
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Could not read {file}: {error.strerror or error}.") from error
        try:
            with acting_as(user):
                record, plan = reference_file_preview(
                    data=data, file_name=path.name, user=user, format=format, keep=not dry_run, replace=replace
                )
                if not dry_run:  # the file just read is the one kept: it is not read again
                    entries = [entry_plan.entry for entry_plan in plan.entries]
                    plan = reference_file_import(
                        record=record, user=user, replace=replace, progress=self._progress, entries=entries
                    )
        except ReferenceFileError as error:
            raise CommandError(f"{file}: {error} Nothing was imported.") from error
        except (PermissionDenied, ImportConflict) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Format: {FORMATS[plan.format].label}")
        for line in plan.summary_lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was imported."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {file} as {username} (import {record.pk})."))

    def _progress(self, done: int, total: int) -> None:
        self.stderr.write(f"  {done:,} of {total:,} references written ({done * 100 // total}%)")


def _fields(text: str) -> tuple[str, ...]:
    """The fields named on the command line ("all", or a comma-separated list), each one a file may replace."""
    if text.strip().lower() == "all":
        return REPLACEABLE
    fields = [name.strip() for name in text.split(",") if name.strip()]
    if unknown := [name for name in fields if name not in REPLACEABLE]:
        raise CommandError(
            f"--take-file-values cannot name {', '.join(unknown)}; it takes 'all' or fields from: "
            f"{', '.join(REPLACEABLE)}."
        )
    return tuple(fields)
