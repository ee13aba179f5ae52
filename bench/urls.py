"""The project's URLs plus the bench's: /bench/floor/ (through the whole stack), /bench/bare/ (no middleware: see
bench.wsgi) and /bench/miss/ (the article on a cache miss: see bench.miss)."""

from django.urls import path

from bench.floor import floor
from bench.miss import miss
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("bench/bare/", floor, name="bench-bare"),
    path("bench/miss/", miss, name="bench-miss"),
    *project_urlpatterns,
]
