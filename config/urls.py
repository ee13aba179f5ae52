from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "Medical editorial desk"
admin.site.site_title = "Medical editorial desk"
admin.site.index_title = "Articles, references and the advisory board"

urlpatterns = [
    path("admin/", admin.site.urls),
    # The reader site takes over "/" once it exists; until then, the desk is the front door.
    path("", RedirectView.as_view(pattern_name="admin:index"), name="home"),
]
