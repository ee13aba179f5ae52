"""Middleware for the private area (the admin, the review desk and /account/).

The private area shows words nobody has approved yet and the tools that sign them off:
its pages are never stored by caches, staff idle there are signed out, and the people
who sign off cannot reach it without their second factor.
"""

import functools
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.cache import patch_cache_control

from editorial.accounts.mfa import has_authenticator, is_second_factor_required
from editorial.accounts.session import LAST_ACTIVITY

# Writing the session on every request would cost a database write per page.
ACTIVITY_RESOLUTION_SECONDS = 60


@dataclass(frozen=True)
class AreaPaths:
    """Where the private area lives, reversed once per URL configuration, not on every request of every reader."""

    private: tuple[str, ...]  # the admin, the desk and /account/
    guarded: tuple[str, ...]  # what the second factor guards: the admin, the desk and the sign-off reports
    open: tuple[str, ...]  # the admin's login and logout, open without a second factor


@functools.cache
def _area_paths(urlconf: str, script_prefix: str) -> AreaPaths:
    def path(name):
        return reverse(name, urlconf=urlconf)

    admin, desk = path("admin:index"), path("desk:queue")
    return AreaPaths(
        private=(admin, desk, path("account:verify").removesuffix("verify/")),
        # The sign-off reports (`audit`, mounted at /audit/) show who vouched for what: as private as the desk.
        guarded=(admin, desk, "/audit/"),
        open=(path("admin:login"), path("admin:logout")),
    )


def area_paths() -> AreaPaths:
    return _area_paths(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


def is_private(path: str) -> bool:
    return path.startswith(area_paths().private)


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
        paths = area_paths()
        return path.startswith(paths.guarded) and path not in paths.open
