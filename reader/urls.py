from django.urls import path

from reader import views
from reader.feeds import ApprovedArticlesFeed

app_name = "reader"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("articles/<slug:slug>/ask/", views.ask_follow_up, name="ask"),
    path("articles/<slug:slug>/changes/", views.article_changes, name="article_changes"),
    path("articles/<slug:slug>/claims/<uuid:claim_uid>/report/", views.report_problem, name="report_problem"),
    path("articles/<slug:slug>/references/<slug:file_format>/", views.article_references, name="article_references"),
    path("audience/", views.choose_audience, name="audience"),
    path("editorial-policy/", views.editorial_page_view, {"slug": "editorial-policy"}, name="editorial_policy"),
    path("board/", views.board, name="board"),
    path("board/<slug:slug>/", views.board_member, name="board_member"),
    path("feed/", ApprovedArticlesFeed(), name="feed"),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", views.sitemap_section, name="sitemap_section"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
]
