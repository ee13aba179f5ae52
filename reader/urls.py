from django.contrib.sitemaps.views import sitemap
from django.urls import path

from reader import views
from reader.feeds import ApprovedArticlesFeed
from reader.sitemaps import SITEMAPS

app_name = "reader"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("articles/<slug:slug>/ask/", views.ask_follow_up, name="ask"),
    path("articles/<slug:slug>/references/<slug:file_format>/", views.article_references, name="article_references"),
    path("audience/", views.choose_audience, name="audience"),
    path("editorial-policy/", views.editorial_page_view, {"slug": "editorial-policy"}, name="editorial_policy"),
    path("board/", views.board, name="board"),
    path("board/<slug:slug>/", views.board_member, name="board_member"),
    path("feed/", ApprovedArticlesFeed(), name="feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
]
