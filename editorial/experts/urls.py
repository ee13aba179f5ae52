"""The outside expert's pages: the address names the revision, and the token opens it."""

from django.urls import path

from editorial.experts import views

app_name = "experts"

urlpatterns = [
    path("<slug:slug>/r<int:number>/<str:token>/", views.expert_review, name="review"),
    path("<slug:slug>/r<int:number>/<str:token>/comment/", views.expert_comment, name="comment"),
]
