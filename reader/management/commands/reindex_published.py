from django.core.management.base import BaseCommand
from django.db import transaction

from editorial.models import ArticleWorkflow
from reader.index import published_article_refresh
from reader.models import PublishedArticle


class Command(BaseCommand):
    help = "Rebuild the reader's index of published articles from the live revisions."

    @transaction.atomic
    def handle(self, *args, **options):
        article_ids = set(ArticleWorkflow.objects.values_list("article_id", flat=True))
        article_ids |= set(PublishedArticle.objects.values_list("article_id", flat=True))
        published = sum(1 for article_id in sorted(article_ids) if published_article_refresh(article_id))
        self.stdout.write(self.style.SUCCESS(f"Indexed {published} published article{'s' if published != 1 else ''}."))
