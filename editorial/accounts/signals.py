"""Every login, force_login included, starts the re-authentication clock."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from editorial.accounts.session import authenticated_now


@receiver(user_logged_in, dispatch_uid="editorial_accounts_authenticated_at")
def record_authentication_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        authenticated_now(request)
