from django.core.management.base import BaseCommand
from django.db import transaction

from editorial.models import ArticleWorkflow
from reader.index import published_articles_reindex
from reader.models import PublishedArticle

BATCH = 500


class Command(BaseCommand):
    help = (
        "Rebuild the reader's index of published articles from the live revisions, in batches of articles "
        "in id order, each batch in its own transaction. Stopped part way, run it again with --after the "
        "last id it printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--after", type=int, default=0, help="Start after this article id (to resume).")
        parser.add_argument("--batch", type=int, default=BATCH, help=f"Articles per transaction (default {BATCH}).")

    def handle(self, *args, after, batch, **options):
        published = 0
        while True:
            article_ids = self._next_ids(after, batch)
            if not article_ids:
                break
            with transaction.atomic():
                live, refused = published_articles_reindex(article_ids)
            published += live
            after = article_ids[-1]
            for slug in refused:
                self.stderr.write(f"Left as it was: the address {slug} was public for another article.")
            self.stdout.write(f"Indexed up to article {after}.")
        self.stdout.write(self.style.SUCCESS(f"Indexed {published} published article{'s' if published != 1 else ''}."))

    @staticmethod
    def _next_ids(after: int, batch: int) -> list[int]:
        """The next ids with a workflow or an index row: a withdrawn article's row is removed too."""
        workflows = ArticleWorkflow.objects.filter(article_id__gt=after).order_by("article_id")
        indexed = PublishedArticle.objects.filter(article_id__gt=after).order_by("article_id")
        ids = set(workflows.values_list("article_id", flat=True)[:batch])
        ids |= set(indexed.values_list("article_id", flat=True)[:batch])
        return sorted(ids)[:batch]
