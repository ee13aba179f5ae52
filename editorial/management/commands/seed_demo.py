import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from editorial.demo import DEFAULT_DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = (
        "Load the demo advisory board, staff accounts, references and articles. "
        "Safe to run again: what already matches is left untouched. "
        "Accounts get the password in DEMO_PASSWORD (default for local use only: "
        f"{DEFAULT_DEMO_PASSWORD})."
    )

    def handle(self, *args, **options):
        # The demo's reviews are not real: send no email about them, now or later. Email tasks
        # run at once, into a backend that drops them, instead of waiting in the queue for a worker.
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        ):
            try:
                counts = demo_seed(password=os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD)
            except ValidationError as error:  # demo_seed is one transaction: nothing was written
                message = " ".join(error.messages)
                raise CommandError(f"The demo content is not valid, so nothing was loaded. {message}") from error
        self.stdout.write(
            self.style.SUCCESS(
                "Demo content ready: {users} accounts ({reviewers} board members), "
                "{references} references, {articles} articles.".format(**counts)
            )
        )
