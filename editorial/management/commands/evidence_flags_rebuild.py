from django.core.management.base import BaseCommand

from editorial.evidence_flags import evidence_flags_differences, evidence_flags_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the stored evidence flags (which live articles cite retracted evidence, for their list, its "
        "filter and the desk) from the live revisions' citations and the references' standing now. With --check, "
        "only name the articles whose flag differs, and exit 1 if any does."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Compare, change nothing.")

    def handle(self, *args, check, **options):
        if check:
            differing = evidence_flags_differences()
            for article_id in differing:
                self.stdout.write(f"Article {article_id}: its stored evidence flag differs.")
            if differing:
                raise SystemExit(1)
            self.stdout.write(self.style.SUCCESS("Every evidence flag is in step."))
            return
        flagged = evidence_flags_rebuild()
        self.stdout.write(
            self.style.SUCCESS(f"{flagged} live article{'s' if flagged != 1 else ''} cite flagged evidence.")
        )
