"""The project's URLs plus /bench/floor/."""

from django.urls import path

from bench.floor import floor
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    *project_urlpatterns,
]
