"""Enqueue the periodic jobs: run it from cron or a systemd timer, every 5 minutes for instance."""

from django.core.management.base import BaseCommand, CommandError

from jobs.periodic import periodic_tasks


class Command(BaseCommand):
    help = "Enqueue every periodic job (or the ones named) for the task workers to run."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", metavar="NAME", help="Enqueue only these jobs.")
        parser.add_argument(
            "--list", action="store_true", dest="list_only", help="List the periodic jobs and enqueue nothing."
        )

    def handle(self, *, names, list_only, **options):
        jobs = periodic_tasks()
        if list_only:
            for name, job in jobs.items():
                self.stdout.write(f"{name}: {(job.func.__doc__ or '').strip().splitlines()[0]}")
            return
        unknown = sorted(set(names) - jobs.keys())
        if unknown:
            raise CommandError(f"No periodic job named {', '.join(unknown)}. Known: {', '.join(jobs)}.")
        for name in names or jobs:
            result = jobs[name].enqueue()
            self.stdout.write(f"Enqueued {name} (task {result.id}).")
