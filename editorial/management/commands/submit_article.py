import json

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from editorial.errors import WorkflowError
from editorial.intake import IntakeError, article_intake
from editorial.management.commands._arguments import acting_user


class Command(BaseCommand):
    help = (
        "Take in an article from a JSON file and submit it for review (it enters at Submitted). "
        "The format is documented in editorial/intake.py and docs/workflow.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the JSON file.")
        parser.add_argument("--as", dest="username", required=True, help="The editor the submission is made by.")

    def handle(self, *args, file, username, **options):
        user = acting_user(username)
        try:
            with open(file, encoding="utf-8") as handle:
                payload = json.load(handle)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"Could not read {file}: {error}") from error
        try:
            revision = article_intake(payload=payload, user=user)
        except (IntakeError, WorkflowError) as refusal:
            raise CommandError(str(refusal)) from refusal
        except PermissionDenied as refusal:
            raise CommandError(f"{username} may not submit articles: {refusal}") from refusal
        self.stdout.write(
            self.style.SUCCESS(
                f"Submitted revision {revision.number} of “{revision.article}” ({revision.content_hash})."
            )
        )
