"""The reader follows the workflow: when what readers may see changes, its index and caches follow."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from editorial.signals import public_status_changed
from reader import cache
from reader.index import published_article_refresh
from reader.models import EditorialPage, PublishedArticle


@receiver(public_status_changed, dispatch_uid="reader.refresh_published_article")
def refresh_published_article(sender, article_id, **kwargs):
    published_article_refresh(article_id)


@receiver(post_save, sender=EditorialPage, dispatch_uid="reader.purge_pages_showing_editorial_text")
def purge_pages_showing_editorial_text(sender, instance, **kwargs):
    """Article pages show the disclaimer: an edit to it must reach readers at once."""
    slugs = list(PublishedArticle.objects.values_list("slug", flat=True))  # only live pages are cached
    transaction.on_commit(lambda: cache.article_purge(slugs), robust=True)
