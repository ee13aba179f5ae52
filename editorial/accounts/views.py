"""Second-factor enrolment and checks, and re-authentication before a sign-off.

Thin views: the rules are in `mfa`, `session` and the middleware. Every page here
needs a signed-in user, and sends them on to a `next` page on this site only.
"""

from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from editorial.accounts.forms import CodeForm, PasswordConfirmForm
from editorial.accounts.mfa import (
    authenticator_confirm,
    authenticator_pending,
    authenticator_qr_data_uri,
    authenticator_secret,
    has_authenticator,
)
from editorial.accounts.session import PENDING_FORM, RECOVERY_CODES, authenticated_now


def _with_next(name: str, request) -> str:
    return f"{resolve_url(name)}?{urlencode({'next': _next_page(request)})}"


def _next_page(request) -> str:
    """The page to go on to: `next` if it is on this site, else the desk."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Set up an authenticator app: a QR code and the secret as text, confirmed with a code.

    Someone who already has an authenticator must use it: enrolling another here would
    let a stolen password replace the second factor.
    """
    if has_authenticator(request.user):
        return redirect(_with_next("account:verify", request))
    device = authenticator_pending(request.user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        codes = authenticator_confirm(device=device, token=form.cleaned_data["code"])
        if codes is not None:
            device.refresh_from_db()
            django_otp.login(request, device)
            authenticated_now(request)
            request.session[RECOVERY_CODES] = codes
            return redirect(_with_next("account:recovery_codes", request))
        form.add_error("code", "That code is not right. Check the app shows this account and try the newest code.")
    if request.method == "POST":
        status = 400
    context = {
        "form": form,
        "next": _next_page(request),
        "qr_code": authenticator_qr_data_uri(device),
        "secret": authenticator_secret(device),
        "is_required": settings.STAFF_MFA_REQUIRED,
    }
    return render(request, "account/enrol.html", context, status=status)


@login_required
def recovery_codes(request):
    """Show the recovery codes made at enrolment, once: they are not stored in readable form elsewhere."""
    codes = request.session.pop(RECOVERY_CODES, None)
    if not codes:
        return redirect(_next_page(request))
    return render(request, "account/recovery_codes.html", {"codes": codes, "next": _next_page(request)})


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """Ask for a code from the authenticator app, or a recovery code, once per session."""
    if not has_authenticator(request.user):
        return redirect(_with_next("account:enrol", request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            django_otp.login(request, device)
            authenticated_now(request)
            return redirect(_next_page(request))
        form.add_error("code", "That code is not right, or was already used. Try the newest code.")
    status = 400 if request.method == "POST" else 200
    return render(request, "account/verify.html", {"form": form, "next": _next_page(request)}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def reauthenticate(request):
    """Confirm it is still the same person before a sign-off.

    With the second factor on, a code from their authenticator; otherwise their password.
    """
    uses_code = settings.STAFF_MFA_REQUIRED and has_authenticator(request.user)
    form = CodeForm(request.POST or None) if uses_code else PasswordConfirmForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        if not uses_code or django_otp.match_token(request.user, form.cleaned_data["code"]) is not None:
            authenticated_now(request)
            if PENDING_FORM in request.session:
                messages.info(request, "Thank you. Your decision is filled in again below: submit it to record it.")
            return redirect(_next_page(request))
        form.add_error("code", "That code is not right, or was already used. Try the newest code.")
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "next": _next_page(request),
        "uses_code": uses_code,
        "max_age_minutes": int(settings.REAUTHENTICATION_MAX_AGE.total_seconds() // 60),
    }
    return render(request, "account/reauthenticate.html", context, status=status)


def locked_out(request, original_response=None, credentials=None):
    """Answer a login refused by django-axes: 429, and what to do (AXES_LOCKOUT_CALLABLE)."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "account/locked_out.html", context, status=429)
