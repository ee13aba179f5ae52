from django.urls import path

from editorial import views

app_name = "desk"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<slug:slug>/", views.current_review, name="current"),
    path("<slug:slug>/assign/", views.assign, name="assign"),
    path("<slug:slug>/r<int:number>/", views.review, name="review"),
    path("<slug:slug>/r<int:number>/start/", views.start, name="start"),
    path("<slug:slug>/r<int:number>/approve/", views.approve, name="approve"),
    path("<slug:slug>/r<int:number>/request-changes/", views.request_changes, name="request_changes"),
    path("<slug:slug>/r<int:number>/hold/", views.hold, name="hold"),
]
