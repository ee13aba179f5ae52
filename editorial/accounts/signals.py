"""Every login, force_login included, starts the re-authentication clock; a deleted role leaves its members' history."""

from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from editorial.accounts.session import authenticated_now


@receiver(user_logged_in, dispatch_uid="editorial_accounts_authenticated_at")
def record_authentication_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        authenticated_now(request)


@receiver(pre_delete, sender=Group, dispatch_uid="editorial_accounts_role_members_history")
def record_members_leaving_a_deleted_role(sender, instance, **kwargs):
    """Take a role from its members before it is deleted, so each member's history records losing it.

    Deleting a group removes its memberships by cascade, which sends no signal: the members'
    histories would go on showing a role they no longer have.
    """
    instance.user_set.clear()
