"""Shared argument handling for the workflow's management commands."""

from django.core.management.base import CommandError

from articles.models import Article
from config.commands import acting_user

__all__ = ["acting_user", "article_by_slug"]


def article_by_slug(slug: str) -> Article:
    try:
        return Article.objects.get(slug=slug)
    except Article.DoesNotExist:
        raise CommandError(f"There is no article with the slug “{slug}”.") from None
