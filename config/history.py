"""Who to record as the author of a history row.

django-simple-history's middleware names the user of a web request. Work done
outside a request (management commands, the seed, background jobs) runs inside
`acting_as(user)` so that its history rows name a person too.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from simple_history.models import HistoricalRecords

_acting_user = ContextVar("acting_user", default=None)


@contextmanager
def acting_as(user):
    """Record `user` as the author of every history row written inside the block."""
    token = _acting_user.set(user)
    try:
        yield user
    finally:
        _acting_user.reset(token)


def history_user(request=None, **kwargs):
    """Return the acting user: an explicit `acting_as` first, else the request's user."""
    user = _acting_user.get()
    if user is not None:
        return user
    return getattr(request, "user", None)


def tracked_history(**kwargs):
    """Return the `HistoricalRecords` field every tracked model uses."""
    return HistoricalRecords(get_user=history_user, **kwargs)


def save_if_changed(instance, values: dict):
    """Apply `values` to `instance`; validate and save only if something differs.

    django-simple-history writes a row on every save, so saving what did not
    change would fill the audit trail with empty entries.
    """
    changed = instance._state.adding
    for field, value in values.items():
        if changed or getattr(instance, field) != value:
            setattr(instance, field, value)
            changed = True
    if changed:
        instance.full_clean()
        instance.save()
    return instance
