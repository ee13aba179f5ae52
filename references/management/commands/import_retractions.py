from django.core.management.base import BaseCommand, CommandError

from config.commands import acting_user
from config.history import acting_as
from references.retractions import RetractionFileError, read_retraction_csv, retractions_import

SOURCE = "Retraction Watch"


class Command(BaseCommand):
    help = (
        "Flag retracted references from a retraction list: the Retraction Watch CSV export "
        "(UTF-8, with the columns RetractionNature, RetractionDate, OriginalPaperDOI and "
        "OriginalPaperPubMedID). References are matched by DOI, else PubMed ID; every change is "
        "made in one transaction and recorded in the history under the --as user."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the CSV file.")
        parser.add_argument("--as", dest="username", required=True, help="The user the changes are recorded under.")

    def handle(self, *args, file, username, **options):
        user = acting_user(username)
        if not user.has_perm("references.change_reference"):
            raise CommandError(f"{username} may not change references.")
        try:
            rows = read_retraction_csv(file)
        except RetractionFileError as error:
            raise CommandError(f"{error} Nothing was changed.") from error
        with acting_as(user):
            report = retractions_import(rows=rows, source=SOURCE)
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Imported {file} as {username}."))
