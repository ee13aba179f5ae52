"""The project's URLs plus /bench/floor/ (through the whole stack) and /bench/bare/ (no middleware: see bench.wsgi)."""

from django.urls import path

from bench.floor import floor
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("bench/bare/", floor, name="bench-bare"),
    *project_urlpatterns,
]
