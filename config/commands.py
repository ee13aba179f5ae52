"""What every management command that acts for a person needs."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def acting_user(username: str):
    """Return the active user the command acts as; every change is recorded under their name."""
    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise CommandError(f"There is no active user “{username}”.") from None
