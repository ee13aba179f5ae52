"""Ask for proof of identity again before a sign-off, without losing what the reviewer typed."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from editorial.accounts.session import authenticated_recently, pending_form_keep


def recent_authentication_required(return_to: str):
    """Let the view run only if the user proved who they are within REAUTHENTICATION_MAX_AGE.

    Otherwise nothing runs: the posted form is kept in the session for the page named
    `return_to` (reversed with the view's arguments), and the user is sent to confirm their
    identity, then back to that page, where the form is filled in again to submit once more.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if authenticated_recently(request):
                return view(request, *args, **kwargs)
            page = reverse(return_to, args=args, kwargs=kwargs)
            if request.method == "POST":
                pending_form_keep(request, return_to=page)
            messages.info(request, "Please confirm it is you before signing off. Nothing has been recorded yet.")
            return redirect(f"{reverse('account:reauthenticate')}?{urlencode({'next': page})}")

        return wrapped

    return decorator
