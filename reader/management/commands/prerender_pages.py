from django.core.management.base import BaseCommand

from reader.models import PublishedArticle
from reader.prerendered import prerender

BATCH = 200


class Command(BaseCommand):
    help = (
        "Render and store every live article's page in each audience's words, in article id order, leaving "
        "pages already stored by this release alone. Run it after a deploy: stored pages name the code that "
        "rendered them, so a new release renders each page again, on its first request unless this ran first. "
        "Stopped part way, run it again with --after the last id it printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--after", type=int, default=0, help="Start after this article id (to resume).")

    def handle(self, *args, after, **options):
        stored = 0
        articles = PublishedArticle.objects.order_by("article_id").values_list("article_id", "slug")
        while batch := list(articles.filter(article_id__gt=after)[:BATCH]):
            stored += sum(prerender(slug) for _, slug in batch)
            after = batch[-1][0]
            self.stdout.write(f"Rendered up to article {after}.")
        self.stdout.write(self.style.SUCCESS(f"Stored {stored} page{'s' if stored != 1 else ''}."))
