"""What the session remembers about how surely its user is who they say.

Times are stored as POSIX seconds, so the session serializer (JSON) keeps them.
"""

import time

from django.conf import settings

AUTHENTICATED_AT = "account_authenticated_at"
LAST_ACTIVITY = "account_last_activity"
RECOVERY_CODES = "account_recovery_codes"
PENDING_FORM = "account_pending_form"


def authenticated_now(request) -> None:
    """Record that the user proved who they are just now (password or second factor), an activity too."""
    request.session[AUTHENTICATED_AT] = request.session[LAST_ACTIVITY] = time.time()


def authenticated_recently(request) -> bool:
    """Whether the user proved who they are within REAUTHENTICATION_MAX_AGE."""
    at = request.session.get(AUTHENTICATED_AT)
    return at is not None and time.time() - at <= settings.REAUTHENTICATION_MAX_AGE.total_seconds()


def pending_form_keep(request, *, return_to: str) -> None:
    """Keep a posted form, minus its CSRF token, for the page at `return_to` to show again."""
    data = {key: values for key, values in request.POST.lists() if key != "csrfmiddlewaretoken"}
    request.session[PENDING_FORM] = {"path": return_to, "data": data}


def pending_form_pop(request):
    """Return the form data kept for this page as a QueryDict, once; None if there is none."""
    from django.http import QueryDict

    kept = request.session.get(PENDING_FORM)
    if not kept or kept["path"] != request.path:
        return None
    del request.session[PENDING_FORM]
    data = QueryDict(mutable=True)
    for key, values in kept["data"].items():
        data.setlist(key, values)
    return data
