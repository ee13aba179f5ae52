"""The admin pages of the login packages: evidence to read, and two ways to help someone.

An administrator unlocks a locked-out account by deleting its access attempts, and lets
someone who lost their phone enrol again by deleting their authenticator. Nothing else
is written here: the login records are evidence, and an authenticator's secret or a
recovery code is never shown to anyone but its owner (django-otp's own admin would show
both, and a QR code that clones the authenticator). Accounts and roles (groups) keep Django's
own pages, with a history page that only reads: who gave whom a role or staff status, who
gave a role which permission, and when.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.history_admin import ReadOnlyHistoryAdmin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeletableAdmin(ReadOnlyAdmin):
    """Read, or delete to undo a lock or a lost second factor (superusers and those granted it)."""

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(f"{self.opts.app_label}.delete_{self.opts.model_name}")


def _replace(model, model_admin):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)


class AccessAttemptAdmin(DeletableAdmin):
    list_display = ["attempt_time", "username", "ip_address", "failures_since_start", "path_info"]
    list_filter = ["attempt_time"]
    search_fields = ["username", "ip_address"]
    exclude = ["get_data", "post_data"]


class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["attempt_time", "logout_time", "username", "ip_address", "path_info"]
    list_filter = ["attempt_time", "logout_time"]
    search_fields = ["username", "ip_address"]


class AccessFailureLogAdmin(ReadOnlyAdmin):
    list_display = ["attempt_time", "username", "ip_address", "locked_out", "path_info"]
    list_filter = ["attempt_time", "locked_out"]
    search_fields = ["username", "ip_address"]


class SecondFactorAdmin(DeletableAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]


class AccountAdmin(ReadOnlyHistoryAdmin, UserAdmin):
    """Django's account pages, with a history page that only reads: who gave whom a role or staff status, and when."""

    history_list_display = ["is_active", "is_staff", "is_superuser"]

    def has_delete_permission(self, request, obj=None):
        """Accounts are deactivated, never deleted: the history names them, and the record cannot be rewritten."""
        return False


class RoleAdmin(ReadOnlyHistoryAdmin, GroupAdmin):
    """Django's role (group) pages, with a history page that only reads: who gave a role which permission, and when."""

    history_list_display = ["name"]


_replace(AccessAttempt, AccessAttemptAdmin)
_replace(AccessLog, AccessLogAdmin)
_replace(AccessFailureLog, AccessFailureLogAdmin)
_replace(TOTPDevice, SecondFactorAdmin)
_replace(StaticDevice, SecondFactorAdmin)
_replace(get_user_model(), AccountAdmin)
_replace(Group, RoleAdmin)
