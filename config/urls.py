from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Medical editorial desk"
admin.site.site_title = "Medical editorial desk"
admin.site.index_title = "Articles, references and the advisory board"

urlpatterns = [
    # The reader site first: its article pages are the hottest path, resolved without detours.
    path("", include("reader.urls")),
    path("review/", include("editorial.urls")),
    # Outside experts' review links: no account, the token in the address opens one revision (docs/expert-links.md).
    path("expert-review/", include("editorial.experts.urls")),
    path("admin/", admin.site.urls),
    path("account/", include("editorial.accounts.urls")),
    path("audit/", include("audit.urls")),
]

handler500 = "config.errors.server_error"
