from django.urls import path

from editorial import views
from editorial.experts import views as expert_views
from editorial.reports import views as reports
from editorial.threads import views as threads

app_name = "desk"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("editors/inbox/", threads.inbox, name="inbox"),
    path("readers/reports/", reports.queue, name="problem_reports"),
    path("readers/reports/<int:report_id>/", reports.report, name="problem_report"),
    path("readers/reports/<int:report_id>/hold/", reports.hold, name="problem_report_hold"),
    path("readers/reports/<int:report_id>/rereview/", reports.rereview, name="problem_report_rereview"),
    path("<slug:slug>/", views.current_review, name="current"),
    path("<slug:slug>/threads/", threads.threads, name="threads"),
    path("<slug:slug>/threads/new/", threads.open_thread, name="thread_open"),
    path("<slug:slug>/threads/<int:thread_id>/reply/", threads.reply, name="thread_reply"),
    path("<slug:slug>/threads/<int:thread_id>/resolve/", threads.resolve, name="thread_resolve"),
    path("<slug:slug>/threads/<int:thread_id>/reopen/", threads.reopen, name="thread_reopen"),
    path("<slug:slug>/assign/", views.assign, name="assign"),
    path("<slug:slug>/experts/", expert_views.expert_links, name="experts"),
    path("<slug:slug>/experts/<int:link_id>/revoke/", expert_views.expert_link_revoke_view, name="expert_revoke"),
    path("<slug:slug>/r<int:number>/", views.review, name="review"),
    # After the article routes, so an article slugged "queues" keeps its threads, reviewers and experts pages.
    path("queues/<slug:key>/", views.desk_list, name="list"),
    path("<slug:slug>/r<int:number>/start/", views.start, name="start"),
    path("<slug:slug>/r<int:number>/approve/", views.approve, name="approve"),
    path("<slug:slug>/r<int:number>/request-changes/", views.request_changes, name="request_changes"),
    path("<slug:slug>/r<int:number>/hold/", views.hold, name="hold"),
]
