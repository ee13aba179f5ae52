"""Middleware for the private area (the admin, the review desk and /account/).

The private area shows words nobody has approved yet and the tools that sign them off:
its pages are never stored by caches, staff idle there are signed out, and the people
who sign off cannot reach it without their second factor.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from editorial.accounts.mfa import has_authenticator, is_second_factor_required
from editorial.accounts.session import LAST_ACTIVITY

# Writing the session on every request would cost a database write per page.
ACTIVITY_RESOLUTION_SECONDS = 60


def private_prefixes() -> tuple[str, ...]:
    return (reverse("admin:index"), reverse("desk:queue"), reverse("account:verify").removesuffix("verify/"))


def is_private(path: str) -> bool:
    return path.startswith(private_prefixes())


class PrivatePagesNoStoreMiddleware:
    """Send `Cache-Control: private, no-store` with every page of the private area."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_private(request.path_info):
            patch_cache_control(response, private=True, no_store=True)
        return response


class StaffIdleTimeoutMiddleware:
    """Sign out staff who made no request in the private area for STAFF_IDLE_TIMEOUT.

    Only private pages count as activity and are checked, so reading the public site
    neither keeps a staff session alive nor touches the session (no `Vary: Cookie`).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_private(request.path_info) and request.user.is_authenticated and request.user.is_staff:
            now = time.time()
            last = request.session.get(LAST_ACTIVITY)
            if last is not None and now - last > settings.STAFF_IDLE_TIMEOUT.total_seconds():
                logout(request)
                minutes = int(settings.STAFF_IDLE_TIMEOUT.total_seconds() // 60)
                messages.info(
                    request, f"You were signed out after {minutes} minutes without activity. Please sign in again."
                )
                return redirect_to_login(request.get_full_path())
            if last is None or now - last >= ACTIVITY_RESOLUTION_SECONDS:
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)


class StaffSecondFactorMiddleware:
    """Keep the private area closed to a signed-in user until their second factor is checked.

    The private area is the admin, the review desk and the sign-off reports.
    With STAFF_MFA_REQUIRED on: anyone with an authenticator is asked for a code; board
    members, managing editors and admins without one are sent to enrol. The login and
    logout pages and /account/ itself stay open so that they can do either.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.STAFF_MFA_REQUIRED and self.is_guarded(request.path_info):
            user = request.user
            if user.is_authenticated and not user.is_verified():
                query = urlencode({"next": request.get_full_path()})
                if has_authenticator(user):
                    return redirect(f"{reverse('account:verify')}?{query}")
                if is_second_factor_required(user):
                    return redirect(f"{reverse('account:enrol')}?{query}")
        return self.get_response(request)

    @staticmethod
    def is_guarded(path: str) -> bool:
        open_paths = (reverse("admin:login"), reverse("admin:logout"))
        # The sign-off reports (`audit`, mounted at /audit/) show who vouched for what: as private as the desk.
        guarded = (reverse("admin:index"), reverse("desk:queue"), "/audit/")
        return path.startswith(guarded) and path not in open_paths
