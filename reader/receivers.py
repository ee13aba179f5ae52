"""The reader follows the workflow: when what readers may see changes, its index and caches follow."""

from django.dispatch import receiver

from editorial.signals import public_status_changed
from reader.index import published_article_refresh


@receiver(public_status_changed, dispatch_uid="reader.refresh_published_article")
def refresh_published_article(sender, article_id, **kwargs):
    published_article_refresh(article_id)
