"""The board members' profiles: managing editors add and change them; the account is fixed once saved."""

from django.contrib import admin

from config.history_admin import ReadOnlyHistoryAdmin
from editorial.models import (
    Reviewer,
)
from editorial.rules import is_managing_editor


@admin.register(Reviewer)
class ReviewerAdmin(ReadOnlyHistoryAdmin):
    """Board profiles, kept by managing editors: a profile's account is chosen once, when it is added.

    Its sign-offs name that account's person, so moving a profile to another
    account would rewrite who approved what; a new account gets a new profile.
    """

    list_display = ("display_name", "credentials", "specialty", "is_active")
    list_filter = ("is_active", "specialty")
    search_fields = ("display_name", "specialty", "user__username", "user__email")
    prepopulated_fields = {"slug": ("display_name",)}
    raw_id_fields = ("user", "succeeds")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "user",
                    "succeeds",
                    "display_name",
                    "slug",
                    "credentials",
                    "registration",
                    "specialty",
                    "is_active",
                )
            },
        ),
        ("Public profile", {"fields": ("bio", "conflict_of_interest")}),
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "user", "succeeds") if obj is not None else readonly

    def has_add_permission(self, request):
        return super().has_add_permission(request) and is_managing_editor(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and is_managing_editor(request.user)
