"""The history of every account: who gave whom which role, and who made whom staff.

Accounts belong to Django's auth app, so their history is registered here, in an
app of ours with migrations. Each row names the person who made the change (the
admin's user, or `acting_as` outside a request), when, and the account's groups
and direct permissions as they stood after it. The password hash is never copied
into history, and signing in (which saves only `last_login`) writes no row.
"""

from django.contrib.auth import get_user_model
from simple_history import register
from simple_history.models import HistoricalRecords

from config.history import history_user

TRACKED_M2M_FIELDS = ["groups", "user_permissions"]


class AccountHistory(HistoricalRecords):
    """`HistoricalRecords` for accounts: quiet on sign-in, and right when a role is changed from its group's side."""

    def post_save(self, instance, created, using=None, **kwargs):
        if kwargs.get("update_fields") == frozenset({"last_login"}):
            return  # a sign-in, not a change to the account
        super().post_save(instance, created, using=using, **kwargs)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, model=None, **kwargs):
        """Write a row for each account whose groups or permissions changed, from whichever side.

        Changed from the group's side (`group.user_set.add(user)`), `instance` is the group:
        the library would try to copy it as an account, so each account it touched gets its
        own row instead.
        """
        if not reverse:
            super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
            return
        if action == "pre_clear":
            instance._accounts_cleared = list(model.objects.filter(**{attr: instance}))
        elif action in ("post_add", "post_remove"):
            for account in model.objects.filter(pk__in=pk_set):
                super().m2m_changed(account, action, attr, pk_set, False, **kwargs)
        elif action == "post_clear":
            for account in getattr(instance, "_accounts_cleared", []):
                super().m2m_changed(account, action, attr, pk_set, False, **kwargs)


register(
    get_user_model(),
    app="editorial.accounts",
    records_class=AccountHistory,
    get_user=history_user,
    excluded_fields=["password", "last_login"],
    m2m_fields=TRACKED_M2M_FIELDS,
)
