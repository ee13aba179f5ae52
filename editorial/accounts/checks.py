"""Deployment check: production should ask staff who sign off for a second factor."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def staff_mfa_required_check(app_configs, **kwargs):
    if settings.DEBUG or settings.STAFF_MFA_REQUIRED:
        return []
    return [
        Warning(
            "STAFF_MFA_REQUIRED is off while DEBUG is off: board members, managing editors and "
            "admins can sign in with a password alone.",
            hint="Set STAFF_MFA_REQUIRED=true (the default when DEBUG is off).",
            id="editorial_accounts.W001",
        )
    ]
