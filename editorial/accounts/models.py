"""The history of every account and every role: who gave whom which role, and who gave a role which permission.

Accounts and roles (groups) belong to Django's auth app, so their history is
registered here, in an app of ours with migrations. Each row names the person
who made the change (the admin's user, or `acting_as` outside a request), when,
and the account's groups and direct permissions, or the role's name and
permissions, as they stood after it. The password hash is never copied into
history, and signing in (which saves only `last_login`) writes no row.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from simple_history import register
from simple_history.models import HistoricalRecords

from config.history import history_user

TRACKED_M2M_FIELDS = ["groups", "user_permissions"]
ROLE_M2M_FIELDS = ["permissions"]


class BothSidesHistory(HistoricalRecords):
    """`HistoricalRecords` whose many-to-many history is right when the change is made from the other side."""

    def m2m_changed(self, instance, action, attr, pk_set, reverse, model=None, **kwargs):
        """Write a row for each tracked object whose many-to-many field changed, from whichever side.

        Changed from the other side (`group.user_set.add(user)`, `permission.group_set.add(group)`),
        `instance` is the other side's object: the library would try to copy it as a tracked
        one, so each tracked object it touched gets its own row instead.
        """
        if not reverse:
            super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
            return
        cleared = f"_history_cleared_{attr}"
        if action == "pre_clear":
            setattr(instance, cleared, list(model.objects.filter(**{attr: instance})))
        elif action in ("post_add", "post_remove"):
            for tracked in model.objects.filter(pk__in=pk_set):
                super().m2m_changed(tracked, action, attr, pk_set, False, **kwargs)
        elif action == "post_clear":
            for tracked in getattr(instance, cleared, []):
                super().m2m_changed(tracked, action, attr, pk_set, False, **kwargs)


class AccountHistory(BothSidesHistory):
    """`HistoricalRecords` for accounts: every row names a person, and no row is written that shows nothing.

    An account created with nobody acting (`createsuperuser`, the demo's first account)
    made itself: its first row names it. A sign-in (`last_login`) or a new password alone
    (`changepassword`) changes nothing history copies, so it writes no row.
    """

    def post_save(self, instance, created, using=None, **kwargs):
        if kwargs.get("update_fields") == frozenset({"last_login"}):
            return  # a sign-in, not a change to the account
        if not created and instance._password is not None and self._shows_nothing_new(instance):
            return  # a new password alone: history never copies it
        made_itself = created and self.get_history_user(instance) is None
        if made_itself:
            instance._history_user = instance
        try:
            super().post_save(instance, created, using=using, **kwargs)
        finally:
            if made_itself:
                del instance._history_user  # its later saves name whoever makes them

    def _shows_nothing_new(self, instance) -> bool:
        latest = instance.history.order_by("-history_id").first()
        fields = [field.attname for field in self.fields_included(instance)]
        return latest is not None and all(getattr(latest, name) == getattr(instance, name) for name in fields)


register(
    get_user_model(),
    app="editorial.accounts",
    records_class=AccountHistory,
    get_user=history_user,
    excluded_fields=["password", "last_login"],
    m2m_fields=TRACKED_M2M_FIELDS,
)
register(
    Group,
    app="editorial.accounts",
    records_class=BothSidesHistory,
    get_user=history_user,
    m2m_fields=ROLE_M2M_FIELDS,
)
