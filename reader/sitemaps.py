from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from editorial.models import Reviewer
from reader.models import PublishedArticle


class ArticleSitemap(Sitemap):
    """Live articles under their public slugs, from the index `reader.index` keeps by `reader_view`."""

    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return PublishedArticle.objects.order_by("slug")

    def location(self, item):
        return reverse("reader:article", args=[item.slug])

    def lastmod(self, item):
        return item.reviewed_at


class PageSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.3

    def items(self):
        return ["reader:home", "reader:board", "reader:editorial_policy"]

    def location(self, item):
        return reverse(item)


class BoardSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.3

    def items(self):
        return Reviewer.objects.filter(is_active=True).order_by("slug")

    def location(self, item):
        return reverse("reader:board_member", args=[item.slug])


SITEMAPS = {"articles": ArticleSitemap, "pages": PageSitemap, "board": BoardSitemap}
