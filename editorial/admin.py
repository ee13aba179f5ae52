from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from editorial.models import Reviewer


@admin.register(Reviewer)
class ReviewerAdmin(SimpleHistoryAdmin):
    list_display = ("display_name", "credentials", "specialty", "is_active")
    list_filter = ("is_active", "specialty")
    search_fields = ("display_name", "specialty", "user__username", "user__email")
    prepopulated_fields = {"slug": ("display_name",)}
    raw_id_fields = ("user",)
    fieldsets = (
        (None, {"fields": ("user", "display_name", "slug", "credentials", "specialty", "is_active")}),
        ("Public profile", {"fields": ("bio", "conflict_of_interest")}),
    )
