"""Shared argument handling for the workflow's management commands."""

from argparse import ArgumentTypeError
from contextlib import contextmanager
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from django.utils import timezone

from articles.models import Article
from config.commands import acting_user
from editorial.errors import WorkflowError

__all__ = ["acting_user", "article_by_slug", "moment", "refusals_as_command_errors"]


def article_by_slug(slug: str) -> Article:
    try:
        return Article.objects.get(slug=slug)
    except Article.DoesNotExist:
        raise CommandError(f"There is no article with the slug “{slug}”.") from None


def moment(value: str) -> datetime:
    """A date and time in ISO 8601 (`2027-03-01T09:00`), in the site's time zone unless it names an offset."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"“{value}” is not a date and time such as 2027-03-01T09:00.") from None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


@contextmanager
def refusals_as_command_errors():
    """Report a move the workflow refuses (wrong person, wrong moment) as the command's error, in its words."""
    try:
        yield
    except (WorkflowError, PermissionDenied) as refusal:
        raise CommandError(str(refusal)) from refusal
