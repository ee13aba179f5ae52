"""Proof for auditors: sign-off reports per article and for the whole library.

Articles are named by id, which never changes (a slug may): a report's address
stays valid for good.
"""

from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("articles/<int:article_id>/sign-offs/", views.article_sign_offs, name="article_sign_offs"),
    path(
        "articles/<int:article_id>/sign-offs.json",
        views.article_sign_offs,
        {"file_format": "json"},
        name="article_sign_offs_json",
    ),
    path(
        "articles/<int:article_id>/sign-offs.csv",
        views.article_sign_offs,
        {"file_format": "csv"},
        name="article_sign_offs_csv",
    ),
    path("sign-offs/", views.library_export, name="library_sign_offs"),
]
