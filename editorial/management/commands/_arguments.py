"""Shared argument handling for the workflow's management commands."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from articles.models import Article


def acting_user(username: str):
    """Return the active user the command acts as; every move is recorded under their name."""
    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise CommandError(f"There is no active user “{username}”.") from None


def article_by_slug(slug: str) -> Article:
    try:
        return Article.objects.get(slug=slug)
    except Article.DoesNotExist:
        raise CommandError(f"There is no article with the slug “{slug}”.") from None
